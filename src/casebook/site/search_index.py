"""Build the site's search index with Pagefind, so a phone downloads only the chunks it needs.

Material's built-in search sends its whole index before the first result (tens of megabytes for a
thousand cases); Pagefind splits the index into small chunks and loads only those a query needs.
Its extended build segments Chinese. On top of that, the index gets the field's terms as tokens
(see search_terms): for each built page, what the index holds of it (its title and indexed body)
is staged with a block of tokens, heavily weighted for the terms the page is about and lightly for
those it mentions, and with the kind of page as metadata. The served pages stay as built; only
the staged copies carry the tokens.

Sections that repeat what the case pages say (the variants table of a practice, the values table
of an indicator, case lists) are left out of the index, so each passage is found on the page it
belongs to and results stay small to download.

Pagefind holds everything it indexes in memory until it writes the bundle: about 75 bytes for each
character of indexed text, 1.3 GB for a thousand cases. A large site is therefore indexed in
shards of at most `SHARD_CHARS` characters, each by its own Pagefind run, so no run needs more
than about 600 MB whatever the size of the library; one at a time unless the settings ask for
more (`search_index_runs`), as far as cores and the build's memory plan (`build_memory_mb`)
allow. The first shard is the bundle in `pagefind/`; the others are in `pagefind/shards/<n>/`, listed in `pagefind/shards.json`, and the search script
merges them into the first with Pagefind's own `mergeIndex` (they share its WebAssembly).

The same run writes the quick index of the field's terms (quick_search), from the same tokens,
with each page's Pagefind fragment, and pre-compressed copies of the search files (precompress).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment
from selectolax.lexbor import LexborHTMLParser, LexborNode

from casebook.library.link import Library
from casebook.parallel import BUILD_MEMORY_MB, cores, resident_mb, run_jobs
from casebook.site.precompress import precompress
from casebook.site.quick_search import QuickPage, page_points, write_quick_index
from casebook.site.search_terms import (
    KIND_LABELS,
    SKIPPED_SECTIONS,
    Term,
    TermMatcher,
    build_terms,
    page_kind,
    related_forms,
    synonym_groups,
)

BUNDLE = "pagefind"
# The language Pagefind segments every page as (its extended build splits Chinese into words).
LANGUAGE = "zh"
# Where the theme marks the end of a page's indexed body; the token block goes there.
MARKER = "<!-- casebook:search-keywords -->"
# Classes of sections that repeat other pages' text (see the module docstring), and the badges
# (status, level, period) that would otherwise open every excerpt.
# Any other section can opt out with the `data-pagefind-ignore` attribute.
EXCLUDED_CLASSES = ("cb-badges", "cb-variants", "cb-values", "cb-related-values", "cb-comparison", "cb-chart",
                    "cb-case-table", "cb-cards", "cb-related", "cb-edit", "cb-regions")
# Weight of the terms a page is about (Pagefind allows 0–10). The glossary is about every term it
# defines, so the page dedicated to a term (its practice, indicator, region) must rank above it.
ABOUT_WEIGHTS = {"glossary": 5}
# The most times one mention is counted: a page that says a term five times is about it enough.
MENTION_CAP = 5
# Files of the bundle the site does not use (we ship our own search box).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
# Files a merged shard does not need: it searches with the first bundle's script and WebAssembly.
UNUSED_IN_SHARDS = ("pagefind.js", "pagefind-worker.js", "wasm.*.pagefind")
# Characters of indexed text per Pagefind run (see the module docstring): about 600 MB of memory.
SHARD_CHARS = 8_000_000
# How many shards are indexed at once unless the site's settings say otherwise
# (extra.casebook.search_index_runs): one, so that a library of a thousand cases builds within
# 1 GB; two runs side by side take a quarter off the search index step and need ~700 MB more.
SEARCH_INDEX_RUNS = 1
SHARDS_FOLDER = "shards"
SHARDS_LIST = "shards.json"


@dataclass(frozen=True)
class IndexSummary:
    """What the index build did, for the build log."""

    pages: int
    skipped: int
    files: int
    bytes: int
    seconds: float
    shards: int = 1


# Elements whose text the index never holds.
SKIPPED_ELEMENTS = ", ".join(["script", "style", "[data-pagefind-ignore]", *(f".{c}" for c in EXCLUDED_CLASSES)])


def indexed_body(html: str | LexborHTMLParser) -> LexborNode | None:
    """The part of a built page (its HTML, or the HTML parsed) that the search index holds: the
    element marked `data-pagefind-body`, without the excluded sections (scripts, EXCLUDED_CLASSES)."""
    tree = LexborHTMLParser(html) if isinstance(html, str) else html
    body = tree.css_first("[data-pagefind-body]")
    if body is not None:
        for node in body.css(SKIPPED_ELEMENTS):
            node.decompose()
    return body


def text_outside_links(body: LexborNode) -> str:
    """The text of `body` (from `indexed_body`) without its links, which it drops from `body`.

    A link names another page (a related practice, the region of a case), which is not a
    mention of that page's subject.
    """
    for link in body.css("a"):
        link.decompose()
    return body.text(deep=True, separator=" ")


def indexed_text(html: str) -> tuple[str, str]:
    """The text of a built page that the search index holds: outside links, and in links."""
    body = indexed_body(html)
    if body is None:
        return "", ""
    link_text = " ".join(link.text(deep=True, separator=" ") for link in body.css("a"))
    return text_outside_links(body), link_text


def page_url(rel: str) -> str:
    """The site URL of the built page at `rel`: `cases/x/index.html` → `cases/x/`; `index.html`
    → "". Term records name pages by these URLs (search_terms.build_terms)."""
    stem = rel.removesuffix(".html")
    if stem == "index":
        return ""
    return stem.removesuffix("index") if stem.endswith("/index") else stem + "/"


def is_indexed(rel: str, html: str) -> bool:
    """Whether the built page at `rel` (`cases/x/index.html`) goes into the search index."""
    return rel.split("/")[0] not in (BUNDLE, "records", *SKIPPED_SECTIONS) and MARKER in html


class PageTokens:
    """The field's terms of a library, ready to give each built page its tokens."""

    def __init__(self, library: Library) -> None:
        self.terms = build_terms(library)
        self.matcher = TermMatcher(self.terms)
        self.synonyms = synonym_groups(library)
        self.related = related_forms(library)

    def keywords(self, url: str, text: str) -> dict[str, list[str]]:
        """`page_keywords` of the page served at `url` (`cases/x/`) whose indexed text is `text`."""
        return page_keywords(url, text, self.terms, self.matcher, self.synonyms,
                             frozenset().union(*self.related.get(url, ())))


def page_keywords(url: str, text: str, terms: dict[str, Term], matcher: TermMatcher,
                  synonyms: dict[str, set[str]], related: set[str]) -> dict[str, list[str]]:
    """Tokens for one page, in three tiers.

    about: the terms the page is about (its record's name and aliases); related: the terms of
    what a case is filed under (see search_terms.related_forms); mentions: the terms its text
    mentions, repeated by count (capped), each mention also counting once for the same record's
    other names (see search_terms.synonym_groups).
    """
    counts = {form: min(n, MENTION_CAP) for form, n in matcher.count(text).items()}
    for form in list(counts):
        for other in synonyms.get(form, ()):
            counts.setdefault(other, 1)
    return {
        "about": sorted(t.token for t in terms.values() if url in t.about),
        "related": sorted(terms[form].token for form in related if form in terms),
        "mentions": [terms[form].token for form in sorted(counts) for _ in range(counts[form])],
    }


def index_site(site_dir: Path, tokens: PageTokens, macros: Path, *,
               workers: int | None = None, shard_chars: int = SHARD_CHARS,
               compressed_cache: Path | None = None, runs: int = SEARCH_INDEX_RUNS,
               memory_mb: int = BUILD_MEMORY_MB) -> IndexSummary:
    """Write the Pagefind bundle for the built site at `site_dir` into `site_dir/pagefind/`.

    `tokens` holds the library's terms (PageTokens), so a caller may let go of the library
    before the indexer runs. The pages' tokens are worked out on every core (`workers`, default all) for a large site, and
    the pages are indexed in shards of at most `shard_chars` characters of text (one page may be
    more), each shard by its own Pagefind run (see the module docstring), `runs` at once as far
    as cores and `memory_mb` allow (concurrent_runs). The search files get
    their pre-compressed copies last (casebook.site.precompress, reusing `compressed_cache`).
    Raises RuntimeError with Pagefind's output if the indexer fails.
    """
    started = time.monotonic()
    template = _environment(macros).get_template("search_keywords.html.j2")
    output = site_dir / BUNDLE
    shutil.rmtree(output, ignore_errors=True)
    paths = sorted(site_dir.rglob("*.html"))
    processes = 1 if len(paths) < PARALLEL_FROM else workers
    parts = 2 * (processes or cores())
    with tempfile.TemporaryDirectory(prefix="casebook-search-") as staging_dir:
        staging = Path(staging_dir)
        staged = run_jobs([partial(_stage_pages, paths[part::parts], site_dir, staging / "pages",
                                   tokens, template) for part in range(parts)], processes)
        sizes = sorted(size for pages, _, _ in staged for size in pages)
        quick = [page for _, _, found in staged for page in found]
        shards = shard_pages(sizes, shard_chars)
        for number, shard in enumerate(shards):
            folder = staging / f"shard-{number}"
            for rel in shard:
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / "pages" / rel, folder / rel)
        at_once = concurrent_runs(shards, shard_chars, runs, memory_mb)
        with ThreadPoolExecutor(max_workers=at_once) as pool:  # each thread waits on its indexer
            list(pool.map(lambda number: _run_pagefind(staging / f"shard-{number}",
                                                       staging / f"bundle-{number}"),
                          range(len(shards))))
        for number in range(len(shards)):
            bundle = output if number == 0 else output / SHARDS_FOLDER / str(number)
            shutil.move(staging / f"bundle-{number}", bundle)
            _drop_unused(bundle, shard=number > 0)
    (output / SHARDS_LIST).write_text(
        json.dumps([f"{SHARDS_FOLDER}/{n}/" for n in range(1, len(shards))]), encoding="utf-8")
    fragments = fragment_paths(output)
    for page in quick:
        page.fragment = fragments.get(page.href, "")
    write_quick_index(site_dir, quick)
    precompress(site_dir, cache=compressed_cache, workers=workers)
    files = [p for p in output.rglob("*") if p.is_file()]
    return IndexSummary(len(sizes), sum(skipped for _, skipped, _ in staged), len(files),
                        sum(p.stat().st_size for p in files), round(time.monotonic() - started, 1),
                        len(shards))


# What one Pagefind run holds for each character of text it indexes (see the module docstring),
# and what it holds whatever it indexes.
PAGEFIND_BYTES_PER_CHAR = 75
PAGEFIND_BASE_MB = 100


def concurrent_runs(shards: list[list[str]], shard_chars: int, runs: int, memory_mb: int) -> int:
    """How many shards to index at once: `runs` as asked, but no more than the cores, and only
    as many as fit, each at its largest (`shard_chars` of text), beside this process in
    `memory_mb` (the build's memory plan); one at least."""
    each = PAGEFIND_BASE_MB + shard_chars * PAGEFIND_BYTES_PER_CHAR // 2**20
    fitting = (memory_mb - resident_mb()) // each
    return max(1, min(runs, cores(), len(shards), fitting))


def fragment_paths(bundle: Path) -> dict[str, str]:
    """Site URL (`cases/x/`) → the page's Pagefind fragment under `bundle`, without its suffix
    (`fragment/zh_0632877`), for the quick index (casebook.site.quick_search)."""
    found = {}
    for path in sorted(bundle.rglob("*.pf_fragment")):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[data["url"].lstrip("/")] = path.relative_to(bundle).with_suffix("").as_posix()
    return found


# The kinds of page that are about a term of the field, indexed apart from the rest when the
# index is sharded (see shard_pages).
VOCABULARY_KINDS = ("practice", "indicator", "theme", "region", "glossary")


def shard_pages(sizes: list[tuple[str, int]], limit: int) -> list[list[str]]:
    """The pages (path, characters of indexed text) in one shard if they hold at most `limit`
    characters; else the pages about a term of the field (VOCABULARY_KINDS) apart from the others
    (cases, guides, courses), each group dealt into as few shards as keep each near `limit`: each
    page, in order, to the shard holding least so far.

    Pagefind ranks a word by how rare it is among the pages of its own index, and merges shards by
    those scores. Keeping the pages about a term apart from the cases that mention it keeps them
    first, as in one index: among a few hundred such pages the term is rare, among the cases
    common. Dealing the rest makes their shards alike, so a case, a guide and a course rank among
    each other as in one index.
    """
    if sum(size for _, size in sizes) <= limit:
        return [[rel for rel, _ in sizes]]
    groups = ([page for page in sizes if _is_about_a_term(page[0])],
              [page for page in sizes if not _is_about_a_term(page[0])])
    return [shard for group in groups for shard in _deal(group, limit)] or [[]]


def _is_about_a_term(rel: str) -> bool:
    return page_kind(page_url(rel)) in VOCABULARY_KINDS


def _deal(sizes: list[tuple[str, int]], limit: int) -> list[list[str]]:
    count = max(1, -(-sum(size for _, size in sizes) // max(limit, 1))) if sizes else 0
    shards: list[list[str]] = [[] for _ in range(count)]
    totals = [0] * count
    for rel, size in sizes:
        smallest = totals.index(min(totals))
        shards[smallest].append(rel)
        totals[smallest] += size
    return [shard for shard in shards if shard]


def _drop_unused(bundle: Path, *, shard: bool) -> None:
    for pattern in UNUSED + (UNUSED_IN_SHARDS if shard else ()):
        for path in bundle.glob(pattern):
            path.unlink()


# Below this many pages, worker processes cost more than they save.
PARALLEL_FROM = 400


def _stage_pages(paths: list[Path], site_dir: Path, staging: Path, tokens: PageTokens,
                 template: Template) -> tuple[list[tuple[str, int]], int, list[QuickPage]]:
    """Write what Pagefind reads of each indexed page at `paths` into `staging`: the indexed body
    (see `indexed_body`) with its block of term tokens, in a page of its own; the staged pages
    (path, characters of indexed text), the number skipped, and the pages for the quick index."""
    pages = []
    quick = []
    skipped = 0
    for path in paths:
        rel = path.relative_to(site_dir).as_posix()
        html = path.read_text(encoding="utf-8")
        if not is_indexed(rel, html):
            skipped += 1
            continue
        tree = LexborHTMLParser(html)
        body = indexed_body(tree)
        if body is None:
            skipped += 1
            continue
        url = page_url(rel)
        kind = page_kind(url)
        kept = body.html or ""
        size = len(body.text(deep=True, separator=" "))
        heading = body.css_first("h1")
        title_text = " ".join(heading.text(deep=True, separator="").split()) if heading else ""
        text = text_outside_links(body)
        keywords = tokens.keywords(url, text)
        about_weight = ABOUT_WEIGHTS.get(kind, 10)
        block = template.render(kind=KIND_LABELS[kind], about_weight=about_weight, **keywords)
        quick.append(QuickPage(url, title_text or url, KIND_LABELS[kind],
                               page_points(keywords, about_weight, kind)))
        title = tree.css_first("title")
        staged = (f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
                  f"{title.html if title else ''}</head><body>{kept.replace(MARKER, block, 1)}"
                  "</body></html>")
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(staged, encoding="utf-8")
        pages.append((rel, size + len(block)))
    return pages, skipped, quick


def _environment(macros: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(str(macros)), autoescape=True,
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                comment_start_string="{##", comment_end_string="##}")


def _run_pagefind(staging: Path, output: Path) -> None:
    """Pagefind's extended build (it segments Chinese), configured by a file in `staging`."""
    try:
        import pagefind_bin_extended  # noqa: F401 - the extended binary must be installed
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise RuntimeError("需要 pagefind[extended]（它能切分中文）；请运行 make venv 安装固定版本的依赖。") from error
    config = {"site": ".", "output_path": str(output), "force_language": LANGUAGE}
    (staging / "pagefind.json").write_text(json.dumps(config), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pagefind", "--silent"], cwd=staging,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"Pagefind 建立搜索索引失败：\n{done.stdout}\n{done.stderr}")

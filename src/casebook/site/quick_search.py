"""The quick search index: which pages each term token finds, with their points, in small files.

On a weak network (400 kbps, 400 ms a round trip) Pagefind's chain (its script, its worker, its
entry file, 68 KB of WebAssembly, the index chunks, then the page fragments) takes many seconds
before the first result. Most searches are for the field's terms, and every term already has one
token whose pages and points are known when the site is built (search_terms, search_index). So
the search box answers a term from two small files: the postings of the token (`<bucket>.json`,
the tokens sharing their first letters), then the titles of the best pages (`pages/<n>.json`,
`CHUNK_PAGES` pages to a file, the pages about a term first). Other words of a query are looked
up by their character pairs in the pages' titles (`titles/<n>.json`, see title_pairs). Pagefind is loaded only for words
that are not terms, and for the text of a result (its fragment, named in the titles table).

The site and the offline copy write the same index from the same tokens, and the search box ranks
with it alike, so both give the same first results for the same query (the offline copy links
`cases/x.html` where the site links `cases/x/`).

Points of a page for a token: `ABOUT_POINTS` times the page's about-weight (10, the glossary 5)
if the page is about the term, `RELATED_POINTS` if it is filed under it, 1 per mention (capped).
A page about a term thus always ranks above pages that only mention it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = "search/quick"
QUOTES = "“”‘’\"'「」『』《》〈〉"  # as search_terms.QUOTES (the search box drops them from queries)
CHUNK_PAGES = 48
# Characters of a token that name its postings file: "qxzab" holds the 26 tokens qxzaba…qxzabz.
BUCKET_CHARS = 5
ABOUT_POINTS = 3
RELATED_POINTS = 4
UNCOUNTED_MENTIONS = ("glossary",)
# Kinds of page listed first in the titles table: the likeliest first results share a file.
FIRST_KINDS = ("做法", "指标", "主题", "地区", "术语")
# Files of the title index (see title_pairs), by a hash of the pair; and the points of a page for
# each pair of the query's other words its title holds (a page holding half of them is a result).
TITLE_BUCKETS = 32
PAIR_POINTS = 5


@dataclass
class QuickPage:
    """One indexed page as the quick index holds it."""

    href: str  # from the site root: `cases/x/` (site) or `cases/x.html` (offline copy)
    title: str
    kind: str  # the label shown next to a result (search_terms.KIND_LABELS)
    points: dict[str, int] = field(default_factory=dict)
    fragment: str = ""  # the page's Pagefind fragment under pagefind/, without its suffix


def page_points(keywords: dict[str, list[str]], about_weight: int, kind: str) -> dict[str, int]:
    """Token → points of one page of `kind` (search_terms.page_kind), from its three tiers of
    tokens (search_index.page_keywords). The glossary's mentions do not count: it defines every
    term, naming others in passing, and would otherwise come first for any two terms at once."""
    points: dict[str, int] = {}
    for token in keywords["about"]:
        points[token] = points.get(token, 0) + ABOUT_POINTS * about_weight
    for token in keywords["related"]:
        points[token] = points.get(token, 0) + RELATED_POINTS
    for token in keywords["mentions"] if kind not in UNCOUNTED_MENTIONS else ():
        points[token] = points.get(token, 0) + 1
    return points


def settings() -> dict[str, object]:
    """What the search box needs to find the files (it reads them from search/terms.json)."""
    return {"folder": FOLDER + "/", "chunk": CHUNK_PAGES, "bucket": BUCKET_CHARS,
            "titles": TITLE_BUCKETS, "pair_points": PAIR_POINTS}


def title_pairs(title: str) -> set[str]:
    """The pairs of neighbouring characters in a title (spaces and quotes left out).

    Words of a query that are not terms are looked up by their pairs among the titles, so a
    natural phrase (村干部的工资待遇怎么保障) still ranks the page whose title says most of it
    first, before the full-text index has loaded.
    """
    chars = [c for c in title.lower() if not c.isspace() and c not in QUOTES]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def pair_bucket(pair: str) -> int:
    """The title-index file of a pair; the search box computes the same."""
    first, second = pair
    return (ord(first) * 31 + ord(second)) % TITLE_BUCKETS


def write_quick_index(site_dir: Path, pages: list[QuickPage]) -> list[Path]:
    """Write the quick index of `pages` into `site_dir/search/quick/`; return the files written."""
    folder = site_dir / FOLDER
    if folder.exists():
        for old in sorted(folder.rglob("*.json"), reverse=True):
            old.unlink()
    ordered = sorted(pages, key=lambda p: (p.kind not in FIRST_KINDS, p.href))
    buckets: dict[str, dict[str, list[list[int]]]] = {}
    for number, page in enumerate(ordered):
        for token, points in page.points.items():
            buckets.setdefault(token[:BUCKET_CHARS], {}).setdefault(token, []).append([number, points])
    written = []
    for name, postings in sorted(buckets.items()):
        for found in postings.values():
            found.sort(key=lambda posting: (-posting[1], posting[0]))
        written.append(_write(folder / f"{name}.json", dict(sorted(postings.items()))))
    titles: dict[int, dict[str, list[int]]] = {}
    for number, page in enumerate(ordered):
        for pair in sorted(title_pairs(page.title)):
            titles.setdefault(pair_bucket(pair), {}).setdefault(pair, []).append(number)
    for bucket in range(TITLE_BUCKETS):
        written.append(_write(folder / "titles" / f"{bucket}.json", dict(sorted(titles.get(bucket, {}).items()))))
    for start in range(0, len(ordered), CHUNK_PAGES):
        rows = [[p.href, p.title, p.kind, p.fragment] for p in ordered[start:start + CHUNK_PAGES]]
        written.append(_write(folder / "pages" / f"{start // CHUNK_PAGES}.json", rows))
    return written


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path

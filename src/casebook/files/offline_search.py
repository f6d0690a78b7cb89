"""The offline copy's search index: every page's indexed text and term tokens in one JSON file.

A page opened from a folder (file://) cannot load Pagefind: its module import and the WASM it
fetches are refused there. The offline copy therefore carries its own index, loaded whole through
the data loader (javascripts/data.js, via the file's script twin) and searched by substring in
javascripts/search.js. It holds what Pagefind is given online: the text inside
`data-pagefind-body` without the excluded sections (search_index.EXCLUDED_CLASSES), the kind of
page, and the same term tokens in the same three tiers (search_index.page_keywords), so a term,
an alias or a traditional spelling finds the same pages. Substring matching suits Chinese, which
has no spaces between words, and needs no segmenter in the browser.

Beside it the copy gets the quick index the site has (casebook.site.quick_search), made from the
same tokens: the search box ranks with it alike, so the copy's first results are the site's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook.library.link import Library
from casebook.site.quick_search import QuickPage, page_points, write_quick_index
from casebook.site.search_index import (
    ABOUT_WEIGHTS,
    PageTokens,
    indexed_body,
    is_indexed,
    page_url,
    text_outside_links,
)
from casebook.site.search_terms import KIND_LABELS, page_kind

INDEX_PATH = "search/offline.json"
# Points per query part found, as Pagefind is weighted online: a term by its token (the page is
# about it: ABOUT_WEIGHTS or 10; filed under it: `related`; each mention 1, up to `cap`); another
# word in the title (`title`) or the text (1 per occurrence, up to `cap`).
WEIGHTS = {"title": 10, "related": 4, "cap": 5}


@dataclass
class _PageText:
    """What Pagefind would index of a page: its text in reading order (with and without link
    text), its title and its glossary anchors."""

    ordered: str = ""
    text: str = ""
    title: str = ""
    anchors: list[dict[str, Any]] = field(default_factory=list)


def _page_text(html: str) -> _PageText:
    body = indexed_body(html)
    if body is None:
        return _PageText()
    heading = body.css_first("h1")
    found = _PageText(
        ordered=_squeeze(body.text(deep=True, separator="")),
        title=_squeeze(heading.text(deep=True, separator="")) if heading else "",
        anchors=[{"element": "dt", "id": dt.attributes["id"],
                  "text": _squeeze(dt.text(deep=True, separator=""))} for dt in body.css("dt[id]")])
    found.text = text_outside_links(body)
    return found


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def page_entry(rel: str, html: str, tokens: PageTokens) -> tuple[dict[str, Any], QuickPage] | None:
    """The index's entry for the copy's page at `rel` (`cases/x/index.html`) and its quick-index
    page; None for a page the search leaves out (search_index.is_indexed)."""
    if not is_indexed(rel, html):
        return None
    page = _page_text(html)
    url = page_url(rel)
    keywords = tokens.keywords(url, page.text)
    mentions: dict[str, int] = {}
    for token in keywords["mentions"]:
        mentions[token] = mentions.get(token, 0) + 1
    kind = page_kind(url)
    text = page.ordered
    about_weight = ABOUT_WEIGHTS.get(kind, 10)
    entry = {
        "url": rel, "title": page.title or text[:40], "kind": KIND_LABELS[kind],
        "text": text, "about": keywords["about"], "about_weight": about_weight,
        "related": keywords["related"], "mentions": mentions,
        "anchors": page.anchors,
    }
    return entry, QuickPage(rel, page.title or url, KIND_LABELS[kind],
                            page_points(keywords, about_weight, kind))


def offline_index(site_dir: Path, library: Library) -> tuple[dict[str, Any], list[QuickPage]]:
    """The index of the offline copy built at `site_dir` (with file URLs: `cases/x.html`), and
    its pages for the quick index (casebook.site.quick_search), which the site writes alike."""
    tokens = PageTokens(library)
    entries = []
    for path in sorted(site_dir.rglob("*.html")):
        entries.append(page_entry(path.relative_to(site_dir).as_posix(),
                                  path.read_text(encoding="utf-8"), tokens))
    return index_of(entries)


def index_of(entries: list[tuple[dict[str, Any], QuickPage] | None]) -> tuple[dict[str, Any], list[QuickPage]]:
    """The index and the quick-index pages from each page's `page_entry`, in page order."""
    found = [entry for entry in entries if entry]
    return {"weights": WEIGHTS, "pages": [page for page, _ in found]}, [quick for _, quick in found]


def write_offline_index(site_dir: Path, entries: list[tuple[dict[str, Any], QuickPage] | None]) -> Path:
    """Write the index of the offline copy at `site_dir` from each of its pages' `page_entry`
    (in path order, taken while the copy was made); return the file."""
    target = site_dir / INDEX_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    data, quick = index_of(entries)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    write_quick_index(site_dir, quick)
    return target

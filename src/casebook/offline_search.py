"""The offline copy's search index: every page's indexed text and term tokens in one JSON file.

A page opened from a folder (file://) cannot load Pagefind: its module import and the WASM it
fetches are refused there. The offline copy therefore carries its own index, loaded whole through
the data loader (javascripts/data.js, via the file's script twin) and searched by substring in
javascripts/search.js. It holds what Pagefind is given online: the text inside
`data-pagefind-body` without the excluded sections (search_index.EXCLUDED_CLASSES), the kind of
page, and the same term tokens in the same three tiers (search_index.page_keywords), so a term,
an alias or a traditional spelling finds the same pages. Substring matching suits Chinese, which
has no spaces between words, and needs no segmenter in the browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from casebook.link import Library
from casebook.search_index import (
    ABOUT_WEIGHTS,
    BUNDLE,
    MARKER,
    _BodyText,
    page_keywords,
)
from casebook.search_terms import (
    KIND_LABELS,
    SKIPPED_SECTIONS,
    TermMatcher,
    build_terms,
    page_kind,
    related_forms,
    synonym_groups,
)

INDEX_PATH = "search/offline.json"
# Points per query part found, as Pagefind is weighted online: a term by its token (the page is
# about it: ABOUT_WEIGHTS or 10; filed under it: `related`; each mention 1, up to `cap`); another
# word in the title (`title`) or the text (1 per occurrence, up to `cap`).
WEIGHTS = {"title": 10, "related": 4, "cap": 5}


class _PageText(_BodyText):
    """What Pagefind would index of a page, in reading order, with its title and glossary anchors."""

    def __init__(self) -> None:
        super().__init__()
        self.ordered: list[str] = []
        self.title: list[str] = []
        self.anchors: list[dict[str, Any]] = []
        self._capture: list[tuple[str, list[str]]] = []  # open h1/dt elements and their text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        if not (self._stack and self._stack[-1][0] == tag and self._stack[-1][1]):
            return
        named = dict(attrs)
        if tag == "h1" and not self.title:
            self._capture.append((tag, self.title))
        elif tag == "dt" and named.get("id"):
            anchor: dict[str, Any] = {"element": "dt", "id": named["id"], "text": []}
            self.anchors.append(anchor)
            self._capture.append((tag, anchor["text"]))

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        if self._capture and self._capture[-1][0] == tag:
            self._capture.pop()

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._stack and self._stack[-1][1] and not self._stack[-1][2]:
            self.ordered.append(data)
            for _, parts in self._capture:
                parts.append(data)


def _squeeze(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


def online_url(rel: str) -> str:
    """The site URL a page of the offline copy has online: `cases/x.html` → `cases/x/`.

    Term records name their pages by these URLs (search_terms.build_terms).
    """
    stem = rel.removesuffix(".html")
    if stem == "index":
        return ""
    return stem.removesuffix("index") if stem.endswith("/index") else stem + "/"


def offline_index(site_dir: Path, library: Library) -> dict[str, Any]:
    """The index of the offline copy built at `site_dir` (with file URLs: `cases/x.html`)."""
    terms = build_terms(library)
    matcher = TermMatcher(terms)
    synonyms = synonym_groups(library)
    related = related_forms(library)
    pages = []
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        html = path.read_text(encoding="utf-8")
        if rel.split("/")[0] in (BUNDLE, "records", *SKIPPED_SECTIONS) or MARKER not in html:
            continue
        parser = _PageText()
        parser.feed(html)
        parser.close()
        url = online_url(rel)
        keywords = page_keywords(url, " ".join(parser.text), terms, matcher, synonyms,
                                 related.get(url, set()))
        mentions: dict[str, int] = {}
        for token in keywords["mentions"]:
            mentions[token] = mentions.get(token, 0) + 1
        kind = page_kind(url)
        text = _squeeze(parser.ordered)
        pages.append({
            "url": rel, "title": _squeeze(parser.title) or text[:40], "kind": KIND_LABELS[kind],
            "text": text, "about": keywords["about"], "about_weight": ABOUT_WEIGHTS.get(kind, 10),
            "related": keywords["related"], "mentions": mentions,
            "anchors": [{**a, "text": _squeeze(a["text"])} for a in parser.anchors],
        })
    return {"weights": WEIGHTS, "pages": pages}


def write_offline_index(site_dir: Path, library: Library) -> Path:
    """Write the index into the built offline copy; return the file."""
    target = site_dir / INDEX_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    data = offline_index(site_dir, library)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return target

"""Typeset handouts into A4 PDFs with Typst, in parallel, into a built site.

A handout is written once, as HTML (casebook.files.handouts, the same sandboxed templates as the
pages). Here that HTML becomes a tree of plain data (`handout_data`) which the print layout
(macros/handout.typ) sets: every string arrives as JSON and is set as text, so no record's text
is ever read as Typst markup or code.

Why Typst: it sets a handout in tens of milliseconds where an HTML typesetter took over a second
(the handouts were most of a build), embeds the CJK face so that copied text comes back as the
real characters (some PDF routes yield radical look-alikes, 人 → ⼈), and gives the same bytes for
the same input. Fonts are read once per worker process (`_worker`), not once per handout. The
only fonts it sees are Debian's Noto CJK (FONT_PATHS), never the system's or Typst's own, and
the layout reads no file but itself: nothing is fetched.

The PDFs are not tagged (no structure tree): it made each handout a third larger (about 70 KB)
for screen readers, which read the same text on the case's page; a handout is for paper.

Output is deterministic (no date but the build's, casebook.records.history.build_epoch), so an
unchanged handout is taken from a cache keyed by its input, and two runs of one tree give
identical bytes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import re
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from typing import Any

from casebook.files.handouts import Handout
from casebook.files.offline import copy_file
from casebook.parallel import cores
from casebook.site.render import HANDOUTS_DIR

# Where Debian's fonts-noto-cjk puts the face the layout names ("Noto Sans CJK SC").
FONT_PATHS = ("/usr/share/fonts/opentype/noto",)
LAYOUT = "handout.typ"  # in macros/
INPUT = "handout"  # the sys.inputs key the layout reads

# Elements whose whitespace-only text is layout, not content; and elements with no content.
_BLOCKS = {"html", "head", "body", "header", "footer", "section", "ul", "ol", "table", "thead",
           "tbody", "tfoot", "tr"}
_VOID = {"br", "meta", "link", "img", "hr", "wbr", "col"}
_SPACE = re.compile(r"\s+")
# A column whose longest entry has at most this many characters is as wide as that entry.
_NARROW = 9


class _Tree(HTMLParser):
    """HTML → nested dicts: {"t": tag, "class": [...], "c": [children]}, strings for text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, Any] = {"t": "#root", "c": []}
        self.stack = [self.root]
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "meta" and "name" in named:
            self.meta[named["name"]] = named.get("content", "")
        if tag == "title":
            self._in_title = True
        node: dict[str, Any] = {"t": tag, "c": []}
        if named.get("class"):
            node["class"] = named["class"].split()
        if named.get("colspan", "").isdigit():
            node["span"] = int(named["colspan"])
        self.stack[-1]["c"].append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        for depth in range(len(self.stack) - 1, 0, -1):  # tolerate a missing end tag
            if self.stack[depth]["t"] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.stack[-1]["c"].append(data)


def _tidy(node: dict[str, Any]) -> dict[str, Any]:
    """Collapse whitespace as a browser would; drop what only lays out the source."""
    kept: list[Any] = []
    for child in node["c"]:
        if isinstance(child, str):
            text = _SPACE.sub(" ", child)
            if node["t"] in _BLOCKS and not text.strip():
                continue
            if kept and isinstance(kept[-1], str):
                kept[-1] += text
            else:
                kept.append(text)
        else:
            kept.append(_tidy(child))
    if kept and isinstance(kept[0], str):
        kept[0] = kept[0].lstrip()
    if kept and isinstance(kept[-1], str):
        kept[-1] = kept[-1].rstrip()
    node["c"] = [child for child in kept if child != ""]
    if node["t"] == "table":
        node["widths"] = _widths(node)
    return node


def _text(node: Any) -> str:
    return node if isinstance(node, str) else "".join(_text(child) for child in node["c"])


def _find(node: dict[str, Any], test: Any) -> dict[str, Any] | None:
    if test(node):
        return node
    for child in node["c"]:
        if isinstance(child, dict) and (found := _find(child, test)):
            return found
    return None


def _widths(table: dict[str, Any]) -> list[float]:
    """Each column's share of the width: 0 for a narrow column (as wide as its content), else a
    weight that grows with the column's longest entry, so prose columns get the room."""
    longest: list[int] = []
    for group in table["c"]:
        for row in (r for r in group["c"] if isinstance(r, dict) and r["t"] == "tr"):
            column = 0
            for cell in (c for c in row["c"] if isinstance(c, dict)):
                size = len(_text(cell))
                span = cell.get("span", 1)
                if span == 1:
                    while len(longest) <= column:
                        longest.append(0)
                    longest[column] = max(longest[column], size)
                column += span
    return [0 if size <= _NARROW else round(min(size, 60) ** 0.5, 2) for size in longest]


def handout_data(html: str, epoch_date: str | None = None) -> dict[str, Any]:
    """What the layout sets: the body tree, the running heads and the PDF's metadata."""
    parser = _Tree()
    parser.feed(html)
    parser.close()
    root = _tidy(parser.root)
    body = _find(root, lambda n: n["t"] == "body") or root
    site = _find(body, lambda n: "h-site" in n.get("class", ()))
    address = _find(body, lambda n: "h-address" in n.get("class", ()))
    heading = _find(body, lambda n: n["t"] == "h1")
    created = parser.meta.get("dcterms.created") or epoch_date
    date = [int(part) for part in re.findall(r"\d+", created)[:6]] if created else None
    keywords = [word for word in re.split(r"[，,]", parser.meta.get("keywords", "")) if word]
    return {
        "title": _SPACE.sub(" ", parser.title).strip(),
        "author": parser.meta.get("author", ""),
        "keywords": keywords,
        "date": date,
        "site": _text(site) if site else "",
        "address": _text(address) if address else "",
        "heading": _text(heading) if heading else "",
        "body": {"t": "body", "c": body["c"]},
    }


def layout_key(macros: Path) -> str:
    """What, besides a handout's HTML, decides its bytes: the typesetter and the layout."""
    return f"typst {version('typst')}\n{(macros / LAYOUT).read_text(encoding='utf-8')}\n"


def write_pdfs(handouts: Iterable[Handout], site_dir: Path, macros: Path, *,
               jobs: int | None = None, cache_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Write each handout's PDF under `site_dir`; return every file written and those typeset
    now (the others came from the cache: their HTML and the layout did not change).

    The handouts are taken `BATCH` at a time (they may come from handouts.handout_batches), so
    no more than a batch of HTML is held. PDFs under `site_dir`/handouts/ that no handout
    produces any more are removed.
    """
    salt = layout_key(macros)
    written: list[Path] = []
    typeset: list[Path] = []
    items = iter(handouts)
    if cache_dir:
        cache_dir.mkdir(parents=True, exist_ok=True)
    with Typesetter(str((macros / LAYOUT).resolve()), jobs) as typesetter:
        while batch := list(islice(items, BATCH)):
            keys = [hashlib.sha256((salt + h.html).encode("utf-8")).hexdigest() for h in batch]
            cached = {i for i, key in enumerate(keys)
                      if cache_dir and (cache_dir / f"{key}.pdf").is_file()}
            fresh = iter(typesetter.typeset([h.html for i, h in enumerate(batch) if i not in cached]))
            for i, handout in enumerate(batch):
                target = site_dir / handout.path
                target.parent.mkdir(parents=True, exist_ok=True)
                if i in cached:  # linked, not copied: a thousand handouts are 150 MB
                    copy_file(cache_dir / f"{keys[i]}.pdf", target)  # type: ignore[operator]
                else:
                    data = next(fresh)
                    target.unlink(missing_ok=True)  # may be linked to the cache: never written through
                    target.write_bytes(data)
                    typeset.append(target)
                    if cache_dir:
                        (cache_dir / f"{keys[i]}.pdf").write_bytes(data)
                written.append(target)
    _remove_stale(site_dir / HANDOUTS_DIR, set(written))
    return written, typeset


BATCH = 256  # handouts keyed and typeset at a time
# Fewer than this many to typeset, and they are set here: starting the workers would cost more.
FEW = 8


class Typesetter:
    """Typesets handout HTML into PDF bytes on `jobs` worker processes (default one per core),
    started the first time there are more than a few to set and kept for the rest.

    The workers are spawned, not forked: a fork would start as a copy of the build process,
    library and all (at 10,000 cases over a gigabyte each), where a fresh one holds the
    typesetter and its fonts (about 260 MB).
    """

    def __init__(self, layout: str, jobs: int | None = None) -> None:
        self.layout = layout
        self.jobs = jobs or cores()
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Typesetter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def typeset(self, todo: list[str]) -> list[bytes]:
        if self.pool is None and (self.jobs == 1 or len(todo) < FEW):
            if "compiler" not in _worker:
                _start(self.layout)
            return [_typeset(html) for html in todo]
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=mp.get_context("spawn"),
                                            initializer=_start, initargs=(self.layout,))
        return list(self.pool.map(_typeset, todo, chunksize=4))


# One compiler per process: the fonts are read when it is made, and reused for every handout.
_worker: dict[str, Any] = {}


def _start(layout: str) -> None:
    import typst  # here, so that only the handout step loads the typesetter

    _worker["compiler"] = typst.Compiler(
        layout, root=str(Path(layout).parent), font_paths=list(FONT_PATHS),
        ignore_system_fonts=True, sys_inputs={INPUT: "{}"})


def _typeset(html: str) -> bytes:
    """One handout's HTML → PDF bytes (in a worker, after `_start`)."""
    data = json.dumps(handout_data(html), ensure_ascii=False, separators=(",", ":"))
    return _worker["compiler"].compile(sys_inputs={INPUT: data}, pdf_tags=False)


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    for old in sorted(folder.rglob("*.pdf")) if folder.is_dir() else []:
        if old not in keep:
            old.unlink()

"""Generated pages with their HTML set aside, so an engine's Markdown parser never reads it again.

Generated pages are Markdown only in their headings (which build the table of contents); the rest
is HTML the templates already rendered and escaped. Parsing that HTML again costs most of a
large site's build (Python-Markdown reads every tag of a raw block to find where it ends), and
gives the same HTML back. So each run of HTML between headings is replaced by a placeholder
comment, and the HTML goes back into each built page after the engine ran (casebook.handover.finish).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PLACEHOLDER = "<!-- casebook:html {} -->"
_PLACEHOLDER = re.compile(r"<!-- casebook:html (\d+) -->")
_HEADING = re.compile(r"#{1,6} ")
_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(/?)>")
_CLOSE = re.compile(r"</[a-zA-Z][a-zA-Z0-9-]*\s*>")
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"))


def _depth_change(line: str) -> int:
    opened = sum(1 for name, closing in _OPEN.findall(line)
                 if not closing and name.lower() not in _VOID)
    return opened - len(_CLOSE.findall(line))


def set_aside_html(markdown: str) -> tuple[str, list[str]]:
    """The page with each run of HTML between headings replaced by a placeholder, and the runs.

    A line is a heading only outside any open element, so text such as a `# comment` inside a
    <pre> block stays in its run. Text from records is escaped, so it never opens an element.
    """
    lines: list[str] = []
    blocks: list[str] = []
    run: list[str] = []
    depth = 0

    def close_run() -> None:
        text = "\n".join(run).strip("\n")
        run.clear()
        if text.strip():
            lines.extend(["", PLACEHOLDER.format(len(blocks)), ""])
            blocks.append(text)

    for line in markdown.split("\n"):
        if depth == 0 and _HEADING.match(line):
            close_run()
            lines.append(line)
        else:
            run.append(line)
            depth = max(0, depth + _depth_change(line))
    close_run()
    return "\n".join(lines).strip("\n") + "\n", blocks


def put_back_html(html: str, blocks: list[str]) -> str:
    """The converted page with each placeholder replaced by its run of HTML."""
    return _PLACEHOLDER.sub(lambda match: blocks[int(match.group(1))], html)


@dataclass(frozen=True)
class StagedFile:
    """A generated file written to disk for an engine to read: where it is served, where it is,
    and for a page whose HTML was set aside, the file holding that HTML."""

    path: str
    file: Path
    blocks: Path | None = None


DOCS = "docs"  # the staged docs tree the engine builds
BLOCKS = "blocks"  # the HTML set aside, one JSON list per page, put back after the engine ran
_UNESCAPE_MD = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def page_title(markdown: str) -> str | None:
    """The page's first-level heading as HTML-escaped text (casebook.site.text.markdown_inline
    undone), or None when the page does not start with one."""
    first = markdown.lstrip("\n").split("\n", 1)[0]
    if not first.startswith("# "):
        return None
    return _UNESCAPE_MD.sub(r"\1", first[2:].strip())


def with_title(markdown: str) -> str:
    """The page with its title pinned in front matter, escaped once.

    Themes print `page.meta.title` as it is into <title>, but derive a title from the heading
    with `striptags`, which also un-escapes entities: a record titled `</title><script>…` would
    break out of the element. The escaped copy in front matter keeps any title inert. JSON is
    YAML, so the value is quoted safely whatever it holds.
    """
    title = page_title(markdown)
    if title is None:
        return markdown
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n{markdown}"


def write_if_changed(target: Path, content: bytes) -> bool:
    """Write `content` to `target` unless it already holds it (so an engine that rebuilds only
    what changed, as in a preview, sees an unchanged file as unchanged). True when written."""
    try:
        if target.stat().st_size == len(content) and target.read_bytes() == content:
            return False
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return True


def stage(pages: Iterable[Any], folder: Path, *, set_aside: bool = True) -> list[StagedFile]:
    """Write pages (render.Page) under `folder`/docs, their HTML set aside under `folder`/blocks
    (unless `set_aside` is off, for an engine preview that writes pages we never see); return
    what was written.

    The contents leave memory as soon as they are written, so a large library never holds its
    whole site at once.
    """
    staged = []
    for page in pages:
        target = folder / DOCS / page.path
        content, blocks_file = page.content, None
        if page.prerendered and isinstance(content, str):
            if set_aside:
                content, blocks = set_aside_html(content)
                blocks_file = folder / BLOCKS / f"{page.path}.json"
                write_if_changed(blocks_file, json.dumps(blocks, ensure_ascii=False).encode("utf-8"))
            content = with_title(content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        write_if_changed(target, content)
        staged.append(StagedFile(page.path, target, blocks_file))
        del page, content  # not kept while the next page is made
    return staged


def put_back_staged_html(html: str, blocks_file: Path) -> str:
    """`put_back_html` with the runs of HTML `stage` wrote for the page."""
    return put_back_html(html, json.loads(blocks_file.read_text(encoding="utf-8")))

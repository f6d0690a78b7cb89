"""`casebook offline`: the offline copy derived from the built site, checked, zipped and published
back into the site (the steps are casebook.files.offline's; this module runs them in order).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebook.files.export import data_date
from casebook.files.offline import (
    DOWNLOADS_PAGE,
    TWIN_SUFFIX,
    OfflineError,
    copy_site,
    offline_status,
    page_remote_loads,
    publish_zip,
    remote_loads,
    write_script_twins,
    write_zip,
)
from casebook.files.offline_search import INDEX_PATH, page_entry, write_offline_index
from casebook.handover.links import broken_links
from casebook.library.link import Library
from casebook.records.history import build_epoch
from casebook.site.search_index import PageTokens
from casebook.timings import timed


@dataclass(frozen=True)
class OfflineSummary:
    """What `make_offline_copy` made, for the command's message."""

    files: int
    pages: int
    zip_bytes: int
    index_bytes: int
    handouts: int


def make_offline_copy(root: Path, library: Library, site_dir: Path, out: Path,
                      zip_path: Path) -> OfflineSummary:
    """Derive the offline copy at `out` from the site built at `site_dir` (pages and handouts),
    check it, zip it into `zip_path` and publish the zip into the site.

    Raises OfflineError with a message for people when the site is not built yet, or when the
    copy would load anything from another host or hold a link a folder cannot follow.
    """
    if not (site_dir / "index.html").is_file() or not (site_dir / DOWNLOADS_PAGE).is_file():
        raise OfflineError(f"{site_dir} 中没有构建好的网站：离线版由网站生成，请先运行 "
                           "casebook build 和 casebook pdf（或直接运行 make build）。")
    if not any((site_dir / "handouts").rglob("*.pdf")):
        raise OfflineError(f"{site_dir} 中还没有讲义：离线版要包含讲义，请先运行 casebook pdf"
                           "（或直接运行 make build）。")
    when = data_date(library).date().isoformat()
    macros = root / "macros"
    if out.exists():
        shutil.rmtree(out)
    tokens = PageTokens(library)

    def each_page(rel: str, html: str) -> tuple[Any, list[str]]:
        # read once, while the page is copied: its search entry and what it would load
        return page_entry(rel, html, tokens), page_remote_loads(rel, html)

    with timed("copy"):
        copied = copy_site(site_dir, out, offline_status(macros, "copy", data_date=when), each_page)
    with timed("search index"):
        write_offline_index(out, [entry for entry, _ in copied])
        write_script_twins(out)
    with timed("check"):
        loads = [line for _, lines in copied for line in lines]
        loads += remote_loads(out, pages=False)
        if loads:
            raise OfflineError("离线版会从其他网站加载以下内容，没有打包：\n" + "\n".join(loads[:40]))
        broken = broken_links(out, later=(), folders=False)
        if broken:
            raise OfflineError(f"离线版有 {len(broken)} 个链接从文件夹打开时无法使用：\n"
                               + "\n".join(broken[:40]))
    with timed("zip"):
        files = write_zip(out, zip_path, build_epoch(root, library))
        publish_zip(site_dir, zip_path, offline_status(
            macros, "site", data_date=when, zip_bytes=zip_path.stat().st_size))
    return OfflineSummary(files, len(copied), zip_path.stat().st_size,
                          (out / (INDEX_PATH + TWIN_SUFFIX)).stat().st_size,
                          sum(1 for _ in (out / "handouts").rglob("*.pdf")))

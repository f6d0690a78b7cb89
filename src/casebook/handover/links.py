"""Every internal link and anchor of a built site, checked the same way whatever engine built it.

Engines validate links differently (MkDocs's `validation:` settings, Zensical's own rules), so a
strict build also runs this check on the finished site: a link to a page or file that is not
there, or to an anchor the page does not have, fails it. Links under `later` (the handouts, which
`casebook pdf` typesets after the build) are not required yet.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

LINKING = "a[href], link[href], script[src], img[src]"


def _read(path: Path) -> tuple[set[str], list[str]]:
    """A page's ids and the links it holds, from one parse."""
    tree = HTMLParser(path.read_text(encoding="utf-8"))
    ids = {node.attributes["id"] for node in tree.css("[id]") if node.attributes.get("id")}
    refs = [node.attributes.get("href") or node.attributes.get("src") or ""
            for node in tree.css(LINKING)]
    return ids, refs


def _files(site: Path) -> tuple[set[str], set[str]]:
    """Every file and folder of the site, as paths from its root ("" is the root)."""
    files, folders = set(), {""}
    for folder, subfolders, names in os.walk(site):
        rel = Path(folder).relative_to(site).as_posix()
        rel = "" if rel == "." else rel
        folders.update(posixpath.join(rel, name) if rel else name for name in subfolders)
        files.update(posixpath.join(rel, name) if rel else name for name in names)
    return files, folders


def broken_links(site: Path, *, later: Iterable[str] = ("handouts/",),
                 root_path: str = "/", folders: bool = True) -> list[str]:
    """`page → link` for every internal link of the site at `site` that does not resolve.

    `root_path`: the path of the site's address (`/casebook/` for https://example.org/casebook/),
    which links from the site's root (the error page's) start with. Links are resolved as paths
    against a listing of the site made once, without asking the file system for each link.
    `folders=False` (a copy opened from a disk, where a folder shows a file list): a link must
    name a file, and no link may start at the disk's root.
    """
    site = site.resolve()
    later = tuple(later)
    files, listed = _files(site)
    pages = sorted(name for name in files if name.endswith(".html"))
    read = {page: _read(site / page) for page in pages}
    broken = []
    for where in pages:
        here = posixpath.dirname(where)
        for ref in read[where][1]:
            if not ref or urlsplit(ref).scheme or ref.startswith("//"):
                continue
            parts = urlsplit(ref)
            path = unquote(parts.path)
            if path.startswith("/") and not folders:
                broken.append(f"{where} → {ref}（从文件夹打开时指向磁盘的根目录）")
                continue
            if path.startswith("/"):  # 404.html links from the site root
                path = path[len(root_path):] if path.startswith(root_path) else path.lstrip("/")
                target = posixpath.normpath(path) if path else ""
            else:
                target = posixpath.normpath(posixpath.join(here, path)) if path else where
            target = "" if target == "." else target
            if target in listed and not folders:
                broken.append(f"{where} → {ref}（从文件夹打开时是文件列表，不是页面）")
                continue
            if target in listed:
                target = posixpath.join(target, "index.html") if target else "index.html"
            if target not in files:
                outside = target == ".." or target.startswith("../")
                if outside or not target.startswith(later):
                    broken.append(f"{where} → {ref}")
            elif parts.fragment and target.endswith(".html") and \
                    unquote(parts.fragment) not in read[target][0]:
                broken.append(f"{where} → {ref}（页面中没有这个锚点）")
    return broken

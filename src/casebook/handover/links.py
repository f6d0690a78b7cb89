"""Every internal link and anchor of a built site, checked the same way whatever engine built it.

Engines validate links differently (MkDocs's `validation:` settings, Zensical's own rules), so a
strict build also runs this check on the finished site: a link to a page or file that is not
there, or to an anchor the page does not have, fails it. Links under `later` (the handouts, which
`casebook pdf` typesets after the build) are not required yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

LINKING = "a[href], link[href], script[src], img[src]"


def _ids(tree: HTMLParser) -> set[str]:
    return {node.attributes["id"] for node in tree.css("[id]") if node.attributes.get("id")}


def _parse(path: Path) -> HTMLParser:
    return HTMLParser(path.read_text(encoding="utf-8"))


def broken_links(site: Path, *, later: Iterable[str] = ("handouts/",),
                 root_path: str = "/") -> list[str]:
    """`page → link` for every internal link of the site at `site` that does not resolve.

    `root_path`: the path of the site's address (`/casebook/` for https://example.org/casebook/),
    which links from the site's root (the error page's) start with.
    """
    site = site.resolve()
    later = tuple(later)
    pages = sorted(site.rglob("*.html"))
    # Two readings, so that no more than one parsed page is held at a time (a large site's
    # parsed pages would not fit in memory together).
    ids = {path: _ids(_parse(path)) for path in pages}
    broken = []
    for html in pages:
        for node in _parse(html).css(LINKING):
            ref = node.attributes.get("href") or node.attributes.get("src")
            if not ref or urlsplit(ref).scheme or ref.startswith("//"):
                continue
            parts = urlsplit(ref)
            if parts.path.startswith("/"):  # 404.html links from the site root
                path = unquote(parts.path)
                path = path[len(root_path):] if path.startswith(root_path) else path
                target = (site / path.lstrip("/")).resolve()
            else:
                target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
            if target.is_dir():
                target = target / "index.html"
            where = html.relative_to(site).as_posix()
            if not target.exists():
                served = target.relative_to(site).as_posix() if target.is_relative_to(site) else ""
                if not (served and served.startswith(later)):
                    broken.append(f"{where} → {ref}")
            elif parts.fragment and target.suffix == ".html" and \
                    unquote(parts.fragment) not in ids.get(target, set()):
                broken.append(f"{where} → {ref}（页面中没有这个锚点）")
    return broken

"""After the engine: what the core does to the built site, the same for every engine.

The HTML each generated page set aside goes back in (casebook.handover.prerendered), what the
engine writes that the site does not serve is removed, the sitemap is written (the same for every
engine), and Pagefind's search index is built from the finished pages
(casebook.site.search_index). The offline copy is derived from the finished site afterwards
(casebook.handover.offline).
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from casebook.handover.engines import Engine
from casebook.handover.prerendered import BLOCKS, put_back_staged_html
from casebook.handover.stage import MANIFEST
from casebook.library.link import Library
from casebook.parallel import BUILD_MEMORY_MB, release_memory
from casebook.site.search_index import (
    SEARCH_INDEX_RUNS,
    SHARD_CHARS,
    IndexSummary,
    PageTokens,
    index_site,
)
from casebook.timings import timed

# Beside the staged pages: the gzip and Brotli copies of the search files, by their content, so
# that a build after a small edit compresses only what changed (casebook.site.precompress).
COMPRESSED_CACHE = "compressed"


class FinishError(RuntimeError):
    """The built site is not what the stage handed over; the message is for people."""


@dataclass(frozen=True)
class Finished:
    pages: int
    search: IndexSummary | None


def built_file(path: str) -> str:
    """Where an engine writes the page staged at `path` (`cases/x.md` → `cases/x/index.html`)."""
    stem, _ = posixpath.splitext(path)
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        return posixpath.join(folder, "index.html") if folder else "index.html"
    return f"{stem}/index.html"


_CANONICAL = re.compile(r'<link rel="canonical" href="(?![a-z][a-z0-9+.-]*://)[^"]*"\s*/?>\n?')


def finish_pages(site_dir: Path, stage_dir: Path) -> int:
    """Put each generated page's HTML back into its built file, and drop any canonical link that
    is not a full address (one engine writes `/cases/x/` when the site has no address, which
    would point a file:// copy at the disk's root); return how many pages got their HTML back."""
    manifest = json.loads((stage_dir / MANIFEST).read_text(encoding="utf-8"))
    blocks = {built_file(path): path
              for path, has_blocks in manifest["pages"].items() if has_blocks}
    done = 0
    for built in sorted(site_dir.rglob("*.html")):
        rel = built.relative_to(site_dir).as_posix()
        html = original = built.read_text(encoding="utf-8")
        if rel in blocks:
            html = put_back_staged_html(html, stage_dir / BLOCKS / f"{blocks.pop(rel)}.json")
            done += 1
        html = _CANONICAL.sub("", html)
        if html != original:
            built.write_text(html, encoding="utf-8")
    if blocks:
        raise FinishError("网站引擎没有生成以下页面：\n" + "\n".join(sorted(blocks.values())[:20]))
    return done


def remove_leftovers(site_dir: Path, engine: Engine) -> None:
    for name in engine.leftovers:
        (site_dir / name).unlink(missing_ok=True)


def write_sitemap(site_dir: Path, site_url: str, epoch: int | None) -> int:
    """sitemap.xml (and its .gz) of every page, the same whatever engine built them.

    A sitemap holds full addresses only: without the site's address it lists no page (engines
    differ here; one lists paths that no crawler can use). Returns how many pages it lists.
    """
    urls = []
    if site_url:
        for html in sorted(site_dir.rglob("*.html")):
            rel = html.relative_to(site_dir).as_posix()
            if rel == "404.html" or rel.startswith(("pagefind/", "assets/")):
                continue
            path = rel.removesuffix("index.html")
            urls.append(site_url.rstrip("/") + "/" + quote(path))
    lastmod = (f"<lastmod>{time.strftime('%Y-%m-%d', time.gmtime(epoch))}</lastmod>"
               if epoch is not None else "")
    body = "".join(f"<url><loc>{escape(url)}</loc>{lastmod}</url>\n" for url in urls)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
           f"{body}</urlset>\n").encode()
    (site_dir / "sitemap.xml").write_bytes(xml)
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(xml, 9, mtime=0))
    return len(urls)


def finish_site(site_dir: Path, stage_dir: Path, library: Library, engine: Engine,
                macros: Path, *, site_url: str = "", epoch: int | None = None,
                workers: int | None = None,
                shard_chars: int = SHARD_CHARS, search_runs: int = SEARCH_INDEX_RUNS,
                memory_mb: int = BUILD_MEMORY_MB) -> Finished:
    """Everything after the engine's build (see the module docstring)."""
    with timed("finish"):
        remove_leftovers(site_dir, engine)
        pages = finish_pages(site_dir, stage_dir)
        write_sitemap(site_dir, site_url, epoch)
    with timed("search index"):
        tokens = PageTokens(library)
        release_memory()
        return Finished(pages, index_site(site_dir, tokens, macros, workers=workers,
                                          shard_chars=shard_chars,
                                          compressed_cache=stage_dir / COMPRESSED_CACHE,
                                          runs=search_runs, memory_mb=memory_mb))

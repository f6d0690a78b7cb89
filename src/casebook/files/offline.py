"""The offline copy: the whole site in a folder that works from a USB stick, and its zip.

Training rooms often have no network. `casebook offline` builds the site a second time with
`extra.casebook.offline` on (the offline stage's engine.yml sets it): every page is then a
file (`cases/x.html`, never a folder a browser would list), the search uses its own index
(offline_search), and beside every JSON file lies a script twin that javascripts/data.js loads
where fetch() is refused (file://). The handouts are typeset into it as for the site (from the
same cache), the copy is checked for anything a browser would load from another host, and it is
packed into a zip whose bytes depend only on the files and the build's date (the one rule of
casebook.records.history.build_epoch, as for the handouts and the site). The site then
serves that zip from its downloads page (`offline_download`).

The engine's build is handed in by the caller (casebook.handover.build): this module is pipeline
code and knows no engine.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from casebook.files.offline_search import write_offline_index
from casebook.library.link import Library
from casebook.records.history import build_epoch
from casebook.site.render import Page
from casebook.timings import timed

ZIP_NAME = "casebook-offline.zip"  # at the repository root, where `make offline` leaves it
ZIP_FOLDER = "casebook-offline"  # the folder the zip unpacks into
DOWNLOAD_PATH = f"downloads/{ZIP_NAME}"  # where the site serves it
TWIN_SUFFIX = ".js"
# Files that are compressed already: stored in the zip as they are.
PACKED = (".pdf", ".zip", ".gz", ".br", ".png", ".jpg", ".jpeg", ".webp", ".woff", ".woff2",
          ".xlsx", ".wasm", ".pf_fragment", ".pf_index", ".pf_meta", ".pagefind")
# Zip dates cannot be earlier than 1980; without a build date every file carries this one.
ZIP_EPOCH_MIN = 315532800


# What a copy opened from a folder never uses: a server's error page (its links start at the
# host's root) and sitemaps, Material's own search (lunr and its worker; the site has no search
# plugin, and the offline copy its own index) and source maps.
UNUSED = ("404.html", "sitemap.xml", "sitemap.xml.gz", "assets/javascripts/lunr",
          "assets/javascripts/workers")


def finish_offline_copy(site_dir: Path, library: Library) -> None:
    """After the offline build: drop what it never uses, write the search index, then a script
    twin of every JSON file."""
    for name in UNUSED:
        path = site_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    for source_map in site_dir.glob("assets/**/*.map"):
        source_map.unlink()
    write_offline_index(site_dir, library)
    write_script_twins(site_dir)


def write_script_twins(site_dir: Path) -> list[Path]:
    """Beside every `X.json` under `site_dir`, an `X.json.js` handing its data to the loader.

    Every JSON file gets one, so data files added later work offline without further wiring.
    The data goes in as written (JSON is JavaScript); U+2028/2029 are escaped for old engines.
    """
    written = []
    for path in sorted(site_dir.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        json.loads(text)  # a broken file must fail the build here, not in a reader's browser
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        rel = path.relative_to(site_dir).as_posix()
        twin = path.with_name(path.name + TWIN_SUFFIX)
        twin.write_text(f"casebookData.define({json.dumps(rel)}, {text});\n", encoding="utf-8")
        written.append(twin)
    return written


# What makes a browser load a URL by itself (not a link a person follows).
_LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background"}
_LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                 "prefetch", "manifest", "dns-prefetch", "preconnect"}
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*|@import\s+)["']?((?:[a-z][a-z0-9+.-]*:)?//[^"')\s]+)""",
                      re.IGNORECASE)
# In scripts any quoted absolute URL counts: minified code loads through functions of any name.
_JS_URL = re.compile(r"""["'`](https?://[^"'`\s]+)""")
# Absolute URLs in Material's bundle that no page of this site reaches, and why. A new one fails
# the build until someone looks at it. (Browsers without ResizeObserver, before 2018, would fetch
# a polyfill from unpkg; in the offline copy that request simply fails, as it does online.)
UNREACHED = {
    "https://unpkg.com/resize-observer-polyfill": "only in browsers without ResizeObserver",
    "https://unpkg.com/mermaid@": "only for Mermaid diagrams, which the site does not configure",
    "https://api.github.com/": "only with repo_url, which mkdocs.yml does not set",
    "https://${e}/api/v4/": "GitLab's, likewise only with repo_url",
    # The workbook writer (javascripts/vendor/): names of XML namespaces written into a workbook.
    "http://schemas.openxmlformats.org/": "an XML namespace name in a workbook, never requested",
    "http://schemas.microsoft.com/office/": "likewise",
    # Zensical's build of the theme script: lazy loaders for features the site does not use, and
    # the names of the SVG, MathML and XHTML namespaces (never requested).
    "https://unpkg.com/pyodide@": "only for runnable Python blocks (markdown-exec), not configured",
    "https://cdn.jsdelivr.net/pyodide/": "likewise, pyodide's packages",
    "https://unpkg.com/ace-builds@": "only for editable code blocks, not configured",
    "https://unpkg.com/glightbox@": "only with the image lightbox, not configured",
    "http://www.w3.org/": "an XML namespace name in the theme script, never requested",
    # The JSON Schema validator (javascripts/vendor/ajv7.min.js): the ids of the meta-schemas it
    # carries inside; it never loads a schema (no loadSchema), and the form hands it ours.
    "http://json-schema.org/": "the $id of a meta-schema held in the validator, never requested",
    "https://raw.githubusercontent.com/ajv-validator/ajv/master/lib/refs/data.json": "likewise",
}


_LOADING = ", ".join([*(f"[{name}]" for name in sorted(_LOADING_ATTRIBUTES)), "link[href]",
                     "[style]", "style"])


def _page_loads(html: str) -> list[str]:
    """URLs a page would request by itself: src-like attributes, style sheets, inline styles."""
    urls: list[str] = []
    for node in HTMLParser(html).css(_LOADING):
        named = {name: value or "" for name, value in node.attributes.items()}
        for name in _LOADING_ATTRIBUTES & named.keys():
            urls += [part.split()[0] for part in named[name].split(",") if part.split()]
        if node.tag == "link" and set(named.get("rel", "").lower().split()) & _LOADING_RELS:
            urls.append(named.get("href", ""))
        urls += _CSS_URL.findall(named.get("style", ""))
        if node.tag == "style":
            urls += _CSS_URL.findall(node.text(deep=True))
    return urls


def remote_loads(folder: Path) -> list[str]:
    """`file: URL` for every URL in the copy at `folder` that a browser would load from a host.

    Checked: src-like attributes and loading <link>s in HTML, url()/@import in CSS and inline
    styles, any quoted absolute URL in JavaScript but those in UNREACHED. Links a person may
    click (to a source's web page) are not loads.
    """
    found = []
    checked = (p for p in folder.rglob("*") if p.suffix in (".html", ".css", ".js")
               and not p.name.endswith(".json" + TWIN_SUFFIX))  # twins hold data, not code
    for path in sorted(checked):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            urls = [url for url in _page_loads(text) if _REMOTE.match(url)]
        else:
            urls = _CSS_URL.findall(text) if path.suffix == ".css" else [
                url for url in _JS_URL.findall(text) if not url.startswith(tuple(UNREACHED))]
        found += [f"{path.relative_to(folder).as_posix()}: {url}" for url in urls]
    return found


def write_zip(folder: Path, target: Path, epoch: int | None = None) -> int:
    """Pack `folder` into `target` under ZIP_FOLDER/; the same files give the same bytes.

    Entries are sorted, dated by the build (`epoch`; at least 1980, the first date a zip
    can hold) and marked as plain readable files, whatever the file system says. Each file is
    streamed in (never held whole); files already compressed (PACKED) are stored as they are,
    deflating them again would cost time for nothing.
    Returns the number of files.
    """
    stamp = time.gmtime(max(epoch or 0, ZIP_EPOCH_MIN))[:6]
    files = sorted((p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compresslevel=6) as archive:
        for rel, path in files:
            entry = zipfile.ZipInfo(f"{ZIP_FOLDER}/{rel}", date_time=stamp)
            entry.create_system = 3  # Unix, so that the permissions below are read
            entry.external_attr = 0o644 << 16
            packed = path.suffix.lower() in PACKED
            entry.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            entry.file_size = path.stat().st_size  # lets a large file stream (no ZIP64 guess)
            with path.open("rb") as source, archive.open(entry, "w") as target_file:
                shutil.copyfileobj(source, target_file, 1 << 20)
    partial.replace(target)
    return len(files)


def offline_download(root: Path, settings: dict[str, Any]) -> Page | None:
    """The zip `make offline` left at the repository root, to serve at DOWNLOAD_PATH.

    None in the offline copy itself (a copy never contains itself) and before the zip is built.
    """
    path = root / ZIP_NAME
    if settings.get("offline") or not path.is_file():
        return None
    return Page(DOWNLOAD_PATH, path.read_bytes())


@dataclass(frozen=True)
class OfflineSummary:
    """What `make_offline_copy` made, for the command's message."""

    files: int
    zip_bytes: int
    index_bytes: int
    handouts: int


def make_offline_copy(root: Path, library: Library, out: Path, zip_path: Path,
                      build: Callable[[Path], object], *,
                      cache: Path | None = None, jobs: int | None = None) -> OfflineSummary:
    """Build the offline copy into `out` with `build` (the pages, finished with its own search
    index), add the handouts, check it, zip it.

    Raises RuntimeError with a message for people when the build fails or the copy would load
    anything from another host.
    """
    from casebook.files.handouts import build_date, handouts, site_settings
    from casebook.files.offline_search import INDEX_PATH
    from casebook.files.pdf import write_pdfs

    created = build_date(root, library)  # pinned first: the engine's build below dates the same
    build(out)
    settings = site_settings(root / "mkdocs.yml")
    with timed("handouts"):
        written, _ = write_pdfs(handouts(library, root, settings, created), out,
                                root / "macros", jobs=jobs, cache_dir=cache)
    with timed("check"):
        loads = remote_loads(out)
    if loads:
        raise RuntimeError("离线副本会从其他网站加载以下内容，没有打包：\n" + "\n".join(loads))
    with timed("zip"):
        files = write_zip(out, zip_path, build_epoch(root, library))
    return OfflineSummary(files, zip_path.stat().st_size, (out / INDEX_PATH).stat().st_size,
                          len(written))

"""The offline copy: the whole site in a folder that works from a USB stick, and its zip.

Training rooms often have no network. `casebook offline` derives the copy from the site as built
(pages, data files and handouts: `casebook build`, then `casebook pdf`), without building anything
a second time. Only what a folder needs differently is changed:

- a link to a folder (`cases/x/`, `./#a`, `../`) gets its `index.html`, because a browser opening
  a folder from a disk shows a file list; every other link and file stays as the site has it, so
  the copy has exactly the site's pages at the same paths;
- the search uses the copy's own full-text index (offline_search) instead of Pagefind, which a
  page opened from a folder cannot load; the search dialog is pointed at it (`data-index`);
- every JSON file a page loads is replaced by a script twin that javascripts/data.js loads where
  fetch() is refused (file://) or finds no file; scripts turn folder URLs in data into files
  alike (casebookData.page);
- what a folder never uses is left out: the error page, sitemaps, Pagefind, the pre-compressed
  `.gz`/`.br` copies a server sends, canonical links, and the zip itself.

The copy is checked for anything a browser would load from another host and for any link that is
not a file of the copy, then packed into a zip whose bytes depend only on the files and the
build's date (casebook.records.history.build_epoch). The zip is then published into the site it
came from (DOWNLOAD_PATH), and the downloads page says how large it is (`publish_zip`).

These are the steps, on files; casebook.handover.offline runs them in order and checks the links.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from casebook.files.export import DOWNLOADS_DIR
from casebook.files.offline_search import INDEX_PATH
from casebook.parallel import map_in_workers
from casebook.site.render import template_environment

ZIP_NAME = "casebook-offline.zip"  # at the repository root, where `make offline` leaves it
ZIP_FOLDER = "casebook-offline"  # the folder the zip unpacks into
DOWNLOAD_PATH = f"{DOWNLOADS_DIR}/{ZIP_NAME}"  # where the site serves it
TWIN_SUFFIX = ".js"
# Files that are compressed already: stored in the zip as they are.
PACKED = (".pdf", ".zip", ".gz", ".br", ".png", ".jpg", ".jpeg", ".webp", ".woff", ".woff2",
          ".xlsx", ".wasm", ".pf_fragment", ".pf_index", ".pf_meta", ".pagefind")
# Zip dates cannot be earlier than 1980; without a build date every file carries this one.
ZIP_EPOCH_MIN = 315532800


def write_script_twins(site_dir: Path) -> list[Path]:
    """Every `X.json` under `site_dir` that a script loads becomes `X.json.js`, a twin handing
    its data to the loader; the JSON file itself is removed.

    A page opened from a folder can only run the twin, and one served by a plain server (the copy
    put on an office's own server) falls back to it when the JSON is not there
    (javascripts/data.js), so keeping both would carry every data file twice. Every JSON file
    gets one, so data files added later work offline without further wiring; the downloads
    (DOWNLOADS_DIR) are files a person saves, never loaded by a page, and stay as they are. The data
    goes in as written (JSON is JavaScript); U+2028/2029 are escaped for old engines.
    """
    written = []
    for path in sorted(site_dir.rglob("*.json")):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith(DOWNLOADS_DIR + "/"):
            continue
        text = path.read_text(encoding="utf-8")
        json.loads(text)  # a broken file must fail the build here, not in a reader's browser
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        twin = path.with_name(path.name + TWIN_SUFFIX)
        twin.write_text(f"casebookData.define({json.dumps(rel)}, {text});\n", encoding="utf-8")
        path.unlink()
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


def page_remote_loads(rel: str, html: str) -> list[str]:
    """`rel: URL` for every URL the page at `rel` would load from a host by itself."""
    return [f"{rel}: {url}" for url in _page_loads(html) if _REMOTE.match(url)]


def remote_loads(folder: Path, *, pages: bool = True) -> list[str]:
    """`file: URL` for every URL in the copy at `folder` that a browser would load from a host
    (`pages=False`: in its style sheets and scripts only, the pages checked by page_remote_loads).

    Checked: src-like attributes and loading <link>s in HTML, url()/@import in CSS and inline
    styles, any quoted absolute URL in JavaScript but those in UNREACHED. Links a person may
    click (to a source's web page) are not loads.
    """
    found = []
    suffixes = (".html", ".css", ".js") if pages else (".css", ".js")
    checked = (p for p in folder.rglob("*") if p.suffix in suffixes
               and not p.name.endswith(".json" + TWIN_SUFFIX))  # twins hold data, not code
    for path in sorted(checked):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            found += page_remote_loads(path.relative_to(folder).as_posix(), text)
            continue
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




# What a copy opened from a folder never uses: a server's error page (its links start at the
# host's root), sitemaps, Pagefind (a page from a folder cannot load it; the copy has its own
# index), Material's own search (lunr and its worker; the site has no search plugin) and the
# zip the site serves (a copy never contains itself). Source maps and the pre-compressed copies
# a server sends (`.gz`, `.br` beside the file they compress) are left out too.
LEFT_OUT = ("404.html", "sitemap.xml", "sitemap.xml.gz", "pagefind", "assets/javascripts/lunr",
            "assets/javascripts/workers", DOWNLOAD_PATH)
PRECOMPRESSED = (".gz", ".br")
STATUS_TEMPLATE = "offline-status.html.j2"
DOWNLOADS_PAGE = "downloads/index.html"
_STATUS = re.compile(r'(<div class="cb-offline" id="offline-status"[^>]*>).*?(</div>)', re.DOTALL)
_CANONICAL_LINK = re.compile(r'<link rel="canonical" href="[^"]*"\s*/?>\n?')
_SEARCH_DIALOG = '<dialog class="cb-search" id="cb-search"'
_SITE_SEARCH = f'{_SEARCH_DIALOG} data-index=""'  # the site's: Pagefind
# The attributes that hold a URL a link or a page load opens (the site writes them double-quoted).
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|action)=")([^"]*)(")')


class OfflineError(RuntimeError):
    """The copy cannot be made as asked; the message is for people."""


def _left_out(rel: str, files: set[str]) -> bool:
    if any(rel == name or rel.startswith(name + "/") for name in LEFT_OUT):
        return True
    if rel.endswith(".map"):
        return True
    stem, suffix = posixpath.splitext(rel)
    return suffix in PRECOMPRESSED and stem in files


def file_link(url: str) -> str:
    """`url` as a page opened from a folder must have it: a relative link to a folder gets its
    `index.html` (`../cases/` → `../cases/index.html`, `./#a` → `index.html#a`); anything else
    (another host, a file, an anchor on the same page) is returned unchanged."""
    if not url or url.startswith(("#", "/")) or urlsplit(url).scheme:
        return url
    path, mark, rest = url.partition("#")
    path, query_mark, query = path.partition("?")
    if path in ("", ".", "./"):
        path = "index.html"
    elif path.endswith("/"):
        path += "index.html"
    elif posixpath.basename(path) in (".", ".."):
        path += "/index.html"
    else:
        return url
    return path + (query_mark + query) + (mark + rest)


def _folder_page(html: str) -> str:
    html = _URL_ATTRIBUTE.sub(lambda m: m.group(1) + file_link(m.group(2)) + m.group(3), html)
    html = _CANONICAL_LINK.sub("", html)  # the copy is not at the site's address
    if _SEARCH_DIALOG in html:
        if _SITE_SEARCH not in html:
            raise OfflineError("搜索框的写法变了（macros/theme/partials/casebook-search.html），"
                               "离线版无法换用自己的搜索索引。")
        html = html.replace(_SITE_SEARCH, f'{_SEARCH_DIALOG} data-index="{INDEX_PATH}"')
    return html


def offline_status(macros: Path, state: str, *, data_date: str, zip_bytes: int = 0) -> str:
    """The downloads page's offline block (macros/offline-status.html.j2) in `state`."""
    return template_environment(macros).get_template(STATUS_TEMPLATE).render(
        state=state, data_date=data_date, zip_bytes=zip_bytes)


def _with_status(html: str, status: str, page: str) -> str:
    html, found = _STATUS.subn(lambda m: m.group(1) + status + m.group(2), html, count=1)
    if not found:
        raise OfflineError(f"{page} 中没有离线版一节（#offline-status），无法写入离线版的说明。")
    return html


def copy_site(site_dir: Path, out: Path, status: str,
              each_page: Callable[[str, str], Any] | None = None,
              workers: int | None = None) -> list[Any]:
    """Copy the built site at `site_dir` into `out` as a folder copy (see the module docstring);
    return `each_page`'s result for each page, in path order (one item per page).

    Pages are rewritten on every core (casebook.parallel), and `each_page(rel, html)` is called
    on each rewritten page there, so that what else needs every page's text (the offline index,
    the check for loads) does not read them again. Every other file is the site's own, linked
    where the disk allows (copy_file).
    """
    files = set()
    for folder, _, names in os.walk(site_dir):
        rel = Path(folder).relative_to(site_dir).as_posix()
        files.update(name if rel == "." else f"{rel}/{name}" for name in names)
    kept = sorted((rel for rel in files if not _left_out(rel, files)), key=lambda rel: rel.split("/"))
    pages = [rel for rel in kept if rel.endswith(".html")]
    for rel in kept:
        if not rel.endswith(".html"):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            copy_file(site_dir / rel, out / rel)

    def page(rel: str) -> Any:
        html = _folder_page((site_dir / rel).read_text(encoding="utf-8"))
        if rel == DOWNLOADS_PAGE:
            html = _with_status(html, status, rel)
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        return each_page(rel, html) if each_page else None

    return map_in_workers(page, pages, workers, chunksize=32)


def copy_file(source: Path, target: Path) -> None:
    """`target` with the bytes of `source`: a hard link where the disk allows it (a build's
    outputs are written once, by replacing, never changed in place), else a copy."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def publish_zip(site_dir: Path, zip_path: Path, status: str) -> None:
    """Serve the zip from the site's downloads page, which then says how large it is."""
    target = site_dir / DOWNLOAD_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.resolve() != zip_path.resolve():
        copy_file(zip_path, target)
    page = site_dir / DOWNLOADS_PAGE
    page.write_text(_with_status(page.read_text(encoding="utf-8"), status, DOWNLOADS_PAGE),
                    encoding="utf-8")

"""A built site served on 127.0.0.1 by a thread, and Debian's Chromium, for the browser tests."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1, as a reader's browser gets it; yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def record_requests(page: Any, base: str) -> tuple[list[str], list[str]]:
    """Lists that fill with the URLs the page requests: (from the site, from any other host)."""
    own, foreign = [], []
    host = urlsplit(base).netloc

    def seen(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        (own if parts.netloc == host else foreign).append(request.url)

    page.on("request", seen)
    return own, foreign


def site_path(href: str, base: str) -> str:
    """`/cases/x/#a` or `http://127.0.0.1:1/cases/x/` → `cases/x/#a` (relative to the site root)."""
    parts = urlsplit(href)
    path = parts.path.removeprefix(urlsplit(base).path)
    return path + (f"#{parts.fragment}" if parts.fragment else "")


def search_results(page: Any, query: str) -> list[tuple[str, str]]:
    """Type `query` into the open search box as a reader does (fill, then a key, since the search
    listens for keys); the results shown, in order: (link, kind label)."""
    page.fill(".cb-search__input", query)
    page.keyboard.press("End")
    page.wait_for_function(
        """query => { const list = document.querySelector('.cb-search__results');
                      return list.dataset.query === query && list.getAttribute('aria-busy') === 'false'; }""",
        arg=query)
    return [tuple(pair) for pair in page.eval_on_selector_all(
        ".cb-search__result",
        "items => items.map(i => [i.querySelector('a').href, i.querySelector('.cb-search__kind').textContent])")]

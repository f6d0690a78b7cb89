"""One search as a phone on a weak network does it, measured through the DevTools protocol.

The site is served on 127.0.0.1 by a server that compresses as a configured web server does:
text files go out gzip-compressed (the build's pre-compressed `.gz` copy when there is one,
else compressed at level 6), Pagefind's chunks and WebAssembly as they are (gzip data already),
and every file with `Cache-Control: max-age=600` (as GitHub Pages sends), so a second visit
reads from the browser's cache. Python's own server compresses nothing; without this the
throttled link would carry three to four times the bytes a reader's server sends.

Chromium gets the network slowed through `Network.emulateNetworkConditions` (latency and
throughput, for every request) and the CPU through `Emulation.setCPUThrottlingRate`. Requests are
read from the protocol's Network events: their wall-clock start and end, the bytes received
(`encodedDataLength`: compressed body and headers) and whether the cache answered.
"""

from __future__ import annotations

import functools
import gzip
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

COMPRESSED = (".pf_fragment", ".pf_index", ".pf_meta", ".pagefind")
TEXT_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml")
# What the site's search loads (the script itself comes with the page).
SEARCH_PATHS = ("/pagefind/", "/search/")


class _Server(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "application/javascript",
                      ".json": "application/json", ".wasm": "application/wasm"}

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self) -> Any:  # noqa: ANN401 - the base class's return type
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not wants_gzip or not kind.startswith(TEXT_TYPES) \
                or path.suffix in COMPRESSED:
            return super().send_head()
        copy = path.with_name(path.name + ".gz")
        body = copy.read_bytes() if copy.is_file() else gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return _Body(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


class _Body:
    """What send_head hands to copyfile: the compressed bytes, read once."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: Any) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Server, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Requests:
    """The requests of one page, from the protocol's Network events."""

    def __init__(self, session: Any) -> None:
        self.seen: dict[str, dict[str, Any]] = {}
        self._offset = 0.0  # wall-clock seconds minus the protocol's monotonic seconds
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.requestServedFromCache", self._cached)
        session.on("Network.responseReceived", self._received)
        session.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict[str, Any]) -> None:
        self._offset = event["wallTime"] - event["timestamp"]
        self.seen[event["requestId"]] = {"url": event["request"]["url"], "start": event["wallTime"] * 1000,
                                         "end": None, "bytes": 0, "cached": False}

    def _cached(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.seen:
            self.seen[event["requestId"]]["cached"] = True

    def _received(self, event: dict[str, Any]) -> None:
        found = self.seen.get(event["requestId"])
        if found and (event["response"].get("fromDiskCache") or event["response"].get("fromMemoryCache")):
            found["cached"] = True

    def _finished(self, event: dict[str, Any]) -> None:
        found = self.seen.get(event["requestId"])
        if found:
            found["end"] = (event["timestamp"] + self._offset) * 1000
            found["bytes"] = event["encodedDataLength"]

    def between(self, start: float, end: float) -> list[dict[str, Any]]:
        """The requests from the network (not the cache) begun after `start` and done by `end`
        (wall-clock milliseconds)."""
        return [r for r in self.seen.values() if not r["cached"] and r["end"] is not None
                and r["start"] >= start and r["end"] <= end]


def round_trips(requests: list[dict[str, Any]]) -> int:
    """The longest chain of requests each begun only after the one before it had ended: the
    round trips a reader waits for one after another (requests in parallel count once)."""
    depth: dict[int, int] = {}
    ordered = sorted(requests, key=lambda r: r["start"])
    for i, request in enumerate(ordered):
        before = [depth[j] for j, other in enumerate(ordered[:i]) if other["end"] <= request["start"]]
        depth[i] = 1 + max(before, default=0)
    return max(depth.values(), default=0)


_PROBE = """() => {
  window.__bench = {};
  new MutationObserver(() => {
    const first = document.querySelector('.cb-search__result:not([hidden])');
    if (first && !window.__bench.result) window.__bench.result = performance.timeOrigin + performance.now();
    const list = document.querySelector('.cb-search__results');
    if (list && list.dataset.query && list.getAttribute('aria-busy') === 'false' && !window.__bench.done) {
      window.__bench.done = performance.timeOrigin + performance.now();
    }
  }).observe(document.body, {childList: true, subtree: true, attributes: true});
}"""


def search_once(page: Any, requests: Requests, base: str, query: str) -> dict[str, Any]:
    """Open the page (it loads completely), tap the search button, type `query`; the figures from
    the tap to the first result shown."""
    page.goto(base + "cases/", wait_until="load")
    loaded = page.evaluate("() => performance.timeOrigin"
                           " + performance.getEntriesByType('navigation')[0].loadEventStart")
    page.evaluate(_PROBE)
    tapped = page.evaluate("() => performance.timeOrigin + performance.now()")
    page.click("button.cb-search__open")
    page.fill("input.cb-search__input", query)
    page.press("input.cb-search__input", "End")  # as a person types: the search listens for keys
    page.wait_for_function("() => window.__bench.result")
    first = page.evaluate("() => window.__bench.result")
    try:
        page.wait_for_function("() => window.__bench.done", timeout=60_000)
        done = page.evaluate("() => window.__bench.done")
    except Exception:  # the full list may take long on a slow link; the first result is the figure
        done = None
    before = requests.between(loaded, first)
    search = [r for r in before if any(p in r["url"] for p in SEARCH_PATHS)]
    return {
        "ms_to_first_result": round(first - tapped),
        "ms_to_first_batch": round(done - tapped) if done else None,
        "results": page.locator(".cb-search__result:not([hidden])").count(),
        "requests": len(before), "bytes": sum(r["bytes"] for r in before),
        "search_requests": len(search), "round_trips": round_trips(search),
    }


def measure_query(browser: Any, base: str, query: str, *, phone: dict[str, Any],
                  network: dict[str, float], cpu: float, timeout: float) -> dict[str, Any]:
    """`query` with an empty cache (a fresh browser profile), then again on a second visit."""
    context = browser.new_context(**phone)
    page = context.new_page()
    page.set_default_timeout(timeout * 1000)
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": network["latency_ms"],
        "downloadThroughput": network["kbps"] * 1000 / 8, "uploadThroughput": network["kbps"] * 1000 / 8})
    session.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    requests = Requests(session)
    try:
        empty = search_once(page, requests, base, query)
        warm = search_once(page, requests, base, query)
    except Exception as error:  # no first result within the timeout is a figure too
        empty, warm = {"error": str(error).splitlines()[0]}, {}
    context.close()
    return {"query": query, "empty": empty, "warm": warm}

"""The site's search measured: index size, transfer before the first result, time to first result.

Search must stay quick on a slow phone as the library grows, and a choice between search engines
needs figures from the same pages and queries; these are those figures, taken as a reader gets them.
It builds the seed site and a synthetic library (`casebook.bench.synthetic`) in temporary
folders, serves each on 127.0.0.1, and drives Debian's Chromium through Playwright as a phone
would: a phone-sized viewport, the CPU slowed 4x through the DevTools protocol
(`Emulation.setCPUThrottlingRate`), a fresh browser context (empty cache) for every query. For each query it records the bytes received
from opening the page until the first result is shown, and the time from typing the query (the
search box already open) to the first result, measured inside the page with performance.now().

The local server does not compress; gzip figures are what a server compressing text would send
(every text response gzip-compressed at level 6; Pagefind's chunks are already compressed and
are counted as they are). `scripts/bench_search.py` runs `main` with the checkout's root:

    python scripts/bench_search.py                       # seed + 1,000 synthetic cases
    python scripts/bench_search.py --cases 0             # seed site only
    python scripts/bench_search.py --root /path/to/other/checkout --out /tmp/before.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from casebook.bench.synthetic import copy_repository, synthesize

QUERIES = ["软弱涣散", "党支部领办合作社", "一肩挑", "四个留下", "遵義"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.625,
         "is_mobile": True, "has_touch": True}
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/wasm")

# How each search engine appears on a page: what opens the search box, the box, a result, and
# which requests belong to search.
ENGINES: dict[str, dict[str, Any]] = {
    "material": {
        "open": 'label.md-header__button[for="__search"]', "input": "input.md-search__input",
        "result": ".md-search-result__item", "search_urls": ("/search/", "/workers/search"),
    },
    "pagefind": {
        "open": "button.cb-search__open", "input": "input.cb-search__input",
        "result": ".cb-search__result",
        "search_urls": ("/pagefind/", "/search/", "/javascripts/search.js"),
    },
}


def detect_engine(site: Path) -> str:
    if (site / "pagefind" / "pagefind.js").exists():
        return "pagefind"
    if (site / "search" / "search_index.json").exists():
        return "material"
    raise SystemExit(f"{site}: no search index found")


def build(root: Path, site: Path) -> float:
    """Strict `mkdocs build` of the repository copy at `root`; returns seconds taken."""
    started = time.monotonic()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(site)], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {root} failed:\n{done.stderr[-4000:]}")
    return time.monotonic() - started


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def index_size(site: Path, engine: str) -> dict[str, Any]:
    """Bytes of the whole search index on disk, raw and as gzip would send it."""
    if engine == "material":
        files = [site / "search" / "search_index.json"]
    else:
        files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    # Pagefind's chunks, metadata and wasm are gzip files already: a server sends them as they are.
    compressed = sum(p.stat().st_size if p.suffix.startswith((".pf_", ".pagefind"))
                     else _gz(p.read_bytes()) for p in files)
    return {"files": len(files), "raw": raw, "gzip": compressed,
            "largest": max(p.stat().st_size for p in files)}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


_PROBE = """selector => {
  window.__bench = {};
  new MutationObserver(() => {
    if (!window.__bench.result && document.querySelector(selector)) window.__bench.result = performance.now();
  }).observe(document.body, {childList: true, subtree: true});
}"""


def measure_query(browser: Any, base: str, engine: str, query: str, throttle: float,
                  timeout: float) -> dict[str, Any]:
    """One query on a freshly opened page with an empty cache."""
    parts = ENGINES[engine]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    received: list[tuple[str, int, int]] = []
    result_seen = threading.Event()

    def on_response(response: Any) -> None:
        if result_seen.is_set():
            return
        try:
            body = response.body()
        except Exception:  # redirects and aborted requests have no body
            return
        kind = response.headers.get("content-type", "")
        compressed = _gz(body) if kind.startswith(TEXT_TYPES) else len(body)
        received.append((response.url, len(body), compressed))

    page.on("response", on_response)
    page.set_default_timeout(timeout * 1000)
    page.goto(base + "cases/", wait_until="load")
    page.evaluate(_PROBE, parts["result"])
    found, timing, results = True, {}, 0
    try:
        if page.locator(parts["open"]).is_visible():
            page.click(parts["open"])
        page.evaluate("() => { window.__bench.start = performance.now(); }")
        page.fill(parts["input"], query)  # the site's own search starts on input (after 150 ms)
        page.press(parts["input"], "End")  # Material's searches on keyup
        page.wait_for_selector(parts["result"])
        timing = page.evaluate("() => window.__bench")
        results = page.locator(parts["result"]).count()
    except Exception:  # a page too busy to answer within the timeout has no first result
        found = False
    result_seen.set()
    context.close()
    search = [r for r in received if any(p in r[0] for p in parts["search_urls"])]
    return {
        "query": query, "found": found, "results": results,
        "ms_to_first_result": round(timing["result"] - timing["start"]) if found else None,
        "search_requests": len(search), "search_bytes": sum(r[1] for r in search),
        "search_bytes_gzip": sum(r[2] for r in search),
        "page_bytes": sum(r[1] for r in received), "page_bytes_gzip": sum(r[2] for r in received),
    }


def measure_site(label: str, site: Path, queries: list[str], throttle: float, timeout: float,
                 cases: int, build_seconds: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    engine = detect_engine(site)
    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [measure_query(browser, base, engine, q, throttle, timeout) for q in queries]
            browser.close()
    finally:
        server.shutdown()
    return {"site": label, "engine": engine, "cases": cases, "build_seconds": round(build_seconds, 1),
            "index": index_size(site, engine), "queries": runs}


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# 搜索基准测试",
        "",
        f"测量时间 {report['measured']}；机器：{report['machine']}；Chromium CPU 降速 {report['cpu_throttling']}x，"
        "手机尺寸视口，每个查询用空缓存的新页面。本地服务器不压缩，“gzip”列是按服务器压缩文本计算的字节数。",
        "",
        "| 站点 | 搜索引擎 | 案例数 | 索引文件数 | 索引总量（原始 / gzip） | 最大文件 | 查询 | 结果数 | 首个结果前搜索传输（原始 / gzip） | 首个结果前页面总传输（gzip） | 首个结果用时 |",
        "| --- | --- | ---: | ---: | --- | ---: | --- | ---: | --- | ---: | ---: |",
    ]
    for site in report["sites"]:
        index = site["index"]
        for run in site["queries"]:
            took = f"{run['ms_to_first_result']} ms" if run["found"] else "未出结果"
            lines.append(
                f"| {site['site']} | {site['engine']} | {site['cases']} | {index['files']} | "
                f"{_kb(index['raw'])} / {_kb(index['gzip'])} | {_kb(index['largest'])} | {run['query']} | "
                f"{run['results']} | {_kb(run['search_bytes'])} / {_kb(run['search_bytes_gzip'])} | "
                f"{_kb(run['page_bytes_gzip'])} | {took} |")
    return "\n".join(lines) + "\n"


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def machine() -> str:
    """The operating system, CPU and Python the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = f"{names[0]} ×{len(names)}" if names else cpu
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, Python {platform.python_version()}"


def main(argv: list[str] | None = None, *, root: Path) -> int:
    """The command line of `scripts/bench_search.py`; `root` is the checkout it writes results into
    (and measures unless --root names another)."""
    parser = argparse.ArgumentParser(description="搜索基准测试：索引大小、首个结果前的传输量和用时。")
    parser.add_argument("--root", type=Path, default=root, help="要测量的仓库（默认本仓库）。")
    parser.add_argument("--cases", type=int, default=1000, help="合成案例数；0 表示只测种子站点。")
    parser.add_argument("--seed", type=int, default=1, help="合成案例的随机种子。")
    parser.add_argument("--query", action="append", help="查询词（可多次给出）；默认一组领域词。")
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU 降速倍数（默认 4）。")
    parser.add_argument("--timeout", type=float, default=120.0, help="等待首个结果的秒数上限。")
    parser.add_argument("--out", type=Path, default=root / "scripts" / "benchmarks" / "search.json",
                        help="结果 JSON；同名 .md 写 Markdown 表格。")
    parser.add_argument("--keep", type=Path, help="把构建的站点留在这个文件夹（默认用临时文件夹，测完删除）。")
    args = parser.parse_args(argv)
    queries = args.query or QUERIES
    sites = []
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as temp:
        work = args.keep or Path(temp)
        seed_repo = work / "seed"
        copy_repository(args.root, seed_repo)
        seconds = build(seed_repo, work / "seed-site")
        count = len(list((seed_repo / "cases").glob("*.yaml")))
        sites.append(measure_site("种子", work / "seed-site", queries, args.throttle, args.timeout,
                                  count, seconds))
        if args.cases:
            big = work / "synthetic"
            synthesize(big, args.cases, args.seed, source=args.root)
            seconds = build(big, work / "synthetic-site")
            count = len(list((big / "cases").glob("*.yaml")))
            sites.append(measure_site(f"合成 {count} 例", work / "synthetic-site", queries,
                                      args.throttle, args.timeout, count, seconds))
    report = {"measured": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
              "machine": machine(), "cpu_throttling": args.throttle, "sites": sites}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    table = markdown(report)
    (root / "content" / "benchmarks" / f"{args.out.stem}.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


"""The site's search measured as a reader on a weak network gets it: time to the first result,
what was transferred before it, and how many round trips it waited for one after another.

It builds the seed site and a synthetic library (`casebook.bench.synthetic`) in temporary
folders with `casebook build` (validate, stage, the engine named by CASEBOOK_ENGINE or the
default, then the finish step that writes the search index), serves each on 127.0.0.1 (compressing as a web server does, see `throttled`), and drives
Debian's Chromium through Playwright as a phone would: a phone-sized viewport, the network slowed
to `NETWORK` (400 kbps each way, 400 ms latency) and the CPU 4x through the DevTools protocol.
Each query runs in a fresh browser profile (empty cache): the page is opened and loads, the
search button is tapped, the query typed; then the page is opened once more and the same query
searched again (the browser's cache warm). The clock runs from the tap to the first result shown;
requests and bytes count everything the network carried from the page's load to that result.
`TARGETS` are judged from those figures on content/benchmarks/search.md.
`scripts/bench_search.py` runs `main` with the checkout's root:

    python scripts/bench_search.py                       # seed + 1,000 synthetic cases
    python scripts/bench_search.py --cases 0             # seed site only
    python scripts/bench_search.py --root /path/to/other/checkout --out /tmp/before.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from casebook.bench.synthetic import copy_repository, synthesize

# The field's terms, everyday words, a long phrase and a traditional spelling, all answered by the
# quick index; and words that are no term and in no title, which need Pagefind's full text.
QUERIES = ["软弱涣散", "党支部领办合作社", "一肩挑", "四个留下", "遵義", "村干部工资", "驻村书记",
           "村党组织书记和村委会主任一肩挑"]
FULL_TEXT_QUERIES = ["交通"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 360, "height": 780}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}
NETWORK = {"kbps": 400, "latency_ms": 400}
CPU_SLOWDOWN = 4.0
# (what, site, figure of a query run with an empty cache, limit, unit): each judged on the worst of
# the site's queries, and again on the worst of its full-text queries, apart.
TARGETS = [
    ("首个结果用时（空缓存）", "seed", "ms_to_first_result", 2500, "ms"),
    ("首个结果用时（空缓存）", "synthetic", "ms_to_first_result", 3500, "ms"),
    ("首个结果前传输量（gzip）", "seed", "bytes", 120 * 1024, "B"),
    ("首个结果前传输量（gzip）", "synthetic", "bytes", 120 * 1024, "B"),
    ("首个结果前先后等待的往返次数", "seed", "round_trips", 4, ""),
    ("首个结果前先后等待的往返次数", "synthetic", "round_trips", 4, ""),
]
GROUPS = {False: "领域词、日常说法、长句、繁体", True: "不是领域词的词（全文检索）"}


def build(root: Path, site: Path) -> float:
    """`casebook build` (strict, the default engine, as `make build` runs it without the offline
    copy and handouts) of the repository copy at `root` into `site`; returns seconds taken."""
    started = time.monotonic()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([sys.executable, "-m", "casebook.cli", "build", "--root", str(root),
                           "--site-dir", str(site), "--stage", str(site.with_name(site.name + "-stage"))],
                          cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {root} failed:\n{done.stderr[-4000:]}")
    return time.monotonic() - started


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def index_size(site: Path) -> dict[str, Any]:
    """Bytes of the whole search index on disk (Pagefind's bundle and the quick index), raw and
    as gzip would send it; pre-compressed copies are not counted."""
    files = [p for folder in ("pagefind", "search") for p in (site / folder).rglob("*")
             if p.is_file() and p.suffix not in (".gz", ".br")]
    raw = sum(p.stat().st_size for p in files)
    # Pagefind's chunks, metadata and wasm are gzip files already: a server sends them as they are.
    compressed = sum(p.stat().st_size if p.suffix.startswith((".pf_", ".pagefind"))
                     else _gz(p.read_bytes()) for p in files)
    return {"files": len(files), "raw": raw, "gzip": compressed,
            "largest": max(p.stat().st_size for p in files)}


def measure_site(label: str, key: str, site: Path, queries: list[str], timeout: float,
                 cases: int, build_seconds: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from casebook.bench.throttled import measure_query, serve

    server, base = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [{**measure_query(browser, base, q, phone=PHONE, network=NETWORK, cpu=CPU_SLOWDOWN,
                                     timeout=timeout), "full_text": q in FULL_TEXT_QUERIES}
                    for q in queries]
            browser.close()
    finally:
        server.shutdown()
    return {"site": label, "key": key, "cases": cases, "build_seconds": round(build_seconds, 1),
            "index": index_size(site), "queries": runs}


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target, for each group of queries (GROUPS), with its worst measured figure (empty
    cache), the query it was measured on, and whether it was met; a query without a first result
    misses every target of its site and group."""
    found = []
    for full_text, group in GROUPS.items():
        for what, key, figure, limit, unit in TARGETS:
            site = next((s for s in report["sites"] if s["key"] == key), None)
            runs = [q for q in site["queries"] if q.get("full_text", False) == full_text] if site else []
            if site and not runs:
                continue
            failed = any("error" in run["empty"] for run in runs)
            measured = [(run["empty"][figure], run["query"]) for run in runs if figure in run["empty"]]
            value, query = max(measured, default=(None, ""))
            met = None if value is None else (not failed and value <= limit)
            found.append({"what": what, "group": group, "site": site["site"] if site else key,
                          "limit": limit, "unit": unit, "value": value, "query": query, "met": met})
    return found


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "未测"
    if unit == "B":
        return _kb(int(value))
    if unit == "ms":
        return f"{value / 1000:.2f} 秒"
    return f"{value:,}"


def markdown(report: dict[str, Any]) -> str:
    net = report["network"]
    lines = [
        "# 搜索基准测试",
        "",
        f"测量时间 {report['measured']}；机器：{report['machine']}。由 `make bench-search` 测量并写出，不是手填的。",
        "",
        f"条件：Chromium 手机视口（360 px），网络限速 {net['kbps']} kbps（上下行）、延迟 {net['latency_ms']} ms，"
        f"CPU 降速 {report['cpu_throttling']:g} 倍（均通过 DevTools 协议设置）。每个查询先用空缓存的新浏览器打开页面，"
        "页面加载完后点搜索按钮、输入查询；再打开一次页面搜同一查询（缓存已有）。用时从点按钮算到第一个结果出现；"
        "请求数和传输量从页面加载完算到第一个结果出现，字节是网络实际传送的（压缩后，含响应头）。"
        "本地测试服务器像一般网站服务器一样发送 gzip 压缩的文本（有预压缩的 .gz 就用它），"
        "并带 `Cache-Control: max-age=600`。",
        "",
        "## 目标",
        "",
        "| 查询 | 目标 | 站点 | 要求 | 实测（最差的查询） | 结论 |",
        "| --- | --- | --- | --- | ---: | --- |",
    ]
    for v in verdicts(report):
        verdict = "—" if v["met"] is None else ("达到" if v["met"] else "未达到")
        limit = _amount(v["limit"], v["unit"]).replace(".00 秒", " 秒")
        worst = f"{_amount(v['value'], v['unit'])}（{v['query']}）" if v["query"] else _amount(v["value"], v["unit"])
        lines.append(f"| {v['group']} | {v['what']} | {v['site']} | 不超过 {limit} | {worst} | {verdict} |")
    lines += [
        "",
        "## 每个查询",
        "",
        "| 站点 | 查询 | 结果数 | 首个结果（空缓存） | 前六个结果含摘要（空缓存） | 首个结果前请求数 | 首个结果前传输量 | 先后往返次数 | 首个结果（有缓存） | 有缓存时传输量 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for site in report["sites"]:
        for run in site["queries"]:
            empty, warm = run["empty"], run["warm"]
            if "error" in empty:
                lines.append(f"| {site['site']} | {run['query']} | 未出结果 | — | — | — | — | — | — | — |")
                continue
            lines.append(
                f"| {site['site']} | {run['query']} | {empty['results']} | {_amount(empty['ms_to_first_result'], 'ms')} | "
                f"{_amount(empty['ms_to_first_batch'], 'ms')} | {empty['requests']} | {_kb(empty['bytes'])} | "
                f"{empty['round_trips']} | {_amount(warm.get('ms_to_first_result'), 'ms')} | "
                f"{_kb(warm['bytes']) if warm else '—'} |")
    lines += [
        "",
        "## 索引大小",
        "",
        "| 站点 | 案例数 | 构建用时 | 索引文件数 | 索引总量（原始 / gzip） | 最大文件 |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for site in report["sites"]:
        index = site["index"]
        lines.append(f"| {site['site']} | {site['cases']:,} | {site['build_seconds']} 秒 | {index['files']:,} | "
                     f"{_kb(index['raw'])} / {_kb(index['gzip'])} | {_kb(index['largest'])} |")
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
    parser = argparse.ArgumentParser(description="搜索基准测试（限速网络和降速 CPU）：首个结果的用时、之前的传输量和往返次数。")
    parser.add_argument("--root", type=Path, default=root, help="要测量的仓库（默认本仓库）。")
    parser.add_argument("--cases", type=int, default=1000, help="合成案例数；0 表示只测种子站点。")
    parser.add_argument("--seed", type=int, default=1, help="合成案例的随机种子。")
    parser.add_argument("--query", action="append", help="查询词（可多次给出）；默认一组领域词。")
    parser.add_argument("--timeout", type=float, default=90.0, help="等待页面和首个结果的秒数上限。")
    parser.add_argument("--out", type=Path, default=root / "scripts" / "benchmarks" / "search.json",
                        help="结果 JSON；同名 .md 写 Markdown 表格。")
    parser.add_argument("--keep", type=Path, help="把构建的站点留在这个文件夹（默认用临时文件夹，测完删除）。")
    args = parser.parse_args(argv)
    queries = args.query or QUERIES + FULL_TEXT_QUERIES
    sites = []
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as temp:
        work = args.keep or Path(temp)
        seed_repo = work / "seed"
        copy_repository(args.root, seed_repo)
        seconds = build(seed_repo, work / "seed-site")
        count = len(list((seed_repo / "cases").glob("*.yaml")))
        sites.append(measure_site("种子", "seed", work / "seed-site", queries, args.timeout,
                                  count, seconds))
        if args.cases:
            big = work / "synthetic"
            synthesize(big, args.cases, args.seed, source=args.root)
            seconds = build(big, work / "synthetic-site")
            count = len(list((big / "cases").glob("*.yaml")))
            sites.append(measure_site(f"合成 {count} 例", "synthetic", work / "synthetic-site",
                                      queries, args.timeout, count, seconds))
    report = {"measured": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
              "machine": machine(), "cpu_throttling": CPU_SLOWDOWN, "network": NETWORK,
              "sites": sites}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    table = markdown(report)
    (root / "content" / "benchmarks" / f"{args.out.stem}.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


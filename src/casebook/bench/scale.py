"""The library at scale: validation, build, memory, size and search cost for synthetic libraries.

The project sets targets for a library of thousands of cases (validation, build time and memory,
preview refresh), and the benchmarks page must show each met or missed from figures measured on
this machine, not written by hand. For each size it writes a synthetic library
(`casebook.bench.synthetic`) into a temporary folder and measures, each in a fresh process:
`casebook validate`, a strict `casebook build` (the default engine), and the anchor, plain MkDocs building the same pages
(our generated Markdown written out as ordinary files, same theme, search and Markdown settings,
no hooks), so the ratio shows what our pipeline adds. Peak memory is the child's maximum resident
set (os.wait4). Search transfer and time come from `casebook.bench.search` in Chromium on a
throttled phone (400 kbps, 400 ms, CPU 4x; empty cache). With --serve it also times how long an edit to one case takes to reach the page
under `casebook serve`. `scripts/bench.py` runs `main` with the checkout's root:

    python scripts/bench.py --sizes 1000 10000 --serve
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import yaml

from casebook.bench.search import machine, measure_site
from casebook.bench.synthetic import synthesize

# Where `main` writes the report page and its figures, in the checkout it is given.
REPORT = Path("content") / "benchmarks" / "index.md"
DATA = Path("scripts") / "benchmarks" / "scale.json"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}


# Runs a command in this interpreter and reports, on its last line of stderr, the peak memory of
# the process itself and of the largest process it started (worker processes, the indexer). A
# command that ends with os._exit (the casebook command does) reports just before it.
_MEASURED = (
    "import json, os, resource, runpy, sys\n"
    "sys.argv = sys.argv[1:]\n"
    "peak = lambda who: resource.getrusage(who).ru_maxrss // 1024\n"
    "def report():\n"
    "    print(json.dumps({'self': peak(resource.RUSAGE_SELF), 'child': peak(resource.RUSAGE_CHILDREN)}),"
    " file=sys.stderr, flush=True)\n"
    "main, hard_exit = os.getpid(), os._exit\n"
    "def exit_now(code):\n"
    "    if os.getpid() == main:\n"
    "        report()\n"
    "    hard_exit(code)\n"
    "os._exit = exit_now\n"
    "code = 0\n"
    "try:\n"
    "    runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
    "except SystemExit as exit:\n"
    "    code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)\n"
    "report()\n"
    "sys.exit(code)\n"
)


def run(module: str, args: list[str], cwd: Path, *, tree: bool = True) -> dict[str, Any]:
    """Wall time and peak memory of `python -m module args`, run to completion.

    total_mb: the most memory the command and all its processes held at once (see TreeMemory;
    None with `tree=False`: reading a large process's memory map slows it down, so a timing
    that matters more than the total, as validation's, is taken without it);
    peak_mb: the largest single process (the build itself, a worker or the search indexer);
    self_mb: the build process alone; child_mb: its largest child (resident set, which counts
    memory a forked worker shares with the build process in both).
    """
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", _MEASURED, module, *args], cwd=cwd, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with TreeMemory(process.pid) if tree else contextlib.nullcontext() as sampled:
        _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{stderr[-3000:]}")
    memory = json.loads(stderr.strip().splitlines()[-1])
    return {"seconds": round(seconds, 2), "total_mb": sampled.peak_mb if sampled else None,
            "peak_mb": max(memory["self"], memory["child"]),
            "self_mb": memory["self"], "child_mb": memory["child"]}


# Runs of a short measurement: this machine's timings vary by a tenth from run to run.
REPEATS = 3


def repeated(measurement: Callable[[], dict[str, Any]], times: int = REPEATS) -> dict[str, Any]:
    """The run with the median time of `times` runs, with every run's seconds in `runs`."""
    runs = sorted((measurement() for _ in range(times)), key=lambda result: result["seconds"])
    return {**runs[len(runs) // 2], "runs": [r["seconds"] for r in runs]}


class TreeMemory:
    """The peak of the memory a process and all its descendants hold together, sampled every
    `interval` seconds while it runs: the sum of their proportional set sizes (PSS), in which a
    page shared by forked processes counts once in all, as the machine's memory sees it."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.is_set():
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                processes = []
            for process in processes:
                with contextlib.suppress(psutil.Error):  # ended between listing and reading
                    total += process.memory_full_info().pss
            self.peak_mb = max(self.peak_mb, round(total / 1024 / 1024))
            self._done.wait(self.interval)


def run_process(command: list[str], cwd: Path) -> dict[str, Any]:
    """Wall time and peak resident memory of a command that may replace its own process
    (`python -m pagefind` runs the indexer's binary in its place), from os.wait4."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    return {"seconds": round(time.perf_counter() - start, 2), "peak_mb": round(usage.ru_maxrss / 1024)}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as data: an environment setting (`!ENV [NAME, default]`) takes its default."""


_ConfigLoader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])


def plain_anchor(repo: Path, work: Path) -> Path:
    """A plain MkDocs project with the same pages as ordinary Markdown files (their HTML in
    place, as `casebook render --whole-pages` stages them), and nothing run before or after."""
    anchor = work / "anchor"
    subprocess.run([sys.executable, "-m", "casebook.cli", "render", "--root", str(repo),
                    "--out", str(work / "anchor-stage"), "--whole-pages"], check=True, env=ENV,
                   stdout=subprocess.DEVNULL)
    anchor.mkdir(parents=True, exist_ok=True)
    shutil.move(work / "anchor-stage" / "docs", anchor / "docs")
    config = yaml.load((repo / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "!!python/object/apply:pymdownx.slugs.slugify", ""), Loader=_ConfigLoader)
    config["strict"] = False  # the anchor has no generated downloads for the pages to link
    config["docs_dir"] = "docs"
    config["markdown_extensions"] = [e for e in config["markdown_extensions"]
                                     if not (isinstance(e, dict) and "toc" in e)] + ["toc"]
    if "custom_dir" in config.get("theme", {}):
        shutil.copytree(repo / config["theme"]["custom_dir"], anchor / config["theme"]["custom_dir"])
    (anchor / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return anchor


def case_page_weight(site: Path, case_id: str) -> dict[str, int]:
    html = (site / "cases" / case_id / "index.html").read_bytes()
    return {"html": len(html), "html_gzip": len(gzip.compress(html, 6))}


def edit_latency(repo: Path, case_id: str, timeout: float = 300) -> float | None:
    """Seconds from saving an edit to one case until `casebook serve` (as `make serve` runs it)
    shows it."""
    port = 8700 + os.getpid() % 200
    log = (repo / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "casebook.cli", "serve",
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=repo, env=ENV, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/cases/{case_id}/"
    try:
        if not _wait(url, "<h1", timeout):
            return None
        path = repo / "cases" / f"{case_id}.yaml"
        text = path.read_text(encoding="utf-8")
        line = next(x for x in text.splitlines() if x.startswith("summary:"))
        start = time.perf_counter()
        path.write_text(text.replace(line, line + "（基准测试修改）"), encoding="utf-8")
        return round(time.perf_counter() - start, 1) if _wait(url, "（基准测试修改）", timeout) else None
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait(url: str, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8"):
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def measure(size: int, work: Path, serve: bool, search: bool, anchor: bool, *,
            root: Path) -> dict[str, Any]:
    """Every figure for one size, from a synthetic library derived from the checkout at `root`."""
    repo = work / "repo"
    print(f"[{size}] 生成合成案例库……", flush=True)
    ids = synthesize(repo, size, seed=1, source=root)
    print(f"[{size}] 校验……", flush=True)
    validation = repeated(lambda: run("casebook.cli", ["validate", "--root", str(repo)], repo, tree=False))
    print(f"[{size}] 构建网站……", flush=True)
    build = run("casebook.cli", ["build", "--root", str(repo), "--site-dir", str(work / "site")],
                repo)
    site = work / "site"
    result: dict[str, Any] = {
        "cases": len(ids) + 5, "validate": validation, "build": build, "plain": None, "ratio": None,
        "pages": sum(1 for _ in site.rglob("*.html")), "site_bytes": folder_size(site),
        "case_page": case_page_weight(site, ids[0]),
    }
    if anchor:
        print(f"[{size}] 构建对照（纯 MkDocs + Pagefind）……", flush=True)
        plain_repo = plain_anchor(repo, work)
        plain = run("mkdocs", ["build", "--site-dir", str(work / "plain")], plain_repo)
        indexed = run_process([sys.executable, "-m", "pagefind", "--site", str(work / "plain"),
                               "--force-language", "zh", "--silent"], plain_repo)
        plain = {"seconds": round(plain["seconds"] + indexed["seconds"], 2),
                 "build_seconds": plain["seconds"], "search_seconds": indexed["seconds"],
                 "peak_mb": max(plain["peak_mb"], indexed["peak_mb"])}
        result.update(plain=plain, ratio=round(build["seconds"] / plain["seconds"], 2))
    if search:
        print(f"[{size}] 测量搜索……", flush=True)
        measured = measure_site("合成", "synthetic", site, ["党支部领办合作社", "软弱涣散"], 120,
                                result["cases"], build["seconds"])
        result["search_index"] = measured["index"]
        result["search"] = measured["queries"]
    if serve:
        print(f"[{size}] 测量 make serve 下修改一个案例的刷新时间……", flush=True)
        result["edit_seconds"] = edit_latency(repo, ids[0])
    return result


def _mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


# (what, cases, measured value in the result, limit, unit): the targets on this machine.
TARGETS = (
    ("校验", 1000, ("validate", "seconds"), 2, "秒"),
    ("校验", 10000, ("validate", "seconds"), 15, "秒"),
    ("完整构建", 1000, ("build", "seconds"), 60, "秒"),
    ("构建峰值内存（全部进程合计）", 1000, ("build", "total_mb"), 1024, "MB"),
    ("构建峰值内存（全部进程合计）", 10000, ("build", "total_mb"), 2048, "MB"),
    ("构建时间比（本库 / 纯 MkDocs）", 1000, ("ratio",), 1.15, ""),
    ("修改一个案例后预览刷新", 1000, ("edit_seconds",), 5, "秒"),
)


def _value(result: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        result = result.get(key) if isinstance(result, dict) else None
    return result


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the figure measured for it, and whether it was met."""
    found = []
    for what, cases, path, limit, unit in TARGETS:
        result = next((r for r in report["results"] if r["cases"] - 5 == cases), None)
        value = _value(result, path) if result else None
        found.append({"what": what, "cases": cases, "limit": limit, "unit": unit, "value": value,
                      "met": None if value is None else value < limit or value == limit})
    return found


def _figure(value: Any, unit: str) -> str:
    return "未测" if value is None else f"{value:,}{' ' + unit if unit else ''}"


def _runs(result: dict[str, Any]) -> str:
    """The median time, and the range when there were several runs."""
    runs = result.get("runs") or [result["seconds"]]
    spread = f"（{len(runs)} 次：{min(runs)}–{max(runs)} s）" if len(runs) > 1 else ""
    return f"{result['seconds']} s{spread}"


def _total(result: dict[str, Any]) -> str:
    return f"{result['total_mb']:,} MB" if result.get("total_mb") is not None else "未测"


def markdown(report: dict[str, Any]) -> str:
    rows = []
    for r in report["results"]:
        search = r.get("search") or []
        runs = [q["empty"] for q in search if "error" not in q["empty"]]
        first = max((q["ms_to_first_result"] for q in runs), default=None)
        transfer = max((q["bytes"] for q in runs), default=None)
        index = r.get("search_index", {})
        plain = f"{r['plain']['seconds']} s" if r.get("plain") else "未测"
        index_text = f"{_mb(index['raw'])}（{index['files']:,} 个文件）" if index else "未测"
        rows.append(
            f"| {r['cases']:,} | {_runs(r['validate'])}（{r['validate']['peak_mb']} MB） "
            f"| {r['build']['seconds']} s | {plain} "
            f"| {r['ratio'] if r['ratio'] is not None else '—'} "
            f"| {_total(r['build'])} | {r['build']['self_mb']:,} MB / {r['build']['child_mb']:,} MB "
            f"| {r['pages']:,} | {_mb(r['site_bytes'])} "
            f"| {index_text} "
            f"| {f'{transfer / 1024:,.0f} KB' if transfer else '未测'} | {f'{first} ms' if first else '未测'} "
            f"| {r['case_page']['html'] / 1024:,.0f} KB（gzip {r['case_page']['html_gzip'] / 1024:,.0f} KB）"
            f"| {_figure(r.get('edit_seconds'), '秒')} |")
    targets = [f"| {v['what']} | {v['cases']:,} | 不超过 {v['limit']:,}{' ' + v['unit'] if v['unit'] else ''} "
               f"| {_figure(v['value'], v['unit'])} | {'—' if v['met'] is None else '达到' if v['met'] else '未达到'} |"
               for v in verdicts(report)]
    return "\n".join([
        "# 规模基准测试",
        "",
        "案例库增长到上千、上万个案例时的代价。数字由 `make bench` 测得并写入本页，不是手填的；"
        "合成案例由种子案例变化而来（`scripts/synthesize.py`），都通过校验。",
        "",
        f"测量时间 {report['measured']}；机器：{report['machine']}。",
        "",
        "## 测得的数字 {#figures}",
        "",
        "| 案例数 | 校验（中位数；峰值内存） | 完整构建 | 纯 MkDocs 对照 | 构建时间比 | 构建峰值内存（全部进程合计） "
        "| 单个进程峰值：构建进程 / 最大子进程 "
        "| 页面数 | site/ 大小 | 搜索索引 | 首个搜索结果前传输（gzip） | 首个结果用时（弱网手机，空缓存） | 案例页 HTML "
        "| 修改一个案例后预览刷新 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "## 目标 {#targets}",
        "",
        "| 目标 | 案例数 | 要求 | 测得 | 结果 |",
        "| --- | ---: | --- | ---: | --- |",
        *targets,
        "",
        "## 怎么读 {#notes}",
        "",
        "- **纯 MkDocs 对照**：把本库生成的全部页面写成普通 Markdown 文件，用同样的主题和 Markdown 设置、"
        "不加本库的适配器构建，再用 Pagefind 建同样语言的搜索索引；“构建时间比”是本库完整构建（含校验、"
        "生成页面、下载文件和搜索索引）与它的比值。本库把生成页面中已渲染好的 HTML 绕过 Markdown 解析，所以比值可以小于 1。",
        "- **构建峰值内存（全部进程合计）**：构建进程和它启动的全部进程（并行渲染的工作进程、Pagefind 索引程序）"
        "同一时刻合计占用的内存，每秒取样一次，按比例集大小（PSS）相加：派生的工作进程与构建进程共享的内存只算一次。"
        "目标按这一列判断。“单个进程峰值”是各进程自己的常驻内存峰值（共享的部分在两边都算），供参考。",
        f"- **校验**运行 {REPEATS} 次，取中位数，括号里是最快和最慢的一次：这台机器上同样的运行前后相差可达一成。"
        "校验计时不取样全部进程的内存（读取大进程的内存映射会拖慢它），括号里的内存是校验进程自身的峰值。",
        "- **构建用时与内存的取舍**：案例多到按 CPU 核数派生工作进程会超过 `build_memory_mb`（默认 2048 MB）时，"
        "构建少派生或不派生工作进程，用时因此变长。",
        "- **搜索**在 Chromium 中以手机视口、空缓存测得；“未测”表示这次运行没有测这一项。",
        "- **预览刷新**：`make serve`（`casebook serve`）运行时修改一个案例文件，到浏览器地址返回新内容的时间。",
        "",
    ])


def main(argv: list[str] | None = None, *, root: Path) -> int:
    """The command line of `scripts/bench.py`; `root` is the checkout whose seed cases are
    multiplied and whose report page is written."""
    parser = argparse.ArgumentParser(description="规模基准测试：合成案例库的校验、构建、内存、体积和搜索代价。")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="合成案例数。")
    parser.add_argument("--serve", action="store_true", help="同时测量 make serve 下修改一个案例的刷新时间（最小的规模）。")
    parser.add_argument("--no-search", action="store_true", help="不测量搜索（不需要 Chromium）。")
    parser.add_argument("--anchor-max", type=int, default=1000,
                        help="只对不超过这个案例数的规模构建纯 MkDocs 对照（对照在 10,000 个案例时要几十分钟）。")
    parser.add_argument("--no-write", action="store_true", help="只打印，不更新 content/benchmarks/index.md。")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{size}-") as work:
            results.append(measure(size, Path(work), args.serve and size == min(args.sizes),
                                   not args.no_search, size <= args.anchor_max, root=root))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    report = {"measured": dt.date.today().isoformat(), "machine": machine(), "results": results}
    text = markdown(report)
    print(text)
    if not args.no_write:
        (root / REPORT).write_text(text, encoding="utf-8")
        (root / DATA).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


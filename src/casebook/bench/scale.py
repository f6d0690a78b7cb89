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

from casebook.bench.search import machine, measure_site
from casebook.bench.synthetic import synthesize

# Where `main` writes the report page and its figures, in the checkout it is given.
REPORT = Path("content") / "benchmarks" / "index.md"
DATA = Path("scripts") / "benchmarks" / "scale.json"
SEEDS = 5  # the seed cases every synthetic library keeps beside its copies
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
    page shared by forked processes counts once in all, as the machine's memory sees it. Every
    sample is kept in `samples` as (wall-clock time, MB), so that a stage's share can be found
    from its start and end (`stage_memory`)."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0
        self.samples: list[tuple[float, int]] = []
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
            mb = round(total / 1024 / 1024)
            self.peak_mb = max(self.peak_mb, mb)
            self.samples.append((time.time(), mb))
            self._done.wait(self.interval)


def stage_memory(lines: list[dict[str, Any]], samples: list[tuple[float, int]]) -> dict[str, int]:
    """The most memory sampled while each stage ran (its `start` to `end`, casebook.timings), by
    the report's stage name; a stage that ran between two samples has no figure."""
    peaks: dict[str, int] = {}
    for item in lines:
        if "start" not in item:
            continue
        held = [mb for at, mb in samples if item["start"] <= at <= item["end"]]
        if held:
            name = STAGE_NAMES.get(item["stage"], item["stage"])
            peaks[name] = max(peaks.get(name, 0), max(held))
    return peaks


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


def engine_anchor(repo: Path, work: Path) -> dict[str, Any]:
    """The anchor: the default engine alone building the same pages as ordinary files (their
    HTML in place, as `casebook render --whole-pages` stages them), then Pagefind over its
    output; nothing of ours runs before or after. Not strict: the anchor has no downloads for
    the pages to link."""
    from casebook.handover.engines import command, engine_named
    from casebook.handover.stage import SITE

    stage = work / "anchor"
    shutil.rmtree(stage, ignore_errors=True)  # each run from nothing, as a cold engine build
    subprocess.run([sys.executable, "-m", "casebook.cli", "render", "--root", str(repo),
                    "--out", str(stage), "--whole-pages"], check=True, env=ENV,
                   stdout=subprocess.DEVNULL)
    engine = engine_named(None)
    built = run_process(command(engine, stage / "engine.yml", engine.build_args, strict=False),
                        stage)
    indexed = run_process([sys.executable, "-m", "pagefind", "--site", str(stage / SITE),
                           "--force-language", "zh", "--silent"], stage)
    return {"engine": engine.label, "seconds": round(built["seconds"] + indexed["seconds"], 2),
            "build_seconds": built["seconds"], "search_seconds": indexed["seconds"],
            "peak_mb": max(built["peak_mb"], indexed["peak_mb"])}


def make_build(repo: Path, work: Path, label: str) -> dict[str, Any]:
    """`make build` in `repo` exactly as a maintainer runs it (the site, the handouts, then the
    offline copy derived from it and its zip), on this checkout's environment: wall time, the memory of all
    its processes together, and each stage's seconds (casebook.timings)."""
    log = work / f"timings-{label}.jsonl"
    log.unlink(missing_ok=True)
    env = {**ENV, "CASEBOOK_TIMINGS": str(log)}
    start = time.perf_counter()
    process = subprocess.Popen(["make", "build", f"VENV={sys.prefix}"], cwd=repo, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with TreeMemory(process.pid) as sampled:
        _, stderr = process.communicate()
    seconds = round(time.perf_counter() - start, 2)
    if process.returncode != 0:
        raise RuntimeError(f"make build failed:\n{stderr[-3000:]}")
    stages: dict[str, float] = {}
    parts: dict[str, float] = {}
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    for item in lines:
        name = STAGE_NAMES.get(item["stage"], item["stage"])
        stages[name] = round(stages.get(name, 0) + item["seconds"], 2)
        parts[item["part"]] = round(parts.get(item["part"], 0) + item["seconds"], 2)
    # The site's pages as `casebook build` makes them (its own validation included): the
    # figure the page used to call the whole build.
    site_pages = parts.get("build", 0)
    stages["其他（启动、make、复制）"] = round(seconds - sum(stages.values()), 2)
    return {"seconds": seconds, "total_mb": sampled.peak_mb, "stages": stages, "parts": parts,
            "stage_mb": stage_memory(lines, sampled.samples), "pages_seconds": round(site_pages, 2)}


# The stages `casebook.timings` records, as the report names them.
STAGE_NAMES = {"validate": "校验", "pages": "生成页面", "engine": "网站引擎", "finish": "补全页面",
               "search index": "搜索索引", "links": "链接检查", "handouts": "讲义",
               "copy": "离线版复制（同时取出搜索用的文字）", "check": "离线版检查（外部请求、链接）", "zip": "离线版打包"}


EDIT_MARK = "（基准测试修改）"
PREVIEW_MARK = "（预览刷新测试）"  # another mark: the warm build's edit must not already show it


def edit_one_case(repo: Path, case_id: str, mark: str = EDIT_MARK) -> None:
    """Append `mark` to the summary of the case `case_id`, as a contributor's edit would."""
    path = repo / "cases" / f"{case_id}.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("summary:"))
    path.write_text(text.replace(line, line + mark), encoding="utf-8")


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
        if PREVIEW_MARK in urllib.request.urlopen(url, timeout=30).read().decode("utf-8"):
            raise RuntimeError(f"{url} shows {PREVIEW_MARK} before the edit")
        start = time.perf_counter()
        edit_one_case(repo, case_id, PREVIEW_MARK)
        return round(time.perf_counter() - start, 1) if _wait(url, PREVIEW_MARK, timeout) else None
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
    print(f"[{size}] make build（冷缓存）……", flush=True)
    build = make_build(repo, work, "cold")
    site = repo / "site"
    result: dict[str, Any] = {
        "size": size, "cases": len(ids) + SEEDS, "validate": validation, "build": build, "plain": None, "ratio": None,
        "pages": sum(1 for _ in site.rglob("*.html")), "site_bytes": folder_size(site),
        "offline_zip_bytes": (repo / "casebook-offline.zip").stat().st_size,
        "handout_bytes": folder_size(site / "handouts"),
        "handouts": sum(1 for _ in (site / "handouts").rglob("*.pdf")),
        "case_page": case_page_weight(site, ids[0]),
    }
    result["per_case_bytes"] = round(result["site_bytes"] / result["cases"])
    result["site_mb"] = round(result["site_bytes"] / 1048576)
    result["zip_mb"] = round(result["offline_zip_bytes"] / 1048576)
    handouts = build["stages"].get("讲义", 0)
    result["seconds_per_handout"] = round(handouts / max(result["handouts"], 1), 3)
    if anchor:  # the one-case edit's target is against the anchor: measured where it is
        # Both sit near each other and this machine's timings vary by a tenth from run to run:
        # each is the median of REPEATS runs, every one an edit of the same case's summary.
        print(f"[{size}] 修改一个案例后 make build（有缓存，{REPEATS} 次）……", flush=True)
        case_file = repo / "cases" / f"{ids[0]}.yaml"
        original = case_file.read_text(encoding="utf-8")

        def edited_build() -> dict[str, Any]:
            case_file.write_text(original, encoding="utf-8")
            edit_one_case(repo, ids[0], f"{EDIT_MARK}{time.monotonic_ns()}")
            return make_build(repo, work, "warm")

        result["warm"] = repeated(edited_build)
        print(f"[{size}] 构建对照（默认网站引擎直接构建同样的页面 + Pagefind，{REPEATS} 次）……", flush=True)
        plain = repeated(lambda: engine_anchor(repo, work))
        result.update(plain=plain, ratio=round(build["seconds"] / plain["seconds"], 2),
                      warm_ratio=round(result["warm"]["seconds"] / plain["seconds"], 2))
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
    ("make build（冷缓存）/ 引擎对照", 1000, ("ratio",), 3, "倍"),
    ("修改一个案例后 make build（有缓存）/ 引擎对照", 1000, ("warm_ratio",), 1, "倍"),
    ("make build 峰值内存（全部进程合计）", 1000, ("build", "total_mb"), 1024, "MB"),
    ("make build 峰值内存（全部进程合计）", 10000, ("build", "total_mb"), 2048, "MB"),
    ("网站页面一步", 10000, ("build", "pages_seconds"), 180, "秒"),
    ("site/ 大小", 10000, ("site_mb",), 1024, "MB"),
    ("离线版 zip", 10000, ("zip_mb",), 1024, "MB"),
    ("修改一个案例后预览刷新", 1000, ("edit_seconds",), 5, "秒"),
)


def _size(result: dict[str, Any]) -> int:
    """The synthetic cases a result was measured on (older results know only the case count)."""
    return result.get("size", result["cases"] - SEEDS)


def _value(result: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        result = result.get(key) if isinstance(result, dict) else None
    return result


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the figure measured for it, and whether it was met."""
    found = []
    for what, cases, path, limit, unit in TARGETS:
        result = next((r for r in report["results"] if _size(r) == cases), None)
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


def _stage_rows(r: dict[str, Any]) -> list[str]:
    cold, warm = r["build"], r.get("warm") or {}
    rows = []
    for name in dict.fromkeys([*cold["stages"], *warm.get("stages", {})]):
        cells = []
        for run_ in (cold, warm):
            value = run_.get("stages", {}).get(name)
            cells.append("—" if value is None else
                         f"{value:,.1f} s（{value / run_['seconds']:.0%}）")
        held = cold.get("stage_mb", {}).get(name)
        cells.append("—" if held is None else f"{held:,} MB")
        rows.append(f"| {r['cases']:,} | {name} | {cells[0]} | {cells[1]} | {cells[2]} |")
    warm_total = f"{warm['seconds']:,.1f} s" if warm else "—"
    rows.append(f"| {r['cases']:,} | **合计** | {cold['seconds']:,.1f} s | {warm_total} | {_total(cold)} |")
    return rows


def markdown(report: dict[str, Any]) -> str:
    rows, stages = [], []
    for r in report["results"]:
        plain = _runs(r["plain"]) if r.get("plain") else "未测"
        warm = r.get("warm")
        rows.append(
            f"| {r['cases']:,} | {_runs(r['validate'])} "
            f"| {r['build']['seconds']:,} s | {_runs(warm) if warm else '未测'} "
            f"| {r['build']['pages_seconds']:,} s | {plain} "
            f"| {r.get('ratio') if r.get('ratio') is not None else '—'} "
            f"| {r.get('warm_ratio') if r.get('warm_ratio') is not None else '—'} "
            f"| {_total(r['build'])} | {r['pages']:,} "
            f"| {_mb(r['site_bytes'])}（每个案例 {r['per_case_bytes'] / 1024:,.0f} KB） "
            f"| {_mb(r['offline_zip_bytes'])} "
            f"| {r['handouts']:,} 份，{_mb(r['handout_bytes'])}，每份 {r['seconds_per_handout']} s "
            f"| {r['case_page']['html'] / 1024:,.0f} KB（gzip {r['case_page']['html_gzip'] / 1024:,.0f} KB）"
            f"| {_figure(r.get('edit_seconds'), '秒')} |")
        stages += _stage_rows(r)
    measured_sizes = {_size(r) for r in report["results"]}
    targets = [f"| {v['what']} | {v['cases']:,} | 不超过 {v['limit']:,}{' ' + v['unit'] if v['unit'] else ''} "
               f"| {_figure(v['value'], v['unit'])} | "
               f"{('本次没有测这个规模' if v['cases'] not in measured_sizes else '未测') if v['met'] is None else '达到' if v['met'] else '未达到'} |"
               for v in verdicts(report)]
    return "\n".join([
        "# 规模基准测试",
        "",
        "案例库增长到上千、上万个案例时发布一次的代价。数字由 `make bench` 测得并写入本页，不是手填的；"
        "合成案例由种子案例变化而来（`scripts/synthesize.py`），都通过校验。",
        "",
        f"测量时间 {report['measured']}；机器：{report['machine']}。",
        "",
        "## 测得的数字 {#figures}",
        "",
        "| 案例数 | 校验（中位数） | make build（冷缓存） | 修改一个案例后 make build | 其中网站页面一步 "
        "| 引擎对照 | 冷缓存 / 对照 | 修改后 / 对照 | 峰值内存（全部进程合计） | 页面数 | site/ 大小 "
        "| 离线版 zip | 讲义 | 案例页 HTML | 修改一个案例后预览刷新 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "## 每一步的用时 {#stages}",
        "",
        "`make build` 各步的用时和占比（两次运行各自的合计为 100%；离线版的各步与网站的同名步骤合在一起），"
        "以及冷缓存那次运行中这一步进行时全部进程合计占用的最多内存（每秒取样一次；不到一秒的步骤可能没有取到样，记“—”）。",
        "",
        "| 案例数 | 步骤 | 冷缓存 | 修改一个案例后 | 冷缓存时的峰值内存 |",
        "| ---: | --- | ---: | ---: | ---: |",
        *stages,
        "",
        "## 目标 {#targets}",
        "",
        "| 目标 | 案例数 | 要求 | 测得 | 结果 |",
        "| --- | ---: | --- | ---: | --- |",
        *targets,
        "",
        "## 怎么读 {#notes}",
        "",
        "- **make build** 就是维护者和部署时运行的命令（`casebook publish`，只校验一次）：网站（校验、生成页面、网站引擎、搜索索引、链接检查）、讲义，"
        "最后由建好的网站复制出离线版（复制时同时取出离线搜索用的文字，然后写索引、检查、打包），"
        "在合成案例库的仓库副本里照原样运行。“冷缓存”是没有 `.cache/` 的第一次；“修改一个案例后”是改一个案例的摘要再运行一次，"
        "讲义只重排改动的那一份和用到它的课程；这一项只在有引擎对照的规模上测（它的目标是与对照相比）。",
        "- **其中网站页面一步**：`casebook build` 的部分（生成页面、网站引擎、补全页面、搜索索引、链接检查），本页过去叫“完整构建”的数字。",
        "- **引擎对照**：把本库生成的全部页面写成普通文件（HTML 留在页面里，`casebook render --whole-pages`），"
        "只用默认网站引擎构建、再用 Pagefind 建索引，本库的步骤一概不跑；比值是 make build 与它之比。",
        "- **峰值内存**：make build 和它启动的全部进程同一时刻合计占用的内存，每秒取样一次，按比例集大小（PSS）相加。",
        f"- **校验**、**修改一个案例后**和**引擎对照**各运行 {REPEATS} 次，取中位数，括号里是最快和最慢的一次"
        "（修改一个案例后的每一步用时和内存取自中位数那一次）；冷缓存只有一次。",
        "- **搜索**的用时和传输量见[搜索基准测试](search.md)；两个网站引擎的对照见[引擎基准测试](engines.md)。",
        "- **预览刷新**：`make serve` 运行时修改一个案例文件，到浏览器地址返回新内容的时间；“未测”表示这次运行没有测这一项。",
        "",
    ])


def _kept_results(data: Path, sizes: list[int]) -> list[dict[str, Any]]:
    """The results of an earlier run of today on this machine for sizes not measured now."""
    if not data.is_file():
        return []
    earlier = json.loads(data.read_text(encoding="utf-8"))
    if earlier.get("measured") != dt.date.today().isoformat() or earlier.get("machine") != machine():
        return []
    return [r for r in earlier.get("results", []) if _size(r) not in sizes]


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
    parser.add_argument("--merge", action="store_true",
                        help="保留 scripts/benchmarks/scale.json 中这次没有测的规模的结果（同一天、同一台机器测得的才保留）。")
    args = parser.parse_args(argv)
    kept = _kept_results(root / DATA, args.sizes) if args.merge else []
    results: list[dict[str, Any]] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{size}-") as work:
            results.append(measure(size, Path(work), args.serve and size == min(args.sizes),
                                   not args.no_search, size <= args.anchor_max, root=root))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        # written after each size, so that a long run stopped at the next one keeps these figures
        report = {"measured": dt.date.today().isoformat(), "machine": machine(),
                  "results": sorted(kept + results, key=lambda r: r["cases"])}
        text = markdown(report)
        if not args.no_write:
            (root / REPORT).write_text(text, encoding="utf-8")
            (root / DATA).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    print(text)
    return 0


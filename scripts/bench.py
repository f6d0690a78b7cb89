"""The library at scale: validation, build, memory, size and search cost for synthetic libraries.

For each size it writes a synthetic library (scripts/synthesize.py) into a temporary folder and
measures, each in a fresh process: `casebook validate`, a strict `mkdocs build`, and the anchor,
plain MkDocs building the same pages (our generated Markdown written out as ordinary files, same
theme, search and Markdown settings, no hooks), so the ratio shows what our pipeline adds. Peak
memory is the child's maximum resident set (os.wait4). Search transfer and time come from
scripts/bench_search.py in Chromium with the CPU slowed 4x. With --serve it also times how long
an edit to one case takes to reach the page under `mkdocs serve`.

    python scripts/bench.py --sizes 1000 10000 --serve
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import _machine, measure_site  # noqa: E402
from synthesize import ROOT, synthesize  # noqa: E402

REPORT = ROOT / "content" / "benchmarks" / "index.md"
DATA = ROOT / "scripts" / "benchmarks" / "scale.json"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    """Wall time and peak resident memory of one command, run to completion."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    stderr = child.stderr.read() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024)}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def plain_anchor(repo: Path, work: Path) -> Path:
    """A plain MkDocs project with the same pages as ordinary Markdown files and no hooks."""
    anchor = work / "anchor"
    docs = anchor / "docs"
    shutil.copytree(repo / "content", docs)
    subprocess.run([sys.executable, "-m", "casebook.cli", "render", "--root", str(repo),
                    "--out", str(docs)], check=True, env=ENV)
    config = yaml.safe_load((repo / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "!!python/object/apply:pymdownx.slugs.slugify", ""))
    config.pop("hooks", None)
    config.pop("watch", None)
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
    """Seconds from saving an edit to one case until `mkdocs serve` shows it."""
    port = 8700 + os.getpid() % 200
    log = (repo / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr",
                               f"127.0.0.1:{port}"], cwd=repo, env=ENV, stdout=log,
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


def measure(size: int, work: Path, serve: bool, search: bool) -> dict[str, Any]:
    repo = work / "repo"
    print(f"[{size}] 生成合成案例库……", flush=True)
    ids = synthesize(repo, size, seed=1)
    python = sys.executable
    print(f"[{size}] 校验……", flush=True)
    validation = run([python, "-m", "casebook.cli", "validate", "--root", str(repo)], repo)
    print(f"[{size}] 构建网站……", flush=True)
    build = run([python, "-m", "mkdocs", "build", "--strict", "--site-dir", str(work / "site")], repo)
    site = work / "site"
    print(f"[{size}] 构建对照（纯 MkDocs）……", flush=True)
    anchor = plain_anchor(repo, work)
    plain = run([python, "-m", "mkdocs", "build", "--site-dir", str(work / "plain")], anchor)
    result: dict[str, Any] = {
        "cases": len(ids) + 5, "validate": validation, "build": build, "plain": plain,
        "ratio": round(build["seconds"] / plain["seconds"], 2),
        "pages": sum(1 for _ in site.rglob("*.html")), "site_bytes": folder_size(site),
        "case_page": case_page_weight(site, ids[0]),
    }
    if search:
        print(f"[{size}] 测量搜索……", flush=True)
        measured = measure_site("合成", site, ["党支部领办合作社", "软弱涣散"], 4, 120,
                                result["cases"], build["seconds"])
        result["search_index"] = measured["index"]
        result["search"] = measured["queries"]
    if serve:
        print(f"[{size}] 测量 make serve 下修改一个案例的刷新时间……", flush=True)
        result["edit_seconds"] = edit_latency(repo, ids[0])
    return result


def _mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def markdown(report: dict[str, Any]) -> str:
    rows = []
    for r in report["results"]:
        search = r.get("search") or []
        first = max((q["ms_to_first_result"] or 0 for q in search), default=None)
        transfer = max((q["page_bytes_gzip"] for q in search), default=None)
        index = r.get("search_index", {})
        rows.append(
            f"| {r['cases']:,} | {r['validate']['seconds']} s | {r['build']['seconds']} s "
            f"| {r['plain']['seconds']} s | {r['ratio']} | {r['build']['peak_mb']} MB "
            f"| {r['pages']:,} | {_mb(r['site_bytes'])} "
            f"| {_mb(index.get('bytes', 0)) if index else '—'} "
            f"| {f'{transfer / 1024:,.0f} KB' if transfer else '—'} | {f'{first} ms' if first else '—'} "
            f"| {r['case_page']['html'] / 1024:,.0f} KB（gzip {r['case_page']['html_gzip'] / 1024:,.0f} KB）"
            f"| {r.get('edit_seconds', '—') if r.get('edit_seconds') is not None else '—'} |")
    return "\n".join([
        "# 规模基准测试",
        "",
        "案例库增长到上千、上万个案例时的代价。数字由 `make bench` 测得并写入本页，不是手填的。",
        "",
        f"测量时间 {report['measured']}；机器：{report['machine']}。",
        "",
        "| 案例数 | 校验 | 完整构建 | 纯 MkDocs 对照 | 构建时间比 | 构建峰值内存 | 页面数 | site/ 大小 "
        "| 搜索索引 | 首个搜索结果前传输（gzip） | 首个结果用时（CPU 降速 4 倍） | 案例页 HTML | 修改一个案例后刷新 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "- **纯 MkDocs 对照**：把本库生成的全部页面写成普通 Markdown 文件，用同样的主题、搜索和 Markdown 设置、"
        "不加本库的适配器构建；“构建时间比”是本库完整构建与它的比值（目标不超过 1.15）。",
        "- **峰值内存**是构建进程的最大常驻内存；“搜索”一栏在 Chromium 中以手机视口、空缓存测得。",
        "- 目标：校验 1,000 个案例少于 2 秒、10,000 个少于 15 秒；1,000 个案例构建少于 60 秒、内存少于 1 GB；"
        "10,000 个案例构建在 2 GB 内完成；1,000 个案例时修改一个案例 5 秒内在浏览器中显示。",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="规模基准测试：合成案例库的校验、构建、内存、体积和搜索代价。")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="合成案例数。")
    parser.add_argument("--serve", action="store_true", help="同时测量 make serve 下修改一个案例的刷新时间（最小的规模）。")
    parser.add_argument("--no-search", action="store_true", help="不测量搜索（不需要 Chromium）。")
    parser.add_argument("--no-write", action="store_true", help="只打印，不更新 content/benchmarks.md。")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"casebook-bench-{size}-") as work:
            results.append(measure(size, Path(work), args.serve and size == min(args.sizes),
                                   not args.no_search))
    report = {"measured": dt.date.today().isoformat(), "machine": _machine(), "results": results}
    text = markdown(report)
    print(text)
    if not args.no_write:
        REPORT.write_text(text, encoding="utf-8")
        DATA.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

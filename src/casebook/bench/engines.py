"""The two site engines side by side: build time, pages, links and search, measured here.

For the seed library and a synthetic one (`casebook.bench.synthetic`), each engine builds the same
staged tree with `casebook build --engine NAME` in a fresh process; the figures are the whole
command (validate, stage, engine, finish) and the engine's own step, the page count, broken
internal links (casebook.handover.links) and the pages in the search index. The report goes to
`content/benchmarks/engines.md` and `scripts/benchmarks/engines.json`.

    python scripts/bench_engines.py --sizes 0 1000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from casebook.bench.search import machine
from casebook.bench.synthetic import copy_repository, synthesize
from casebook.handover.engines import DEFAULT_ENGINE, ENGINES
from casebook.handover.links import broken_links

REPORT = Path("content") / "benchmarks" / "engines.md"
DATA = Path("scripts") / "benchmarks" / "engines.json"
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
_ENGINE_SECONDS = re.compile(r"引擎用时 ([0-9.]+) 秒")


def measure_engine(repo: Path, site: Path, engine: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "casebook.cli", "build", "--root", str(repo),
                           "--site-dir", str(site), "--engine", engine,
                           "--stage", str(site.with_name(site.name + "-stage"))],
                          cwd=repo, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{engine} build failed:\n{done.stderr[-3000:]}")
    found = _ENGINE_SECONDS.search(done.stdout)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    return {
        "seconds": round(seconds, 1),
        "engine_seconds": float(found.group(1)) if found else None,
        "pages": sum(1 for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "assets"),
        "broken_links": len(broken_links(site)),
        "search_pages": sum(meta["page_count"] for meta in entry["languages"].values()),
    }


def measure(size: int, work: Path, root: Path) -> dict[str, Any]:
    repo = work / "repo"
    if size:
        ids = synthesize(repo, size, seed=1, source=root)
    else:
        copy_repository(root, repo)
        ids = []
    result: dict[str, Any] = {"cases": len(ids) + 5, "engines": {}}
    for engine in sorted(ENGINES):
        print(f"[{size}] {engine}……", flush=True)
        result["engines"][engine] = measure_engine(repo, work / f"site-{engine}", engine)
    return result


def report(results: list[dict[str, Any]], host: str) -> str:
    lines = [
        "# 网站引擎对照",
        "",
        "同一份暂存的页面（`casebook render` 写出的文件）分别交给两个网站引擎构建，用 `make bench-engines` 在本机测得，"
        f"不是手写的数字。默认引擎是 **{ENGINES[DEFAULT_ENGINE].label}**，原因见[关于本库](../about.md#technical)。",
        "",
        "- **完整构建**：`casebook build` 一条命令的用时：校验、写暂存文件夹、引擎构建、放回预渲染的内容、站点地图、"
        "搜索索引和站内链接检查。",
        "- **引擎一步**：其中网站引擎本身的用时。",
        "- **链接**：站内链接和锚点中打不开的个数（应为 0）。",
        "",
        "| 案例数 | 引擎 | 完整构建 | 引擎一步 | 页面数 | 打不开的链接 | 搜索索引收录的页面 |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        for name, figures in result["engines"].items():
            engine = "—" if figures["engine_seconds"] is None else f"{figures['engine_seconds']:.1f} 秒"
            lines.append(f"| {result['cases']:,} | {ENGINES[name].label} | {figures['seconds']:.1f} 秒 "
                         f"| {engine} | {figures['pages']:,} | {figures['broken_links']} "
                         f"| {figures['search_pages']:,} |")
    lines += ["", f"测量环境：{host}。", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None, *, root: Path) -> int:
    parser = argparse.ArgumentParser(description="两个网站引擎的构建对照。")
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000],
                        help="合成案例数（0 即种子案例库）。")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"casebook-engines-{size}-") as work:
            results.append(measure(size, Path(work), root))
    host = machine()
    (root / DATA).parent.mkdir(parents=True, exist_ok=True)
    (root / DATA).write_text(json.dumps({"machine": host, "date": time.strftime("%Y-%m-%d"),
                                         "results": results}, ensure_ascii=False,
                                        indent=2) + "\n", encoding="utf-8")
    (root / REPORT).write_text(report(results, host), encoding="utf-8")
    print(report(results, host))
    return 0

"""The scale benchmark's page states each target met or missed from the measured figures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from casebook.bench import scale as bench


def build(seconds: float, peak: int, stages: dict[str, float]) -> dict:
    return {"seconds": seconds, "total_mb": peak, "stages": stages, "parts": {},
            "pages_seconds": seconds / 4}


def result(cases: int, validate: float, cold: float, warm: float, peak: int,
           anchor: float | None, site_mb: int = 500) -> dict:
    return {"cases": cases + 5,
            "validate": {"seconds": validate, "peak_mb": 150, "runs": [validate - 1, validate, validate + 2]},
            "build": {**build(cold, peak, {"生成页面": cold / 2, "讲义": cold / 4}),
                      "stage_mb": {"生成页面": 700}},
            "warm": {**build(warm, peak, {"生成页面": warm / 2}), "runs": [warm - 3, warm, warm + 1]},
            "plain": {"seconds": anchor} if anchor else None,
            "ratio": round(cold / anchor, 2) if anchor else None,
            "warm_ratio": round(warm / anchor, 2) if anchor else None,
            "pages": cases, "site_bytes": site_mb * 1048576, "site_mb": site_mb,
            "offline_zip_bytes": 2 * 10**8, "zip_mb": 191, "handout_bytes": 10**7,
            "handouts": cases, "seconds_per_handout": 0.05, "per_case_bytes": 100_000,
            "case_page": {"html": 100_000, "html_gzip": 20_000}}


def test_each_target_is_judged_from_its_own_figure() -> None:
    report = {"measured": "2026-11-21", "machine": "测试机", "results": [
        result(1000, 1.8, 200.0, 40.0, 900, 50.0), result(10000, 16.0, 2000.0, 400.0, 2500, None, 1500)]}
    judged = {(v["what"], v["cases"]): v for v in bench.verdicts(report)}
    assert judged[("校验", 1000)]["met"] is True and judged[("校验", 10000)]["met"] is False
    assert judged[("make build（冷缓存）/ 引擎对照", 1000)]["value"] == 4.0
    assert judged[("make build（冷缓存）/ 引擎对照", 1000)]["met"] is False  # 4× is over 3×
    assert judged[("修改一个案例后 make build（有缓存）/ 引擎对照", 1000)]["met"] is True  # 0.8×
    assert judged[("make build 峰值内存（全部进程合计）", 1000)]["met"] is True
    assert judged[("make build 峰值内存（全部进程合计）", 10000)]["met"] is False
    assert judged[("网站页面一步", 10000)]["met"] is False  # 500 s
    assert judged[("site/ 大小", 10000)]["met"] is False and judged[("离线版 zip", 10000)]["met"] is True
    assert judged[("修改一个案例后预览刷新", 1000)]["met"] is None  # not measured is not "met"
    page = bench.markdown(report)
    assert "| make build（冷缓存）/ 引擎对照 | 1,000 | 不超过 3 倍 | 4.0 倍 | 未达到 |" in page
    assert "| 修改一个案例后预览刷新 | 1,000 | 不超过 5 秒 | 未测 | 未测 |" in page
    assert "| 1,005 | 生成页面 | 100.0 s（50%） | 20.0 s（50%） | 700 MB |" in page  # share, memory
    assert "| 1,005 | 讲义 | 50.0 s（25%） | — | — |" in page  # no sample while it ran
    assert "测试机" in page
    assert "16.0 s（3 次：15.0–18.0 s）" in page  # the median, with the range of the runs
    assert "| 40.0 s（3 次：37.0–41.0 s） |" in page  # the one-case edit's runs too


def test_a_size_not_measured_says_so() -> None:
    report = {"measured": "2026-11-21", "machine": "测试机",
              "results": [result(1000, 1.8, 200.0, 40.0, 900, 50.0)]}
    page = bench.markdown(report)
    assert "| 网站页面一步 | 10,000 | 不超过 180 秒 | 未测 | 本次没有测这个规模 |" in page


def test_the_median_run_is_reported_with_every_run_s_time() -> None:
    times = iter([14.0, 16.5, 13.0])
    chosen = bench.repeated(lambda: {"seconds": next(times), "peak_mb": 1}, times=3)
    assert chosen["seconds"] == 14.0 and chosen["runs"] == [13.0, 14.0, 16.5]


def test_the_memory_of_a_process_tree_counts_its_children() -> None:
    import subprocess
    import time

    code = ("import os, time\n"
            "data = bytearray(200 * 2**20)\n"
            "data[::4096] = b'x' * len(data[::4096])\n"
            "if os.fork() == 0:\n"
            "    own = bytearray(100 * 2**20); own[::4096] = b'y' * len(own[::4096]); time.sleep(2); os._exit(0)\n"
            "os.wait()\n")
    process = subprocess.Popen([sys.executable, "-c", code])
    with bench.TreeMemory(process.pid, interval=0.1) as tree:
        process.wait()
        time.sleep(0.1)
    # 200 MB shared by parent and child count once, the child's own 100 MB on top
    assert 280 <= tree.peak_mb <= 360, tree.peak_mb


def test_each_stage_gets_the_most_memory_sampled_while_it_ran() -> None:
    lines = [{"stage": "pages", "start": 10.0, "end": 20.0}, {"stage": "zip", "start": 30.0, "end": 30.5},
             {"stage": "pages", "start": 40.0, "end": 42.0}, {"stage": "links", "seconds": 1.0}]
    samples = [(9.5, 900), (11.0, 300), (19.0, 500), (25.0, 2000), (41.0, 650)]
    # the sample before the stage and the one between stages count for neither; a stage run twice
    # gets its larger peak; a stage too short for a sample, or an older log without times, none
    assert bench.stage_memory(lines, samples) == {"生成页面": 650}


def test_a_command_that_exits_at_once_still_reports_its_memory(tmp_path: Path) -> None:
    """The casebook command ends with os._exit; its peak memory is still read, once."""
    (tmp_path / "quick_exit.py").write_text(
        "import os, sys\nblock = bytearray(60 * 2**20)\nblock[::4096] = b'x' * len(block[::4096])\n"
        "sys.stdout.flush()\nos._exit(3 if len(sys.argv) > 1 else 0)\n", encoding="utf-8")
    result = bench.run("quick_exit", [], tmp_path, tree=False)  # importable from its folder
    assert result["self_mb"] >= 60
    with pytest.raises(RuntimeError, match="quick_exit"):
        bench.run("quick_exit", ["fail"], tmp_path, tree=False)


def test_a_merged_run_keeps_today_s_other_sizes_and_replaces_the_ones_measured_again(
        tmp_path: Path) -> None:
    import datetime as dt
    import json

    data = tmp_path / "scale.json"
    small, large = result(1000, 1.8, 200.0, 40.0, 900, 50.0), result(10000, 16.0, 2000.0, 400.0, 2500, None)
    large["size"] = 10000  # written by newer runs; older ones are known by their case count
    today = {"measured": dt.date.today().isoformat(), "machine": bench.machine(), "results": [small, large]}
    data.write_text(json.dumps(today), encoding="utf-8")
    assert bench._kept_results(data, [1000]) == [large]
    assert bench._kept_results(data, [10000]) == [small]
    assert bench._kept_results(data, [1000, 10000]) == []
    data.write_text(json.dumps({**today, "measured": "2026-01-01"}), encoding="utf-8")
    assert bench._kept_results(data, [1000]) == []  # another day's figures are not mixed in
    assert bench._kept_results(tmp_path / "missing.json", [1000]) == []

"""The scale benchmark's page states each target met or missed from the measured figures."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402


def result(cases: int, validate: float, build: float, peak: int, ratio: float | None) -> dict:
    return {"cases": cases + 5, "validate": {"seconds": validate, "peak_mb": 150},
            "build": {"seconds": build, "peak_mb": peak, "self_mb": 300, "child_mb": peak},
            "plain": {"seconds": build / ratio} if ratio else None, "ratio": ratio, "pages": cases,
            "site_bytes": 10**8, "case_page": {"html": 100_000, "html_gzip": 20_000}}


def test_each_target_is_judged_from_its_own_figure() -> None:
    report = {"measured": "2026-11-21", "machine": "测试机", "results": [
        result(1000, 1.8, 61.0, 900, 0.6), result(10000, 16.0, 700.0, 2500, None)]}
    judged = {(v["what"], v["cases"]): v for v in bench.verdicts(report)}
    assert judged[("校验", 1000)]["met"] is True and judged[("校验", 10000)]["met"] is False
    assert judged[("完整构建", 1000)]["met"] is False
    assert judged[("构建峰值内存（最大的单个进程）", 1000)]["met"] is True
    assert judged[("构建时间比（本库 / 纯 MkDocs）", 1000)]["value"] == 0.6
    assert judged[("修改一个案例后预览刷新", 1000)]["met"] is None  # not measured is not "met"
    page = bench.markdown(report)
    assert "| 完整构建 | 1,000 | 不超过 60 秒 | 61.0 秒 | 未达到 |" in page
    assert "| 修改一个案例后预览刷新 | 1,000 | 不超过 5 秒 | 未测 | — |" in page
    assert "测试机" in page

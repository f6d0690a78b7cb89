"""The library as committed is valid, through the real command line."""

from __future__ import annotations

from conftest import run_cli


def test_committed_records_validate() -> None:
    result = run_cli("validate")
    assert result.code == 0, result.output
    assert "全部通过" in result.stdout


def test_json_report_counts_the_five_seed_cases() -> None:
    report = run_cli("validate", "--format", "json").json()
    assert report["valid"] is True
    assert report["cases"] >= 5
    assert report["errors"] == 0

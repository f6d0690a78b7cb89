"""The synthetic library for benchmarks: valid, varied, and the same for the same seed."""

from __future__ import annotations

from pathlib import Path

import yaml

from casebook.bench.synthetic import REGIONS_FILE, synthesize
from casebook.library.check import check_library
from conftest import ROOT


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "cases").rglob("*.yaml"))}


def test_synthetic_cases_are_valid_varied_and_reproducible(tmp_path: Path) -> None:
    ids = synthesize(tmp_path / "a", 24, seed=7, source=ROOT)
    result = check_library(tmp_path / "a")
    assert not result.errors
    assert len(ids) == len(set(ids)) == 24
    assert set(ids) <= set(result.library.cases)
    cases = [yaml.safe_load((tmp_path / "a" / "cases" / f"{cid}.yaml").read_text("utf-8")) for cid in ids]
    assert len({c["place"]["region"] for c in cases}) > 10
    assert len({c["title"] for c in cases}) > 18
    assert len({tuple(sorted(e["practice"] for e in c["practices"])) for c in cases}) > 12
    synthetic = yaml.safe_load((tmp_path / "a" / REGIONS_FILE).read_text("utf-8"))
    assert not (ROOT / REGIONS_FILE).exists(), "synthetic regions stay in the copy"
    assert {c["place"]["region"] for c in cases} <= {r["id"] for r in synthetic}

    synthesize(tmp_path / "b", 24, seed=7, source=ROOT)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")

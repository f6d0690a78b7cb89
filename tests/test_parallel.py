"""Work spread over worker processes gives exactly what one process gives, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook import outputs, pipeline
from casebook.outputs import site_outputs
from casebook.pipeline import check_library
from conftest import ROOT


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use workers however small the library (the seed library is below the usual threshold)."""
    monkeypatch.setattr(outputs, "PARALLEL_FROM", 0)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)


def test_checking_in_workers_finds_the_same_records_and_problems(always_parallel: None, sandbox: Path) -> None:
    bad = sandbox / "cases" / "bad-case.yaml"
    bad.write_text("id: bad-case\ntitle: 1\nsummary: [\n", encoding="utf-8")
    one, two = check_library(sandbox, workers=1), check_library(sandbox, workers=2)
    assert one.problems and one.problems == two.problems
    assert list(one.library.cases) == list(two.library.cases)
    assert one.library.cases == two.library.cases


def test_rendering_in_workers_gives_the_same_files_in_the_same_order(always_parallel: None) -> None:
    library = check_library(ROOT).library
    one = site_outputs(library, ROOT, workers=1)
    two = site_outputs(library, ROOT, workers=2)
    assert [p.path for p in one] == [p.path for p in two]
    assert [p.content for p in one] == [p.content for p in two]
    assert len({p.path for p in two}) == len(two)



def test_a_large_library_is_rendered_by_as_many_processes_as_its_memory_allows(monkeypatch) -> None:
    from casebook import parallel

    monkeypatch.setattr(parallel, "cores", lambda: 4)
    monkeypatch.setattr(parallel, "resident_mb", lambda: 250)  # 1,000 cases
    assert parallel.affordable_workers(None, 2048) == 4
    assert parallel.affordable_workers(2, 2048) == 2
    monkeypatch.setattr(parallel, "resident_mb", lambda: 1100)  # 10,000 cases: one copy more
    assert parallel.affordable_workers(None, 2048) == 1  # would pass 2 GB: this process alone
    assert parallel.affordable_workers(None, 4096) == 2
    assert 0 < parallel.resident_mb() < 2048  # this test process, measured

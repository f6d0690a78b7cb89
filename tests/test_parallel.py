"""Work spread over worker processes gives exactly what one process gives, in the same order."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from casebook.handover import outputs
from casebook.handover.outputs import site_outputs
from casebook.library import check as pipeline
from casebook.library.check import check_library
from casebook.parallel import map_in_workers
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


def test_this_process_works_too_and_the_results_keep_their_order() -> None:
    """The forked workers take chunks from the front, this process from the back."""
    results = map_in_workers(_slow_pid, list(range(40)), workers=2, chunksize=2)
    assert [number for number, _ in results] == list(range(40))
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2
    here = [number for number, pid in results if pid == os.getpid()]
    assert here == list(range(here[0], 40))  # one run at the back


def test_a_failure_in_this_process_stops_the_workers_and_is_raised() -> None:
    def fail_at_the_back(number: int) -> int:
        if number == 39 and os.getpid() == parent:
            raise ValueError("bad item")
        return number

    parent = os.getpid()
    with pytest.raises(ValueError, match="bad item"):
        map_in_workers(fail_at_the_back, list(range(40)), workers=2, chunksize=2)


def _slow_pid(number: int) -> tuple[int, int]:
    time.sleep(0.01)
    return number, os.getpid()


def test_a_large_library_is_rendered_by_as_many_processes_as_its_memory_allows(monkeypatch) -> None:
    from casebook import parallel

    monkeypatch.setattr(parallel, "cores", lambda: 4)
    monkeypatch.setattr(parallel, "resident_mb", lambda: 250)  # 1,000 cases
    assert parallel.affordable_workers(None, 2048) == 4
    assert parallel.affordable_workers(2, 2048) == 2
    monkeypatch.setattr(parallel, "resident_mb", lambda: 1100)  # 10,000 cases: one copy more
    assert parallel.affordable_workers(None, 2048) == 1  # would pass 2 GB: this process alone
    assert parallel.affordable_workers(None, 4096) == 3
    assert 0 < parallel.resident_mb() < 2048  # this test process, measured

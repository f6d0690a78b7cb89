"""Independent jobs of a build spread over the machine's cores.

Worker processes are forked, so they share the loaded library without copying it up front, and
only the results travel back. A small library, a single core, or a caller that must not fork
(an engine's live-reload server runs threads) gets the same results in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_jobs: Sequence[Callable[[], Any]] = ()


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_jobs(jobs: Sequence[Callable[[], Any]], workers: int | None = None) -> list[Any]:
    """Each job's result, in the order of `jobs`; longest jobs should come first."""
    global _jobs
    workers = min(workers or cores(), len(jobs))
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        return [job() for job in jobs]
    _jobs = jobs  # inherited by the forked workers
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_run, range(len(jobs))))
    finally:
        _jobs = ()


def _run(index: int) -> Any:
    return _jobs[index]()

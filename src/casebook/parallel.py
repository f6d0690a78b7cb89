"""Independent jobs of a build spread over the machine's cores.

Worker processes are forked, so they share the loaded library without copying it up front, and
only the results travel back. A small library, a single core, or a caller that must not fork
(an engine's live-reload server runs threads) gets the same results in this process.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_function: Callable[[Any], Any] | None = None


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_in_workers(function: Callable[[T], R], items: Sequence[T], workers: int | None = None,
                   chunksize: int = 1) -> list[R]:
    """`function` of each item, in order. The function is inherited by the forked workers (it
    may be a closure); the items and results travel between processes, so they must pickle."""
    global _function
    workers = min(workers or cores(), len(items))
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        return [function(item) for item in items]
    _function = function
    # What this process holds is shared with the workers until one writes to it; the cyclic
    # collector in a worker would write to every object it walks, copying the whole heap into
    # each worker. Frozen objects are left out of collections until the workers are done.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_apply, items, chunksize=chunksize))
    finally:
        _function = None
        gc.unfreeze()


def run_jobs(jobs: Sequence[Callable[[], R]], workers: int | None = None) -> list[R]:
    """Each job's result, in the order of `jobs`; longest jobs should come first."""
    return map_in_workers(lambda index: jobs[index](), range(len(jobs)), workers)


def _apply(item: Any) -> Any:
    assert _function is not None
    return _function(item)


# The most memory a build plans to use, all its processes together, unless the site's settings
# say otherwise (extra.casebook.build_memory_mb).
BUILD_MEMORY_MB = 2048


def affordable_workers(workers: int | None, limit_mb: int = BUILD_MEMORY_MB) -> int:
    """How many processes fit in `limit_mb` (1: this one alone), out of `workers` (default all
    cores), when each forked worker may come to hold as much as this process does: a worker that
    reads the shared library writes reference counts, which copies the pages they are on."""
    wanted = workers or cores()
    own = max(resident_mb(), 1)
    return max(1, min(wanted, int((limit_mb - own) // own)))


def resident_mb() -> int:
    """The memory this process holds now, in MB (its resident set)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, IndexError, ValueError):  # not Linux: the peak so far instead
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return pages * os.sysconf("SC_PAGE_SIZE") // 2**20

"""Independent jobs of a build spread over the machine's cores.

Worker processes are forked, so they share the loaded library without copying it up front, and
only the results travel back. A small library, a single core, or a caller that must not fork
(an engine's live-reload server runs threads) gets the same results in this process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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
    """`function` of each item, in order, on `workers` processes (default: one per core), this
    one included. The function is inherited by the forked workers (it may be a closure); the
    items and results travel between processes, so they must pickle.

    The items are cut into chunks of `chunksize`. The forked workers take chunks from the front;
    this process, instead of waiting, takes chunks from the back until the two meet, and its own
    results never have to be sent or read back.
    """
    global _function
    workers = min(workers or cores(), len(items))
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        return [function(item) for item in items]
    chunks = [items[start:start + chunksize] for start in range(0, len(items), chunksize)]
    _function = function
    # What this process holds is shared with the workers until one writes to it; the cyclic
    # collector in a worker would write to every object it walks, copying the whole heap into
    # each worker. Frozen objects are left out of collections until the workers are done.
    gc.freeze()
    pool = ProcessPoolExecutor(workers - 1, mp_context=mp.get_context("fork"))
    try:
        futures = [pool.submit(_apply_all, chunk) for chunk in chunks]
        done_here: dict[int, list[R]] = {}
        for index in reversed(range(len(chunks))):
            if not futures[index].cancel():  # a worker has it already: the two have met
                break
            done_here[index] = [function(item) for item in chunks[index]]
        results: list[R] = []
        for index, future in enumerate(futures):
            results += done_here[index] if index in done_here else future.result()
        return results
    finally:
        pool.shutdown(cancel_futures=True)
        _function = None
        gc.unfreeze()


def run_jobs(jobs: Sequence[Callable[[], R]], workers: int | None = None,
             chunksize: int = 1) -> list[R]:
    """Each job's result, in the order of `jobs`; longest jobs should come first. The jobs are
    inherited by the workers (they may be closures); only their results travel back."""
    return map_in_workers(lambda index: jobs[index](), range(len(jobs)), workers, chunksize)


def _apply_all(chunk: Sequence[Any]) -> list[Any]:
    assert _function is not None
    return [_function(item) for item in chunk]


# The most memory a build plans to use, all its processes together, unless the site's settings
# say otherwise (extra.casebook.build_memory_mb).
BUILD_MEMORY_MB = 2048


def affordable_workers(workers: int | None, limit_mb: int = BUILD_MEMORY_MB) -> int:
    """How many processes, this one included, fit in `limit_mb` (1: this one alone), out of
    `workers` (default all cores), when each forked worker may come to hold as much as this
    process does: a worker that reads the shared library writes reference counts, which copies
    the pages they are on."""
    wanted = workers or cores()
    own = max(resident_mb(), 1)
    return max(1, min(wanted, limit_mb // own))


def resident_mb() -> int:
    """The memory this process holds now, in MB (its resident set)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, IndexError, ValueError):  # not Linux: the peak so far instead
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return pages * os.sysconf("SC_PAGE_SIZE") // 2**20


def release_memory() -> None:
    """Collect what is no longer used and hand the freed memory back to the system (glibc's
    malloc_trim, where there is one), so a process that runs another next is not charged for it."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: Python's own arenas are returned anyway
        pass

"""Where a command's time goes, for the benchmark (`make bench`), at no cost otherwise.

With CASEBOOK_TIMINGS naming a file, every `timed` stage appends one JSON line to it:
{"stage": "pages", "part": "offline", "seconds": 1.23, "start": ..., "end": ...}, where the part is
the command that ran it (`casebook offline`) and start and end are wall-clock times (time.time), by
which the benchmark finds the memory held during the stage. Several commands (as `make build` runs
them one after another) append to the same file, so the benchmark can add up each stage's share
of the whole. Without the variable nothing is measured or written.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENVIRONMENT = "CASEBOOK_TIMINGS"
_part = {"name": ""}


@contextmanager
def part(name: str) -> Iterator[None]:
    """Label the stages timed inside as belonging to `name` (the command running them)."""
    before = _part["name"]
    _part["name"] = name
    try:
        yield
    finally:
        _part["name"] = before


@contextmanager
def timed(stage: str) -> Iterator[None]:
    target = os.environ.get(ENVIRONMENT)
    if not target:
        yield
        return
    started, wall = time.perf_counter(), time.time()
    try:
        yield
    finally:
        line = {"stage": stage, "part": _part["name"],
                "seconds": round(time.perf_counter() - started, 3),
                "start": round(wall, 3), "end": round(time.time(), 3)}
        with open(target, "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")

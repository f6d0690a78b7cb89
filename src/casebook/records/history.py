"""When each record file was first added and last changed, from git.

One `git log` over cases/ for the whole library (not one call per file: libraries may hold
10,000 cases), following renames. Outside a git checkout, or without git, there is simply no
history. In a shallow clone the oldest commits are missing, so "first added" is left unknown
rather than shown wrong. The dates are commit dates, so one commit always gives the same pages.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

RECORDS_DIR = "cases"


@dataclass(frozen=True)
class RecordHistory:
    """Dates (YYYY-MM-DD) of the first and the latest commit that touched a record file."""

    first: str | None
    last: str


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root,
                              capture_output=True, text=True, encoding="utf-8", check=False,
                              timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def record_history(root: Path) -> dict[str, RecordHistory]:
    """History of every committed record file, by its path relative to `root` (cases/x.yaml)."""
    log = _git(root, "log", "-z", "-M", "--relative", "--name-status", "--format=%x01%cs", "--",
               RECORDS_DIR)
    if not log:
        return {}
    shallow = (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    return _parse(log, shallow)


def _parse(log: str, shallow: bool) -> dict[str, RecordHistory]:
    """Walk commits newest first; a rename hands the older name's history to the newer name."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    current_name: dict[str, str] = {}  # an older name → the file's name today
    ended: set[str] = set()  # deleted here: older commits of this path belong to another file
    tokens = iter(log.split("\0"))
    date = ""
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            date = token[1:]
            continue
        if not token:
            continue
        status, path = token[0], next(tokens, "")
        if status in "RC":
            new_path = next(tokens, "")
            name = current_name.get(new_path, new_path)
            if name not in ended:
                _touch(first, last, name, date)
            if status == "R":
                current_name[path] = name
            continue
        name = current_name.get(path, path)
        if name in ended:
            continue
        if status == "D":  # gone since (or re-added later as a new file)
            ended.add(name)
            continue
        _touch(first, last, name, date)
        if status == "A":
            ended.add(name)  # anything older at this path was a different file
    return {name: RecordHistory(None if shallow else first[name], last[name]) for name in last}


def _touch(first: dict[str, str], last: dict[str, str], name: str, date: str) -> None:
    last.setdefault(name, date)
    first[name] = date

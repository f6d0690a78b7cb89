"""When each record file was first added and last changed, from git; and the build's date.

One `git log` over cases/ for the whole library (not one call per file: libraries may hold
10,000 cases), following renames. In a shallow clone the oldest commits are missing, so "first
added" is left unknown rather than shown wrong. The dates are commit dates, so one commit always
gives the same pages.

A copy without git (a downloaded ZIP) has no history: its pages show each case's own 核对日期
instead, marked as such (`RecordHistory.checked`), never as a commit date.

The build's date (`build_epoch`) follows one rule for every step that writes a dated file (the
site's sitemap, the handouts' PDF metadata, the offline zip): SOURCE_DATE_EPOCH when it holds a
number of seconds (empty or anything else counts as unset), else the last commit, else the latest
date in the records. One tree always gives the same bytes, with or without git.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

RECORDS_DIR = "cases"
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"
NO_HISTORY = ("没有 git 修订记录（例如下载的 ZIP 副本）：页面显示各案例的核对日期，"
              "构建日期取自记录中最晚的核对日期或来源日期。")


@dataclass(frozen=True)
class RecordHistory:
    """Dates (YYYY-MM-DD) of the first and the latest commit that touched a record file.

    With `checked`, there was no history: `last` is the record's own 核对日期 (its `checked`).
    """

    first: str | None
    last: str
    checked: bool = False


class Records(Protocol):
    """What the dating needs of a library (casebook.library.link.Library): the cases, their files."""

    @property
    def cases(self) -> Mapping[str, Mapping[str, Any]]: ...

    @property
    def files(self) -> Mapping[tuple[str, str], str]: ...


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root,
                              capture_output=True, text=True, encoding="utf-8", check=False,
                              timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def record_history(root: Path, library: Records | None = None) -> dict[str, RecordHistory]:
    """History of every committed record file, by its path relative to `root` (cases/x.yaml).

    Without git history, each case file's 核对日期 from `library` (none without a library).
    """
    log = _git(root, "log", "-z", "-M", "--relative", "--name-status", "--format=%x01%cs", "--",
               RECORDS_DIR)
    if not log:
        return checked_dates(library) if library is not None else {}
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


def checked_dates(library: Records) -> dict[str, RecordHistory]:
    """Each case file's own 核对日期, for a copy without git history."""
    return {library.files[("case", cid)]: RecordHistory(None, case["checked"], checked=True)
            for cid, case in library.cases.items()
            if ("case", cid) in library.files and isinstance(case.get("checked"), str)}


def has_history(root: Path) -> bool:
    """Whether the tree at `root` is a git checkout with commits (not so in a downloaded copy)."""
    return _last_commit(root) is not None


def build_epoch(root: Path, library: Records) -> int | None:
    """The build's date in seconds: the one rule for every dated file (see the module's notes).

    None only for an empty library outside git: the tools then leave their dates out or use
    their own fixed ones.
    """
    value = os.environ.get(EPOCH_VARIABLE, "").strip()
    if value.isdigit():
        return int(value)
    return _last_commit(root) or _latest_record_date(library)


def pin_build_epoch(root: Path, library: Records) -> int | None:
    """`build_epoch`, also written to SOURCE_DATE_EPOCH for the tools that read it themselves.

    MkDocs (sitemap, page dates) and fontTools (the fonts embedded in a PDF) stop on an empty
    value and take today's date when it is unset; both then get the same date as the rest.
    """
    epoch = build_epoch(root, library)
    if epoch is None:
        os.environ.pop(EPOCH_VARIABLE, None)
    else:
        os.environ[EPOCH_VARIABLE] = str(epoch)
    return epoch


def _last_commit(root: Path) -> int | None:
    """The date of the last commit of the repository at `root`; a folder that only lies inside
    another repository (untracked) has none."""
    out = (_git(root, "log", "-1", "--format=%ct", "--", ".") or "").strip()
    return int(out) if out.isdigit() else None


def _latest_record_date(library: Records) -> int | None:
    """Midnight (UTC) of the latest 核对日期 or source date in the cases; a year or a month alone
    counts from its first day."""
    dates = [date for case in library.cases.values()
             for date in [case.get("checked"), *(s.get("date") for s in case.get("sources", []))]
             if isinstance(date, str)]
    if not dates:
        return None
    year, month, day = (max(dates).split("-") + ["01", "01"])[:3]
    try:
        when = dt.datetime(int(year), int(month), int(day), tzinfo=dt.UTC)
    except ValueError:
        return None
    return int(when.timestamp())

"""Each record's history (first added, last changed) from git, in a throwaway repository; and
the build's date, by one rule for every step.

Commits are made with fixed dates, so the expected dates are known; a rename must carry the
older history over, a shallow clone must not pretend to know when a file was first added, and
outside a git checkout there is no history: pages show each case's own 核对日期, said to be one.
The build's date is SOURCE_DATE_EPOCH when it is a number, else the last commit, else the latest
date in the records (tests/test_no_git.py builds a copy without git).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from casebook.library.link import Library
from casebook.records.history import (
    EPOCH_VARIABLE,
    RecordHistory,
    build_epoch,
    has_history,
    pin_build_epoch,
    record_history,
)
from conftest import run_cli


def git(repo: Path, *args: str, date: str = "2021-03-04T10:00:00+08:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.org"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def commit(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)


def make_repo(path: Path) -> Path:
    (path / "cases" / "vocab" / "themes").mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "cases" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    (path / "cases" / "old-name.yaml").write_text("id: b\ntitle: 原来的名字\n", encoding="utf-8")
    (path / "cases" / "vocab" / "themes" / "themes.yaml").write_text("[]\n", encoding="utf-8")
    commit(path, "first", "2020-05-06T09:00:00+08:00")
    (path / "cases" / "a.yaml").write_text("id: a\ntitle: 改过\n", encoding="utf-8")
    git(path, "mv", "cases/old-name.yaml", "cases/b.yaml")
    commit(path, "second", "2022-07-26T09:00:00+08:00")
    (path / "cases" / "c.yaml").write_text("id: c\n", encoding="utf-8")
    (path / "README.md").write_text("not a record\n", encoding="utf-8")
    commit(path, "third", "2024-01-02T09:00:00+08:00")
    return path


def test_first_and_last_commit_of_each_record_file(tmp_path: Path) -> None:
    history = record_history(make_repo(tmp_path / "repo"))
    assert history == {
        "cases/a.yaml": RecordHistory("2020-05-06", "2022-07-26"),
        "cases/b.yaml": RecordHistory("2020-05-06", "2022-07-26"),  # renamed: keeps its history
        "cases/c.yaml": RecordHistory("2024-01-02", "2024-01-02"),
        "cases/vocab/themes/themes.yaml": RecordHistory("2020-05-06", "2020-05-06"),
    }


def test_a_file_deleted_and_added_again_starts_a_new_history(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "cases" / "c.yaml").unlink()
    commit(repo, "remove c", "2024-02-01T09:00:00+08:00")
    (repo / "cases" / "c.yaml").write_text("id: c\ntitle: 重写\n", encoding="utf-8")
    commit(repo, "add c again", "2024-03-01T09:00:00+08:00")
    assert record_history(repo)["cases/c.yaml"] == RecordHistory("2024-03-01", "2024-03-01")


def test_a_shallow_clone_does_not_guess_when_a_file_was_added(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", "shallow")
    history = record_history(tmp_path / "shallow")
    assert history["cases/c.yaml"] == RecordHistory(None, "2024-01-02")


def test_outside_a_git_checkout_there_is_no_history(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    assert record_history(tmp_path) == {}
    assert not has_history(tmp_path)
    library = two_cases()
    assert record_history(tmp_path, library) == {  # the records' own dates, marked as such
        "cases/a.yaml": RecordHistory(None, "2024-05-01", checked=True),
        "cases/b.yaml": RecordHistory(None, "2023-01-09", checked=True),
    }


def two_cases() -> Library:
    library = Library()
    library.cases = {
        "a": {"id": "a", "checked": "2024-05-01", "sources": [{"date": "2021"}]},
        "b": {"id": "b", "checked": "2023-01-09", "sources": [{"date": "2024-06"}]},
    }
    library.files = {("case", "a"): "cases/a.yaml", ("case", "b"): "cases/b.yaml"}
    return library


def midnight(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())


@pytest.mark.parametrize("value", [None, "", "  ", "yesterday", "-5", "1.5"])
def test_without_a_usable_epoch_a_checkout_is_dated_by_its_last_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """An empty or invalid SOURCE_DATE_EPOCH counts as unset (MkDocs would stop on it)."""
    repo = make_repo(tmp_path / "repo")
    if value is None:
        monkeypatch.delenv(EPOCH_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(EPOCH_VARIABLE, value)
    third = int(dt.datetime.fromisoformat("2024-01-02T09:00:00+08:00").timestamp())
    assert has_history(repo)
    assert build_epoch(repo, two_cases()) == third
    assert pin_build_epoch(repo, two_cases()) == third
    assert os.environ[EPOCH_VARIABLE] == str(third)  # what MkDocs and fontTools then read


def test_a_set_epoch_wins_and_without_git_the_latest_record_date_dates_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EPOCH_VARIABLE, "1700000000")
    assert build_epoch(make_repo(tmp_path / "repo"), two_cases()) == 1700000000
    monkeypatch.setenv(EPOCH_VARIABLE, "")
    plain = tmp_path / "download"
    (plain / "cases").mkdir(parents=True)
    # The latest of all checked and source dates; a month alone counts from its first day.
    assert build_epoch(plain, two_cases()) == midnight("2024-06-01")
    assert pin_build_epoch(plain, Library()) is None  # nothing to date by: left unset
    assert EPOCH_VARIABLE not in os.environ


def test_case_pages_show_the_history_from_git(sandbox: Path, tmp_path: Path) -> None:
    """The sandbox made a repository: the rendered case page carries its record's dates."""
    git(sandbox, "init", "-q", "-b", "main")
    seed = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    kept = seed.read_text(encoding="utf-8")
    seed.unlink()
    commit(sandbox, "library without the case", "2022-01-01T09:00:00+08:00")
    seed.write_text(kept, encoding="utf-8")
    commit(sandbox, "add the case", "2022-07-26T09:00:00+08:00")
    reviewed = 'status: reviewed\nreview:\n  by: casebook-reviewer\n  date: "2023-05-01"'
    seed.write_text(kept.replace("status: draft", reviewed), encoding="utf-8")
    commit(sandbox, "reviewed", "2023-05-01T09:00:00+08:00")
    out = tmp_path / "pages"
    result = run_cli("render", "--root", sandbox, "--out", out, "--whole-pages", cwd=sandbox)
    assert result.code == 0, result.output
    page = (out / "docs" / "cases" / "zunyi-wuqiang-zuzhi.md").read_text(encoding="utf-8")
    assert ('<time datetime="2022-07-26">2022-07-26</time> 首次加入，'
            '<time datetime="2023-05-01">2023-05-01</time> 最近修改') in page
    other = (out / "docs" / "cases" / "bijie-sige-liuxia.md").read_text(encoding="utf-8")
    assert '<time datetime="2022-01-01">2022-01-01</time> 首次加入' in other
    shutil.rmtree(sandbox / ".git")
    again = tmp_path / "again"
    assert run_cli("render", "--root", sandbox, "--out", again, "--whole-pages", cwd=sandbox).code == 0
    page = (again / "docs" / "cases" / "zunyi-wuqiang-zuzhi.md").read_text(encoding="utf-8")
    assert "首次加入" not in page and "最近修改" not in page  # no commit dates are invented
    checked = yaml.safe_load(kept)["checked"]
    assert f'核对日期 <time datetime="{checked}">{checked}</time>' in page

"""Stage timings for the benchmark: written only when asked, labelled by the command that ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook import timings
from conftest import run_cli


def test_nothing_is_written_without_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(timings.ENVIRONMENT, raising=False)
    monkeypatch.chdir(tmp_path)
    with timings.timed("pages"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_each_stage_is_one_line_in_its_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "t.jsonl"
    monkeypatch.setenv(timings.ENVIRONMENT, str(log))
    with timings.part("offline"), timings.timed("zip"):
        pass
    with timings.timed("links"):
        pass
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["stage"], x["part"]) for x in lines] == [("zip", "offline"), ("links", "")]
    assert all(x["seconds"] >= 0 and x["start"] <= x["end"] for x in lines)


def test_a_command_labels_its_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "t.jsonl"
    monkeypatch.setenv(timings.ENVIRONMENT, str(log))
    assert run_cli("validate").code == 0
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["stage"], x["part"]) for x in lines] == [("validate", "validate")]

"""Shared fixtures: a throwaway copy of the repository to break, and the real CLI to run on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("cases", "macros", "content", "scripts", "mkdocs.yml")


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str | Path, cwd: Path = ROOT) -> CliResult:
    """Run the real `casebook` command line in a subprocess."""
    done = subprocess.run([sys.executable, "-m", "casebook.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A copy of the repository's records, templates, pages and site config in tmp_path."""
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy2(source, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT

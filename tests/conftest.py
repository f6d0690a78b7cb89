"""Shared fixtures: a throwaway copy of the repository to break, and the real CLI to run on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("cases", "macros", "content", "scripts", "mkdocs.yml", "CONTRIBUTING.md", "node_modules")
# The tests of what an engine builds (pages, links, anchors, titles, search index, offline copy,
# handouts from its pages): `make test` runs them on the default engine with the rest, then
# again on the second engine (`make test-engine`). The browser tests run on the default only.
ENGINE_TESTS = {"test_site_pages", "test_site_hostile", "test_phone_pages", "test_offline",
                "test_search_shards", "test_prerendered", "test_courses", "test_no_git",
                "test_handouts", "test_export", "test_site_build_cli"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__ in ENGINE_TESTS:
            item.add_marker(pytest.mark.engine)


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


@pytest.fixture(autouse=True)
def _build_date_left_as_found() -> Iterator[None]:
    """Making handouts in this process pins SOURCE_DATE_EPOCH for the typesetter (as the `casebook
    pdf` command does); no test may pass its build date on to the builds of the tests after it."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    yield
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


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


@pytest.fixture(scope="session")
def site_with_handouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site as `make build` makes it: a strict build, then the handout PDFs.

    Built once per session for the course and handout tests; handouts are cached in the sibling
    folder `handout-cache` so that a later run can show that unchanged handouts are reused.
    """
    from sitebuild import SOURCE_DATE_EPOCH, build_site, make_handouts

    folder = tmp_path_factory.mktemp("site-with-handouts")
    site = folder / "site"
    done = build_site(ROOT, site, env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})  # as the steps after
    assert done.returncode == 0, done.stderr
    done = make_handouts(ROOT, site, "--cache", folder / "handout-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    return site


@pytest.fixture(scope="session")
def offline_copy(tmp_path_factory: pytest.TempPathFactory, site_with_handouts: Path) -> Path:
    """`casebook offline` run once, as `make build` ends: the copy's folder, derived from a copy
    of the built site (`published_site`, beside it, which then serves the zip); the zip lies
    beside the copy too."""
    from sitebuild import make_offline

    folder = tmp_path_factory.mktemp("offline")
    shutil.copytree(site_with_handouts, folder / "site")
    done = make_offline(ROOT, folder / "site", folder / "copy", folder / "casebook-offline.zip")
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "copy"


@pytest.fixture(scope="session")
def published_site(offline_copy: Path) -> Path:
    """The built site the offline copy was derived from, with the zip on its downloads page."""
    return offline_copy.parent / "site"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One strict build of the repository's site, shared by the tests that only read it."""
    from sitebuild import build_site

    site = tmp_path_factory.mktemp("built-site")
    done = build_site(ROOT, site)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A strict build of the library plus a case carrying hostile payloads in every prose field."""
    import yaml

    from sitebuild import build_site
    from test_site_hostile import hostile_case

    root = tmp_path_factory.mktemp("hostile-repo")
    for name in COPIED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, root / name)
    original = yaml.safe_load((root / "cases" / "zunyi-wuqiang-zuzhi.yaml").read_text("utf-8"))
    case = hostile_case(original)
    text = yaml.safe_dump(case, allow_unicode=True, sort_keys=False)
    (root / "cases" / f"{case['id']}.yaml").write_text(text, encoding="utf-8")
    site = root / "site"
    done = build_site(root, site)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="module")
def base(built_site: Path) -> Iterator[str]:
    """The shared built site, served on 127.0.0.1 for the browser tests of one module."""
    from browsing import serve

    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test module."""
    from browsing import chromium

    with chromium() as instance:
        yield instance

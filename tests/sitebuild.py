"""Real site builds (`casebook build`: stage, engine, finish) into temporary folders, and helpers to
read the HTML they produce.

The engine is the default one unless CASEBOOK_ENGINE names another: `make test-engine` runs the
site and link tests again with the second engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

Env = dict[str, str | None]


def environment(*defaults: Env, env: Env | None = None) -> dict[str, str]:
    """This process's environment with `defaults`, then `env`, applied; a None value unsets."""
    merged: Env = {**os.environ}
    for layer in (*defaults, env or {}):
        merged.update(layer)
    return {k: v for k, v in merged.items() if v is not None}


def build_site(root: Path, site_dir: Path, *, strict: bool = True, quiet: bool = True,
               env: Env | None = None, engine: str | None = None) -> subprocess.CompletedProcess:
    """Run the real `casebook build` (as `make build` does, without the handouts) on the
    repository copy at `root`, staging beside `site_dir` (`quiet`: no summary line)."""
    command = [sys.executable, "-m", "casebook.cli", "build", "--root", str(root), "--site-dir",
               str(site_dir), "--stage", str(site_dir.with_name(site_dir.name + "-stage"))]
    if engine:
        command += ["--engine", engine]
    if not strict:
        command.append("--no-strict")
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600,
                          env=environment(env=env))
    if quiet:
        done.stdout = ""
    return done


def engine() -> str:
    """The engine the tests build with (casebook.handover.engines)."""
    from casebook.handover.engines import engine_named

    return engine_named(None).name


# The build date `make build` takes from the last commit; fixed here so runs can be compared.
SOURCE_DATE_EPOCH = "1763744231"  # 2025-11-21T16:57:11Z


def make_handouts(root: Path, site_dir: Path, *args: str | Path,
                  env: Env | None = None) -> subprocess.CompletedProcess:
    """Run the real `casebook pdf` step into an already built site, as `make build` does."""
    command = [sys.executable, "-m", "casebook.cli", "pdf", "--root", str(root), "--site",
               str(site_dir), *map(str, args)]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600,
                          env=environment({"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}, env=env))


def make_offline(root: Path, site_dir: Path, out: Path, zip_path: Path, *args: str | Path,
                 env: Env | None = None) -> subprocess.CompletedProcess:
    """Run the real `casebook offline` (as `make build` does last): the copy of the built site at
    `site_dir` into `out`, its zip, and the zip published into the site."""
    command = [sys.executable, "-m", "casebook.cli", "offline", "--root", str(root), "--site",
               str(site_dir), "--out", str(out), "--zip", str(zip_path), *map(str, args)]
    defaults = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600,
                          env=environment(defaults, env=env))


def page(site_dir: Path, url: str) -> BeautifulSoup:
    """Parsed HTML of the page served at `url` (e.g. `cases/x/`)."""
    path = site_dir / url / "index.html" if not url.endswith(".html") else site_dir / url
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def content(soup: BeautifulSoup) -> BeautifulSoup:
    """The article body of a Material page, without navigation chrome."""
    article = soup.select_one("article.md-content__inner")
    assert article is not None, "page has no article"
    return article


def publish(root: Path, folder: Path, *args: str | Path, env: Env | None = None,
            ) -> subprocess.CompletedProcess:
    """Run the real `casebook publish` (what `make build` runs) into `folder`: site/, offline/,
    casebook-offline.zip, the handout cache handout-cache/ and the stage stage/."""
    command = [sys.executable, "-m", "casebook.cli", "publish", "--root", str(root),
               "--site-dir", str(folder / "site"), "--stage", str(folder / "stage"),
               "--cache", str(folder / "handout-cache"), "--out", str(folder / "offline"),
               "--zip", str(folder / "casebook-offline.zip"), *map(str, args)]
    defaults = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=900,
                          env=environment(defaults, env=env))

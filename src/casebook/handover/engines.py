"""The site engines, run as commands on a staged docs tree, never imported.

The core stages everything it generates as files (casebook.handover.stage); an engine then builds
that tree as it would any hand-written site, from an engine config the stage writes beside it
(`engine.yml`: the project's mkdocs.yml by INHERIT, with the stage's folders). Both engines read
mkdocs.yml; neither runs a hook or plugin of ours. What the engine leaves of its own that the
site does not serve is listed here and removed after the build (casebook.handover.finish).

Adding an engine means adding an entry to ENGINES: how to build, how to serve, what it leaves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Engine:
    """How to run one engine on a config file: its build and preview commands."""

    name: str
    label: str
    module: str  # run as `python -m module`, so the engine of this environment is the one run
    build_args: tuple[str, ...]
    serve_args: tuple[str, ...]
    strict_flag: str = "--strict"
    # Files an engine writes into the site that the site does not serve (its own search index:
    # the site has Pagefind's, casebook.site.search_index).
    leftovers: tuple[str, ...] = ()
    # Engine settings that mkdocs.yml's shared keys cannot express, merged into engine.yml.
    config: tuple[tuple[str, object], ...] = ()


ENGINES = {
    "zensical": Engine(
        name="zensical", label="Zensical", module="zensical",
        build_args=("build",), serve_args=("serve",),
        # Its built-in search writes search.json; the header's search box is the site's own.
        leftovers=("search.json",),
        config=(("plugins", {"search": {"enabled": False}}),),
    ),
    "properdocs": Engine(
        name="properdocs", label="ProperDocs", module="properdocs",
        build_args=("build",), serve_args=("serve", "--dirty"),
    ),
}
DEFAULT_ENGINE = "zensical"
ENVIRONMENT = "CASEBOOK_ENGINE"  # the engine `make` and the tests use when none is named


class EngineError(RuntimeError):
    """The engine is missing or its build failed; the message is for people."""


def engine_named(name: str | None) -> Engine:
    name = name or os.environ.get(ENVIRONMENT) or DEFAULT_ENGINE
    if name not in ENGINES:
        raise EngineError(f"没有名为“{name}”的网站引擎；可用的有：{'、'.join(ENGINES)}。")
    return ENGINES[name]


def engine_environment() -> dict[str, str]:
    # MkDocs 1.x (under ProperDocs) prints a notice about MkDocs 2.0 on every run; the README
    # tracks the engines' future, the build log need not.
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


def command(engine: Engine, config: Path, args: Sequence[str], *, strict: bool) -> list[str]:
    line = [sys.executable, "-m", engine.module, *args, "--config-file", str(config)]
    return line + ([engine.strict_flag] if strict else [])


def run_build(engine: Engine, config: Path, *, strict: bool = True,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Build the staged tree of `config` (its engine.yml names the site folder)."""
    if shutil.which(engine.module) is None and not _importable(engine.module):
        raise EngineError(f"没有安装网站引擎 {engine.label}；请运行 make venv。")
    done = subprocess.run(command(engine, config, engine.build_args, strict=strict),
                          cwd=config.parent, capture_output=True, text=True,
                          env={**engine_environment(), **(env or {})}, check=False)
    if done.returncode != 0:
        raise EngineError(f"{engine.label} 构建失败：\n{done.stdout}{done.stderr}")
    return done


def _importable(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                           check=False)
    return probe.returncode == 0

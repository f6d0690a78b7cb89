"""The package's layout keeps its promise: stages import one way, and nothing imports in a circle.

The contracts live in pyproject.toml ([tool.importlinter]) and are checked by import-linter, on the
package as it is and on copies of it with a rule broken on purpose, to show that the check bites.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "casebook"
LINT = Path(sys.executable).with_name("lint-imports")
STAGES = ("records", "library", "site", "files", "contribute", "handover")


def lint(source: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts of pyproject.toml against the package found at `source`/casebook."""
    env = {**os.environ, "PYTHONPATH": str(source), "NO_COLOR": "1"}
    return subprocess.run([str(LINT), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                          cwd=source, env=env, capture_output=True, text=True, timeout=120)


def broken(copy: Path) -> str:
    result = lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "casebook", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text("utf-8") + "\n" + line + "\n", "utf-8")


def test_the_package_keeps_every_contract() -> None:
    result = lint(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_circle_inside_a_stage_is_refused_even_for_type_hints(copy: Path) -> None:
    # The circle this layout removed: the library's index ranks related cases, whose module
    # once imported the index back for its type.
    add_line(copy / "casebook/library/related.py",
             "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
             "    from casebook.library.link import Library  # noqa: F401")
    out = broken(copy)
    assert "No modules or folders import each other in a circle" in out
    assert ".related -> .link" in out


def test_an_import_against_the_stages_is_refused(copy: Path) -> None:
    # Reading a record must never need the site: records sit below everything else.
    add_line(copy / "casebook/records/load.py", "from casebook.site import render  # noqa: E402")
    out = broken(copy)
    assert "Stages import only from the stages below them" in out
    assert "casebook.records.load -> casebook.site.render" in out


def test_a_new_top_level_module_must_be_given_a_stage(copy: Path) -> None:
    (copy / "casebook/helpers.py").write_text('"""Anything."""\n', "utf-8")
    assert "casebook.helpers" in broken(copy)


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_takes_and_gives(stage: str) -> None:
    init = PACKAGE / stage / "__init__.py"
    tree = ast.parse(init.read_text("utf-8"))
    doc = ast.get_docstring(tree) or ""
    assert len(doc.split()) >= 20 and "Takes" in doc and "gives" in doc, f"{init}: {doc!r}"
    assert not [node for node in tree.body if not isinstance(node, ast.Expr)], \
        f"{init} should hold only its docstring, so importing a stage loads none of its modules"


def test_the_readme_names_every_stage_folder() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [stage for stage in STAGES if f"{stage}/" not in readme]
    assert not missing, missing


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "scripts").glob("*.py")))
def test_scripts_are_entry_points_only(script: str) -> None:
    """A benchmark's code lives in casebook.bench, where the layout test sees its imports."""
    tree = ast.parse((ROOT / "scripts" / script).read_text("utf-8"))
    defined = [node.name for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    assert not defined, f"scripts/{script} defines {defined}: move them into src/casebook/"
    assert "sys.path" not in ast.unparse(tree)

"""Preview pages for records that failed validation, so a contributor sees the problems in place.

During a preview the site is still built from every valid record; a case that fails gets a page
at its usual address listing what to fix, instead of disappearing (and breaking links to it).
"""

from __future__ import annotations

from pathlib import Path

from casebook.link import Library
from casebook.problems import Problem
from casebook.render import Page, Renderer, record_path


def problem_pages(library: Library, root: Path, problems: list[Problem]) -> list[Page]:
    """One page per broken case or course file, at its own address, listing its problems."""
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity == "error":
            by_file.setdefault(problem.file, []).append(problem)
    renderer = Renderer(library, root / "macros")
    return [renderer.render("invalid_case.md.j2", _address(rel), rel,
                            problems=[p.as_dict() for p in found])
            for rel, found in sorted(by_file.items())]


def _address(rel: str) -> str:
    path = Path(rel)
    if path.parent.name == "courses":
        return f"courses/{path.stem}.md"
    return record_path("case", path.stem)

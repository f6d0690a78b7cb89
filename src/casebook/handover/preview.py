"""What a preview (`casebook serve`) needs beyond a build.

Pages for records that failed validation, so a contributor sees the problems in place: the site
is still built from every valid record, and a case that fails gets a page at its usual address
listing what to fix, instead of disappearing (and breaking links to it).

And a quick way to show an edit: when only cases changed since the last rendering, only their
own pages are rendered again (see `changed_cases`), so a library of a thousand cases previews an
edit in seconds instead of rendering the whole site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casebook.files.trainer_pages import compare_part
from casebook.library.link import VOCABULARIES, Library
from casebook.records.history import record_history
from casebook.records.problems import Problem
from casebook.site.render import Page, Renderer, record_path


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


def changed_cases(before: Library | None, after: Library) -> set[str] | None:
    """The cases whose records changed between two loads of the library, when nothing else did.

    None when anything else changed (a case added or removed, a vocabulary, a course): then every
    page may show the change, and the whole site is rendered again.
    """
    if before is None or set(before.cases) != set(after.cases):
        return None
    if any(getattr(before, kind) != getattr(after, kind) for kind in (*VOCABULARIES, "courses")):
        return None
    return {cid for cid, case in after.cases.items() if case != before.cases[cid]}


def changed_case_outputs(library: Library, root: Path, settings: dict[str, Any],
                         case_ids: set[str]) -> list[Page]:
    """For a preview after editing cases only: their pages and their parts of the compare page.

    Pages that list or sum up cases (practices, indicators, indexes, downloads, search) keep
    their last rendering until the next full one: a preview shows an edit at once, a build
    renders everything.
    """
    settings = {"history": record_history(root, library), **settings}
    renderer = Renderer(library, root / "macros", settings)
    return [page for cid in sorted(case_ids)
            for page in (renderer.case(cid), compare_part(library, renderer, library.cases[cid]))]

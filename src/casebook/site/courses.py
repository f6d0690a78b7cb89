"""Course pages: trainers' session plans resolved against the cases and rendered.

A course (cases/courses/<id>.yaml) names cases, practices to draw out and indicators to compare
in each session; its references are checked with the others in the link stage
(`casebook.library.link.check_course`). The same plain view of a course feeds its page and its
printable handout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casebook.library.link import Library
from casebook.site.render import Page, Renderer, handout_path, record_path


def course_view(library: Library, cid: str) -> dict[str, Any]:
    """A course with its sessions resolved to plain data: cases, local variants, figures.

    Each practice comes with the session's cases that use it (case, entry, 1-based position of
    the entry on the case page, for its `#p-N` anchor); each indicator with the values the
    session's cases report. Cases missing from the library (a preview that left out a broken
    case) are skipped rather than failing the page.
    """
    course = library.courses[cid]
    sessions = []
    start = 0
    for number, session in enumerate(course["sessions"], 1):
        cases = [library.cases[c] for c in session["cases"] if c in library.cases]
        practices = [
            {"practice": library.practices[pid],
             "variants": [(case, entry, position) for case in cases
                          for position, entry in enumerate(case["practices"], 1)
                          if entry["practice"] == pid]}
            for pid in session.get("practices", []) if pid in library.practices]
        indicators = [
            {"indicator": library.indicators[iid],
             "figures": [(case, value) for case in cases for value in case["indicators"]
                        if value["indicator"] == iid]}
            for iid in session.get("indicators", []) if iid in library.indicators]
        sessions.append({"number": number, "session": session, "start": start, "cases": cases,
                         "practices": practices, "indicators": indicators})
        start += session["minutes"]
    used = {case["id"]: case for s in sessions for case in s["cases"]}
    return {"course": course, "sessions": sessions, "cases": [used[k] for k in sorted(used)],
            "chains": {k: library.region_chain(c["place"]["region"]) for k, c in used.items()}}


def course_pages(library: Library, root: Path, settings: dict[str, Any] | None = None) -> list[Page]:
    """The page of every course, and the course index."""
    renderer = Renderer(library, root / "macros", settings)
    pages = [renderer.render("course.md.j2", record_path("course", cid),
                             library.files[("course", cid)], handout=handout_path("course", cid),
                             **course_view(library, cid))
             for cid in sorted(library.courses)]
    courses = [library.courses[cid] for cid in sorted(library.courses)]
    cases = {cid: sorted({c for s in course["sessions"] for c in s["cases"]})
             for cid, course in library.courses.items()}
    pages.append(renderer.render("courses_index.md.j2", record_path("course"), courses=courses,
                                 cases=cases))
    return pages

"""Courses: trainers' session plans built from the cases, checked against them and rendered.

A course (cases/courses/<id>.yaml) names cases, practices to draw out and indicators to compare
in each session. Its references are checked like any other (with "did you mean"), and also for
sense: a practice a session draws out must be one that a case of that session uses, otherwise the
course page would show nothing for it. The same plain view of a course feeds its page and its
printable handout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook.load import Document
from casebook.problems import field_name
from casebook.render import Page, Renderer, handout_path, record_path

if TYPE_CHECKING:
    from casebook.link import Library

# What a session lists, the field of a case entry that matches it, and the verb for messages.
_SHOWN_BY = (("practices", "practices", "practice", "采用"),
             ("indicators", "indicators", "indicator", "报告"))


def check_course(library: Library, doc: Document, course: dict[str, Any],
                 check: Callable[..., None], problem: Callable[..., None]) -> None:
    """Report every session reference that does not exist, or that none of its cases shows."""
    rid = course["id"]
    for i, session in enumerate(course["sessions"]):
        for j, ref in enumerate(session["cases"]):
            check("course", "case", ("sessions", i, "cases", j), ref, rid)
        cases = [library.cases[c] for c in session["cases"] if c in library.cases]
        complete = len(cases) == len(session["cases"])  # else what the cases show is unknown
        for section, target, key, verb in _SHOWN_BY:
            for j, ref in enumerate(session.get(section, [])):
                path = ("sessions", i, section, j)
                check("course", target, path, ref, rid)
                known = library.of(target)
                if not complete or ref not in known or _shown(cases, section, key, ref):
                    continue
                users = [c["id"] for c in library.sorted_cases() if _shown([c], section, key, ref)]
                hint = (f"{verb}它的案例有：{'、'.join(users[:6])}；可以把其中一个加入本节 cases，或删去这一项。"
                        if users else f"目前还没有案例{verb}它；请删去这一项。")
                problem(doc, path, f"{field_name(path)}：本节的案例都没有{verb}“{known[ref]['name']}”（{ref}）",
                        hint, f"course-{key}")


def _shown(cases: list[dict[str, Any]], section: str, key: str, ref: str) -> bool:
    return any(entry[key] == ref for case in cases for entry in case[section])


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

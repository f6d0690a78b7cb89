"""Course records: validated through the real CLI like every record, and published as pages.

Broken courses are made by changing one line of a copy of a real example course in a sandbox;
expected lines and columns are computed from the changed text. Page tests read the real build
that `site_with_handouts` (conftest.py) makes once per session.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, CliResult, run_cli
from sitebuild import content, page

COURSE_FILES = sorted((ROOT / "cases" / "courses").glob("*.yaml"))
COURSES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in COURSE_FILES}
CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
EXAMPLE = "xinren-cun-shuji"
REL = f"cases/courses/{EXAMPLE}.yaml"


def cli(*args: str | Path, cwd: Path = ROOT) -> CliResult:
    result = run_cli(*args, cwd=cwd)
    assert "Traceback" not in result.output, result.output
    return result


def edit_course(sandbox: Path, old: str, new: str) -> str:
    """Replace the one occurrence of `old` in the example course; return the new text."""
    path = sandbox / REL
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def position(text: str, line_text: str, token: str) -> tuple[int, int]:
    """(line, column), 1-based, of `token` on the only line containing `line_text`."""
    lines = [i for i, line in enumerate(text.splitlines()) if line_text in line]
    assert len(lines) == 1, line_text
    line = text.splitlines()[lines[0]]
    return lines[0] + 1, line.index(token) + 1


def problems(sandbox: Path) -> tuple[CliResult, list[dict]]:
    result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    return result, result.json()["problems"]


# --- validation ---------------------------------------------------------------------------------


def test_two_example_courses_ship_and_are_valid() -> None:
    assert len(COURSES) >= 2
    for path in COURSE_FILES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../src/casebook/schemas/course.schema.json"
        course = COURSES[path.stem]
        assert course["id"] == path.stem
        assert sum(s["minutes"] for s in course["sessions"]) == course["duration"]
        assert {c for s in course["sessions"] for c in s["cases"]} <= set(CASES)
    result = cli("validate", "--format", "json")
    assert result.code == 0, result.output
    assert result.json()["files"] == len(list((ROOT / "cases").rglob("*.yaml")))


def test_broken_case_reference_names_file_line_field_and_the_case_meant(sandbox: Path) -> None:
    text = edit_course(sandbox, "cases: [bijie-sige-liuxia, tongren-youxiao-xianjie]",
                       "cases: [bijie-sige-liuxia, tongren-youxiao-xianjei]")
    line, col = position(text, "tongren-youxiao-xianjei", "tongren-youxiao-xianjei")
    result = cli("validate", "--root", sandbox, cwd=sandbox)
    assert result.code == 1
    assert (f"{REL}:{line}:{col}: sessions[0].cases[1]：案例 tongren-youxiao-xianjei 不存在"
            in result.stdout), result.stdout
    assert "提示：您是否想写 tongren-youxiao-xianjie（构建脱贫攻坚与乡村振兴有效衔接组织保障体系研究）？" in result.stdout
    assert "发现 1 个错误" in result.stdout


def test_case_written_by_its_title_gets_its_id_suggested(sandbox: Path) -> None:
    title = CASES["bijie-sige-liuxia"]["title"]
    text = edit_course(sandbox, "cases: [bijie-sige-liuxia, tongren-youxiao-xianjie]",
                       f"cases: [{title}, tongren-youxiao-xianjie]")
    result, found = problems(sandbox)
    assert result.code == 1
    assert [(p["file"], p["field"], p["code"]) for p in found] == [
        (REL, "sessions[0].cases[0]", "schema-pattern")]
    assert (found[0]["line"], found[0]["column"]) == position(text, title, title)
    assert "您是否想写 bijie-sige-liuxia" in found[0]["hint"]


def test_session_minutes_must_add_up_to_the_duration(sandbox: Path) -> None:
    course = COURSES[EXAMPLE]
    minutes = course["sessions"][1]["minutes"]
    text = edit_course(sandbox, f"    minutes: {minutes}\n    format: case-study\n    cases: [zunyi",
                       f"    minutes: {minutes - 20}\n    format: case-study\n    cases: [zunyi")
    result, found = problems(sandbox)
    assert result.code == 1
    assert [(p["field"], p["code"]) for p in found] == [("duration", "duration")]
    assert (found[0]["line"], found[0]["column"]) == position(text, "duration:", str(course["duration"]))
    assert f"各节 minutes 合计 {course['duration'] - 20} 分钟" in found[0]["message"]


def test_practice_to_draw_out_must_be_used_by_a_case_of_the_session(sandbox: Path) -> None:
    # tese-chanye (培育村级主导特色产业) is used by Shiqian and Tongren, not by session 4's cases.
    old = "practices: [houbei-liliang, rencai-huiyin, diyi-shuji-zhucun, cungan-peixun]"
    text = edit_course(sandbox, old, old.replace("]", ", tese-chanye]"))
    result, found = problems(sandbox)
    assert result.code == 1
    assert [(p["field"], p["code"]) for p in found] == [("sessions[3].practices[4]", "course-practice")]
    assert (found[0]["line"], found[0]["column"]) == position(text, "tese-chanye", "tese-chanye")
    assert "本节的案例都没有采用" in found[0]["message"]
    assert "shiqian-shihao-xingdong" in found[0]["hint"]


def test_unknown_indicator_and_misspelt_field_are_reported_together(sandbox: Path) -> None:
    edit_course(sandbox, "indicators: [reserve-cadres, reserves-elected-to-committees]",
                "indicators: [reserve-cadre, reserves-elected-to-committees]")
    text = edit_course(sandbox, "    exercises:\n      - 参照“十好”清单",
                       "    exercise:\n      - 参照“十好”清单")
    result, found = problems(sandbox)
    assert result.code == 1
    by_code = {p["code"]: p for p in found}
    # A schema problem keeps the file out of the library, so its references wait for the fix.
    assert set(by_code) == {"unknown-field"}
    assert by_code["unknown-field"]["hint"] == "您是否想写 exercises？"
    assert (by_code["unknown-field"]["line"], by_code["unknown-field"]["column"]) == position(
        text, "    exercise:", "exercise")
    edit_course(sandbox, "    exercise:\n", "    exercises:\n")
    result, found = problems(sandbox)
    assert [(p["field"], p["code"]) for p in found] == [("sessions[3].indicators[0]", "reference")]
    assert "您是否想写 reserve-cadres" in found[0]["hint"]


def test_course_id_must_match_its_file_name(sandbox: Path) -> None:
    source = sandbox / REL
    (sandbox / "cases" / "courses" / "copy-of-course.yaml").write_text(
        source.read_text(encoding="utf-8"), encoding="utf-8")
    result, found = problems(sandbox)
    assert result.code == 1
    codes = {(p["file"], p["code"]) for p in found}
    assert ("cases/courses/copy-of-course.yaml", "id-filename") in codes


def test_course_text_stays_text_on_the_page_and_in_the_handout(sandbox: Path) -> None:
    from casebook.files.handouts import handouts
    from casebook.library.check import check_library
    from casebook.site.courses import course_pages

    edit_course(sandbox, "title: 抓党建促乡村振兴：新任村党组织书记培训",
                "title: '</title><script>alert(1)</script>培训'")
    edit_course(sandbox, "      - 你的任期目标里，哪些可以用数字检查，哪些只能靠群众评价？",
                "      - '{{ 12345 * 9 }}<img src=x onerror=alert(1)>能检查吗？'")
    checked = check_library(sandbox)
    assert not checked.errors
    library = checked.library
    markdown = next(str(p.content) for p in course_pages(library, sandbox)
                    if p.path == f"courses/{EXAMPLE}.md")
    html = next(h.html for h in handouts(library, sandbox) if h.path.endswith(f"/{EXAMPLE}.pdf"))
    for text in (markdown, html):
        assert "<script" not in text and "<img" not in text
        assert "{{ 12345 * 9 }}" in text and "111105" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;培训" in html


# --- pages --------------------------------------------------------------------------------------


def _target(href: str, here: str) -> str:
    path = href.partition("#")[0]
    return posixpath.normpath(posixpath.join(here, path)) + "/" if path else here


@pytest.mark.parametrize("course_id", sorted(COURSES))
def test_course_page_links_every_case_practice_and_session(site_with_handouts: Path,
                                                           course_id: str) -> None:
    here = f"courses/{course_id}/"
    body = content(page(site_with_handouts, here))
    course = COURSES[course_id]
    assert course["title"] in body.find("h1").get_text()
    sessions = course["sessions"]
    for number, session in enumerate(sessions, 1):
        heading = body.find("h2", id=f"s-{number}")
        assert heading is not None and session["title"] in heading.get_text()
        block = heading.find_next_sibling("div", class_="cb-session")
        cases = {_target(a["href"], here) for a in block.select(".cb-card > a")}
        assert cases == {f"cases/{cid}/" for cid in session["cases"]}
        practices = {_target(a["href"], here) for a in block.select(".cb-course-practices td:first-child a")}
        assert practices == {f"practices/{pid}/" for pid in session.get("practices", [])}
        variants = block.select(".cb-course-practices td:nth-child(2) a")
        assert all(a["href"].split("#")[1].startswith("p-") for a in variants)
        figures = block.select(".cb-course-figures tbody tr")
        wanted = [v for cid in session["cases"] for v in CASES[cid]["indicators"]
                  if v["indicator"] in session.get("indicators", [])]
        assert len(figures) == len(wanted)
        assert [li.get_text(strip=True) for li in block.find_all("ol")[0].find_all("li")] == [
            q for q in session["questions"]]
    schedule = body.select(".cb-schedule tbody tr")
    assert len(schedule) == len(sessions)


def test_session_figures_show_the_cases_own_numbers(site_with_handouts: Path) -> None:
    body = content(page(site_with_handouts, f"courses/{EXAMPLE}/"))
    number = next(i for i, s in enumerate(COURSES[EXAMPLE]["sessions"], 1)
                  if "yijiantiao-rate" in s.get("indicators", []))
    table = body.find("h2", id=f"s-{number}").find_next_sibling("div").select_one(".cb-course-figures")
    text = table.get_text(" ", strip=True)
    assert "98.73%" in text and "41.73%" in text


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_case_page_links_back_to_the_courses_that_use_it(site_with_handouts: Path,
                                                         case_id: str) -> None:
    here = f"cases/{case_id}/"
    body = content(page(site_with_handouts, here))
    linked = {_target(a["href"], here) for a in body.select(".cb-courses a")}
    using = {f"courses/{cid}/" for cid, course in COURSES.items()
             if any(case_id in s["cases"] for s in course["sessions"])}
    assert linked == using


def test_practice_pages_link_back_to_the_courses_that_draw_them_out(site_with_handouts: Path) -> None:
    drawn: dict[str, set[str]] = {}
    for cid, course in COURSES.items():
        for session in course["sessions"]:
            for pid in session.get("practices", []):
                drawn.setdefault(pid, set()).add(f"courses/{cid}/")
    assert drawn
    for pid, using in drawn.items():
        here = f"practices/{pid}/"
        body = content(page(site_with_handouts, here))
        assert {_target(a["href"], here) for a in body.select(".cb-courses a")} == using


def test_course_index_and_navigation(site_with_handouts: Path) -> None:
    soup = page(site_with_handouts, "courses/")
    cards = content(soup).select(".cb-card > a")
    assert {_target(a["href"], "courses/") for a in cards} == {f"courses/{cid}/" for cid in COURSES}
    tabs = [a.get_text(strip=True) for a in soup.select(".md-tabs__link")]
    assert "课程" in tabs

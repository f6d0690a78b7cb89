"""Issue 20: a review status that says what it means, who moved the case on, and when.

Through the real CLI on a copy of the repository (validate, render, export), and the handouts'
HTML as the PDF step receives it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from bs4 import BeautifulSoup

from casebook.library.check import check_library
from casebook.records.validate import schema_node
from casebook.site.render import status_notes
from conftest import ROOT, run_cli

SEED = "cases/zunyi-wuqiang-zuzhi.yaml"
REVIEWED = 'status: reviewed\nreview:\n  by: casebook-reviewer\n  date: "2026-11-30"'


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rendered_case(root: Path, out: Path) -> BeautifulSoup:
    done = run_cli("render", "--root", root, "--out", out, "--whole-pages", cwd=root)
    assert done.code == 0, done.output
    return BeautifulSoup((out / "docs" / "cases" / "zunyi-wuqiang-zuzhi.md").read_text(encoding="utf-8"),
                         "html.parser")


def labels() -> dict[str, str]:
    return {o["const"]: o["title"] for o in schema_node("case", ("status",))["oneOf"]}


def test_every_status_has_a_label_and_a_meaning() -> None:
    assert labels() == {"draft": "草稿", "submitted": "待审核", "reviewed": "已审核"}
    assert set(status_notes()) == set(labels())
    assert all(len(note) > 10 for note in status_notes().values())


def test_reviewed_needs_who_reviewed_it_and_when(sandbox: Path) -> None:
    edit(sandbox, SEED, "status: draft", "status: reviewed")
    done = run_cli("validate", "--root", sandbox, cwd=sandbox)
    assert done.code == 1
    assert f"{SEED}:" in done.output and "缺少必填字段 review（审核记录）" in done.output
    assert "Traceback" not in done.output


def test_a_review_left_on_a_case_sent_back_is_refused_where_it_stands(sandbox: Path) -> None:
    edit(sandbox, SEED, "status: draft", REVIEWED.replace("status: reviewed", "status: submitted"))
    done = run_cli("validate", "--root", sandbox, cwd=sandbox)
    assert done.code == 1
    line = next(i for i, text in enumerate((sandbox / SEED).read_text("utf-8").split("\n"), 1)
                if text.startswith("review:"))
    # Pointed at the record's value, as every field problem is: the line below "review:".
    assert f"{SEED}:{line + 1}:3:" in done.output and "不应有审核记录" in done.output and "请删去 review" in done.output


def test_a_reviewed_case_shows_its_reviewer_and_date(sandbox: Path, tmp_path: Path) -> None:
    edit(sandbox, SEED, "status: draft", REVIEWED)
    body = rendered_case(sandbox, tmp_path / "pages")
    badge = body.select_one(".cb-badges .cb-badge--reviewed")
    assert badge.get_text() == "已审核" and badge["title"] == status_notes()["reviewed"]
    assert badge.find_parent("a")["href"] == "../../guide/reading/#review-status"
    review = body.select_one(".cb-review").get_text(" ", strip=True)
    assert "casebook-reviewer 2026-11-30 审核通过" in review
    assert status_notes()["reviewed"] in review


def test_a_submitted_case_is_waiting_for_review(sandbox: Path, tmp_path: Path) -> None:
    edit(sandbox, SEED, "status: draft", "status: submitted")
    body = rendered_case(sandbox, tmp_path / "pages")
    assert body.select_one(".cb-badges .cb-badge--submitted").get_text() == "待审核"
    assert status_notes()["submitted"] in body.select_one(".cb-review").get_text()


def test_a_handout_says_what_its_status_means() -> None:
    from casebook.files.handouts import handouts

    result = check_library(ROOT, workers=1)
    handout = next(h for h in handouts(result.library, ROOT) if h.path.endswith("/zunyi-wuqiang-zuzhi.pdf"))
    line = BeautifulSoup(handout.html, "html.parser").select_one(".h-status").get_text()
    assert status_notes()["draft"] in line and "如何阅读案例" in line


def test_the_workbook_explains_the_statuses(sandbox: Path) -> None:
    edit(sandbox, SEED, "status: draft", REVIEWED)
    done = run_cli("export", "--root", sandbox, "--out", sandbox / "out", cwd=sandbox)
    assert done.code == 0, done.output
    book = openpyxl.load_workbook(sandbox / "out" / "casebook.xlsx")
    assert book.sheetnames[-1] == "说明"
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    for status, title in labels().items():
        assert notes[f"审核状态“{title}”"] == status_notes()[status]
    assert "审核人员" in notes["审核状态"] and "待审核" in notes["审核状态"]
    cases = pd.read_csv(sandbox / "out" / "cases.csv", encoding="utf-8-sig", dtype=str).set_index("案例编号")
    assert cases.loc["zunyi-wuqiang-zuzhi", ["审核状态", "审核人", "审核日期"]].tolist() == [
        "已审核", "casebook-reviewer", "2026-11-30"]
    assert cases["审核人"].isna().sum() == len(cases) - 1  # drafts have no reviewer


def test_the_case_list_and_the_compare_page_explain_the_status_too(built_site: Path) -> None:
    listed = BeautifulSoup((built_site / "cases" / "index.html").read_text("utf-8"), "html.parser")
    cells = listed.select('article td[data-label="状态"] a')
    assert cells and all(a["href"].endswith("guide/reading/#review-status") for a in cells)
    assert {a["title"] for a in cells} <= set(status_notes().values())
    part = (built_site / "compare" / "cases" / "zunyi-wuqiang-zuzhi.json").read_text("utf-8")
    assert "#review-status" in part and status_notes()["draft"] in part

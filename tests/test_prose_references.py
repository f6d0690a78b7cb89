"""Issue 20: `[[indicator:yijiantiao-villages]]` in prose shows the record's name, never its id.

Checked by the validator through the real CLI (an unknown reference is an error with the one
meant), rendered by the text stage (names escaped, code left alone), printed without links, and
written into the spreadsheets as names. The built site itself is read in test_site_pages.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from bs4 import BeautifulSoup
from markupsafe import Markup

from casebook.library.check import check_library
from casebook.site.text import TextRenderer
from conftest import ROOT, run_cli
from test_review_status import SEED, edit

DEFINITIONS = "cases/vocab/indicators/ganbu-duiwu.yaml"


def test_an_unknown_reference_is_an_error_with_the_reference_meant(sandbox: Path) -> None:
    edit(sandbox, DEFINITIONS, "[[indicator:yijiantiao-villages]]", "[[indicator:yijiantiao-village]]")
    edit(sandbox, DEFINITIONS, "[[indicator:yijiantiao-rate]]", "[[一肩挑比例]]")
    edit(sandbox, SEED, "[[value:threshold-500k]]", "[[value:threshold-50k]]")
    done = run_cli("validate", "--root", sandbox, cwd=sandbox)
    assert done.code == 1, done.output
    lines = done.output.splitlines()
    first = next(i for i, line in enumerate(lines) if "yijiantiao-village]]" in line)
    column = (sandbox / DEFINITIONS).read_text(encoding="utf-8").splitlines()[15].index("[[") + 1
    assert lines[first].startswith(f"{DEFINITIONS}:16:{column}: [1].definition")  # at the reference
    assert "您是否想写 [[indicator:yijiantiao-villages]]（实行“一肩挑”的村数）？" in lines[first + 1]
    assert "您是否想写 [[indicator:yijiantiao-rate]]" in done.output  # found by its Chinese alias
    assert f"{SEED}:" in done.output and "您是否想写 [[value:threshold-500k]]？" in done.output
    assert "Traceback" not in done.output


def test_a_figure_reference_only_stands_in_its_own_cases_note(sandbox: Path) -> None:
    edit(sandbox, DEFINITIONS, "[[indicator:yijiantiao-villages]]", "[[value:yijiantiao-rate]]")
    edit(sandbox, DEFINITIONS, "[[indicator:yijiantiao-rate]]", "[[yijiantiao]]")
    done = run_cli("validate", "--root", sandbox, cwd=sandbox)
    assert done.code == 1
    assert "[[value:yijiantiao-rate]] 只能写在案例的指标数据说明" in done.output
    assert "请写明种类：[[practice:yijiantiao]]、[[term:yijiantiao]]" in done.output


def test_handouts_print_the_names_without_links() -> None:
    from casebook.files.handouts import handouts

    result = check_library(ROOT, workers=1)
    assert not result.errors
    handout = next(h for h in handouts(result.library, ROOT) if h.path.endswith("/zunyi-wuqiang-zuzhi.pdf"))
    soup = BeautifulSoup(handout.html, "html.parser")
    text = soup.get_text(" ")
    assert "[[" not in text and "threshold-500k" not in text
    assert "村集体经济收入分档或评奖标准（超50万元）" in text
    assert not soup.select("table a"), "a handout is printed: names, no links"


def test_the_tables_write_names_where_notes_refer(sandbox: Path) -> None:
    done = run_cli("export", "--root", sandbox, "--out", sandbox / "out", cwd=sandbox)
    assert done.code == 0, done.output
    values = pd.read_csv(sandbox / "out" / "indicators.csv", encoding="utf-8-sig", dtype=str)
    notes = values["说明"].fillna("")
    assert not notes.str.contains(r"\[\[", regex=True).any()
    assert notes.str.contains("标准见村集体经济收入分档或评奖标准（超50万元）").any()


def test_references_render_escaped_and_leave_code_alone() -> None:
    text = TextRenderer({})

    def refer(inner: str) -> tuple[str, str | None] | None:
        return {"a": ("<b>名</b>", "../x/?a=1&b=2"), "p": ("只有名称", None)}.get(inner)

    html = BeautifulSoup(str(text.prose("见[[a]]和[[p]]，`[[a]]` 与 [[zz]]。", refer)), "html.parser")
    link = html.find("a")
    assert link.get_text() == "<b>名</b>" and link["href"] == "../x/?a=1&b=2" and not html.find("b")
    assert html.find("code").get_text() == "[[a]]"
    assert "只有名称" in html.get_text() and "[[zz]]" in html.get_text()
    plain = text.plain("见[[a]]、[[p]]与[[zz]]", refer)
    assert isinstance(plain, Markup)
    assert str(plain) == '见<a href="../x/?a=1&amp;b=2">&lt;b&gt;名&lt;/b&gt;</a>、只有名称与[[zz]]'


def test_the_seed_notes_refer_and_keep_their_figures() -> None:
    case = yaml.safe_load((ROOT / SEED).read_text(encoding="utf-8"))
    notes = {v["id"]: v.get("note", "") for v in case["indicators"]}
    assert "[[value:threshold-500k]]" in notes["villages-income-over-500k"]
    assert "265个" in notes["villages-income-over-500k"]

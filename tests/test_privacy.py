"""Checks that protect people and the library: personal data, duplicates, figures without source.

Records are made from a copy of a seed case under another id, with one or two lines changed;
expected lines and columns are found in the changed text, never hard-coded. The pure detector
is also run on sentences that must and must not be taken for personal data, so that a figure
such as 7320000000 or 300.6万 never blocks a contributor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casebook.records.privacy import find_personal_data, is_id_number
from conftest import ROOT, CliResult, run_cli

SEED_ID = "zunyi-wuqiang-zuzhi"
SEED_TEXT = (ROOT / "cases" / f"{SEED_ID}.yaml").read_text(encoding="utf-8")
ID_NUMBER = "11010519491231002X"  # the checksum-valid example number of GB 11643
PHONE = "13912345678"


def cli(*args: str | Path, cwd: Path) -> CliResult:
    result = run_cli(*args, cwd=cwd)
    assert "Traceback" not in result.output, result.output
    return result


def variant(case_id: str, *edits: tuple[str, str]) -> str:
    """The seed under another id (and another title, so it is not a duplicate), edited."""
    text = SEED_TEXT.replace(f"\nid: {SEED_ID}\n", f"\nid: {case_id}\n", 1)
    text = text.replace("title: 贵州遵义市：创建“五强组织”助推乡村振兴\n", "title: 测试用的变体案例记录\n", 1)
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def position(text: str, token: str) -> tuple[int, int]:
    assert text.count(token) == 1, token
    index = text.index(token)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def problems_of(sandbox: Path, name: str) -> tuple[CliResult, list[dict[str, Any]]]:
    result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    return result, [p for p in result.json()["problems"] if p["file"] == f"cases/{name}.yaml"]


def test_id_number_and_phone_are_refused_where_they_stand(sandbox: Path) -> None:
    text = variant(
        "zunyi-private",
        ("农村空心化问题突出。\n", f"农村空心化问题突出。联系群众张某（身份证号 {ID_NUMBER}）说明情况。\n"),
        ("    publisher: 中共遵义市委组织部\n", f"    publisher: 中共遵义市委组织部（联系电话 {PHONE}）\n"),
    )
    (sandbox / "cases" / "zunyi-private.yaml").write_text(text, encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-private")
    assert result.code == 1
    found = {p["field"]: p for p in problems if p["code"] == "personal-data"}
    assert set(found) == {"background", "sources[0].publisher"}, problems
    background, publisher = found["background"], found["sources[0].publisher"]
    assert (background["line"], background["column"]) == position(text, ID_NUMBER)
    assert (publisher["line"], publisher["column"]) == position(text, PHONE)
    assert background["message"].startswith("background：疑似写入了个人信息（身份证号 1101")
    assert "139****5678" in publisher["message"]
    assert "个人信息保护法" in background["hint"]
    # The public log must not repeat the number it refuses.
    assert ID_NUMBER not in result.stdout and PHONE not in result.stdout


def test_a_household_name_is_refused_and_an_anonymised_one_is_not(sandbox: Path) -> None:
    text = variant(
        "zunyi-household",
        ("  - text: 一些村党组织不同程度出现软化、弱化，政治功能和组织力不足。\n",
         "  - text: 干部结对帮扶建档立卡贫困户王小明，一家三口因病致贫。\n"),
        ("  - text: 村干部队伍能力不足、青黄不接，乡村振兴所需人才缺乏，农村空心化突出。\n",
         "  - text: 脱贫户李某说，村干部队伍能力不足、青黄不接。\n"),
    )
    (sandbox / "cases" / "zunyi-household.yaml").write_text(text, encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-household")
    assert result.code == 1
    flagged = [p for p in problems if p["code"] == "personal-data"]
    assert [p["field"] for p in flagged] == ["problems[0].text"]
    assert (flagged[0]["line"], flagged[0]["column"]) == position(text, "王小明")
    assert "王**" in flagged[0]["message"] and "王小明" not in flagged[0]["message"]


def test_figures_are_not_taken_for_personal_data(sandbox: Path) -> None:
    text = variant(
        "zunyi-figures",
        ("    original: 6.8亿元\n", "    original: 7320000000元（300.6万户，13800000000元）\n"),
        ("    value: 680000000\n", "    value: 13800000000\n"),
        ("  - id: s1\n", "  - id: s1\n    url: http://dangjian.people.com.cn/n1/2022/0726/c13912345678.html\n"),
    )
    (sandbox / "cases" / "zunyi-figures.yaml").write_text(text, encoding="utf-8")
    _, problems = problems_of(sandbox, "zunyi-figures")
    assert not [p for p in problems if p["code"] == "personal-data"], problems


@pytest.mark.parametrize("text", [
    f"身份证号：{ID_NUMBER}。", "户主身份证 110101199003074514", "老身份证 110101900307451",
    f"电话 {PHONE}", "手机 139-1234-5678", "+86 139 1234 5678", "建档立卡贫困户王小明，",
    "贫困户张三家", "户主：李建国", "结对帮扶张三户、李四户",
])
def test_personal_data_is_found(text: str) -> None:
    assert list(find_personal_data(text)), text


@pytest.mark.parametrize("text", [
    "7320000000", "300.6万", "13800000000元", "680000000", "110101199003074515",  # bad checksum
    "20210000000000000X", "订单号 11010519491231002X9", "https://x.cn/13912345678.html",
    "脱贫户李某说", "贫困户王某某", "贫困户全部入社", "与15.92万户贫困户全覆盖结对认亲",
    "高收入户和贫困户", "户主和家人一起", "贫困户向合作社借款", "贫困户黄牛养殖", "千家万户",
    "一中心一张网十联户", "党员联系户", "村党支部书记张三带领群众",
])
def test_ordinary_text_is_not_taken_for_personal_data(text: str) -> None:
    assert not list(find_personal_data(text)), text


def test_id_numbers_only_pass_with_a_real_date_and_check_digit() -> None:
    assert is_id_number(ID_NUMBER)
    assert not is_id_number(ID_NUMBER[:-1] + "0")
    assert not is_id_number("110105194913310021")  # month 13
    assert list(find_personal_data("110101199003074514", figure=True))  # an id typed as a number
    assert not list(find_personal_data(PHONE, figure=True))  # a number field holds figures


def test_a_likely_duplicate_is_a_warning_naming_the_other_case(sandbox: Path) -> None:
    text = SEED_TEXT.replace(f"\nid: {SEED_ID}\n", "\nid: zunyi-wuqiang-zuzhi-2\n", 1)
    text = text.replace("title: 贵州遵义市：创建“五强组织”助推乡村振兴\n",
                        "title: 遵义市创建“五强组织”推动乡村振兴\n", 1)
    path = sandbox / "cases" / "zunyi-wuqiang-zuzhi-2.yaml"
    path.write_text(text, encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-wuqiang-zuzhi-2")
    assert result.code == 0, result.output
    warning = next(p for p in problems if p["code"] == "possible-duplicate")
    assert warning["severity"] == "warning" and warning["field"] == "title"
    assert (warning["line"], warning["column"]) == position(text, "遵义市创建“五强组织”推动乡村振兴")
    assert SEED_ID in warning["message"] and "related_cases" in warning["hint"]
    _, seed_problems = problems_of(sandbox, SEED_ID)
    assert any("zunyi-wuqiang-zuzhi-2" in p["message"] for p in seed_problems)

    # Naming the other case as related says "these are different": the warning goes away.
    path.write_text(text.replace("related_cases: [", "related_cases: [zunyi-wuqiang-zuzhi, ", 1),
                    encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-wuqiang-zuzhi-2")
    assert not [p for p in problems if p["code"] == "possible-duplicate"], problems
    assert "警告" not in cli("validate", "--root", sandbox, cwd=sandbox).stdout


def test_cases_apart_in_place_or_time_are_not_duplicates(sandbox: Path) -> None:
    later = SEED_TEXT.replace(f"\nid: {SEED_ID}\n", "\nid: zunyi-later\n", 1)
    later = later.replace("  start: 2021\n  end: 2022\n", "  start: 2024\n  end: 2025\n", 1)
    (sandbox / "cases" / "zunyi-later.yaml").write_text(later, encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-later")
    assert result.code == 0, result.output
    assert not [p for p in problems if p["code"] == "possible-duplicate"]


@pytest.mark.parametrize("seed", range(20))
def test_the_cheap_bounds_never_drop_a_pair_that_difflib_finds_similar(seed: int) -> None:
    """The character sets give exactly difflib's quick_ratio, so a pair is ruled out only when
    its full similarity is below the threshold too."""
    import difflib
    import random

    from casebook.library.duplicates import SIMILAR, _characters, _similar

    rng = random.Random(seed)
    alphabet = "党支部领办合作社村集体经济一二三四留下好"
    for _ in range(200):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        assert 2 * len(_characters(a) & _characters(b)) == round(matcher.quick_ratio() * (len(a) + len(b)))
        found = _similar(a, b, _characters(a), _characters(b))
        ratio = matcher.ratio()
        assert (found is not None) == (ratio >= SIMILAR)
        assert found is None or found == ratio


def test_every_figure_must_cite_a_source(sandbox: Path) -> None:
    anchor = "  - id: villages\n    indicator: village-count\n"
    text = variant("zunyi-uncited", (anchor + "    value: 1728\n    unit: 个\n    original: 行政村1728个\n"
                                     "    date: \"2022\"\n    date_basis: publication\n    scope: 全市\n"
                                     "    source: s1\n",
                                     anchor + "    value: 1728\n    unit: 个\n    original: 行政村1728个\n"
                                     "    date: \"2022\"\n    date_basis: publication\n    scope: 全市\n"))
    (sandbox / "cases" / "zunyi-uncited.yaml").write_text(text, encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-uncited")
    assert result.code == 1
    assert any(p["code"] == "required" and p["field"] == "indicators[1].source" for p in problems)

    cites_nothing = variant("zunyi-miscited", (anchor + "    value: 1728\n",
                                               anchor + "    value: 1728\n")).replace(
        "    scope: 全市\n    source: s1\n    evidence: self-reported\n  - id: rural-party-members",
        "    scope: 全市\n    source: s2\n    evidence: self-reported\n  - id: rural-party-members")
    (sandbox / "cases" / "zunyi-uncited.yaml").unlink()
    (sandbox / "cases" / "zunyi-miscited.yaml").write_text(cites_nothing, encoding="utf-8")
    result, problems = problems_of(sandbox, "zunyi-miscited")
    assert result.code == 1
    assert [p["field"] for p in problems if p["code"] == "source-ref"] == ["indicators[1].source"]

"""Which figures may be compared, how the charts are laid out, and what the indicator pages show."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from casebook.library.check import check_library
from casebook.library.compare import (
    APART,
    DIRECT,
    REFERENCE,
    Grade,
    Reported,
    compare_values,
    grade,
    reported,
)
from casebook.site.charts import bar_chart, wrap
from conftest import ROOT
from sitebuild import content, page

SVG = "{http://www.w3.org/2000/svg}"


def value(vid: str = "v", **fields: object) -> dict:
    """An indicator value as a record holds it, with the fields the test does not care about."""
    base = {"id": vid, "indicator": "x", "value": 10, "unit": "%", "original": f"{vid}原文",
            "date": "2021", "date_basis": "stated", "scope": "全市村", "source": "s1",
            "evidence": "self-reported"}
    return {**base, **fields}


def item(case: str, who: str, level: str = "prefecture", **fields: object) -> Reported:
    return Reported(case, who, value(fields.pop("vid", "v"), **fields), level)


@pytest.fixture(scope="module")
def library():
    result = check_library(ROOT)
    assert not result.errors
    return result.library


def test_values_equal_in_every_facet_and_stated_are_directly_comparable() -> None:
    assert grade(item("a", "甲市", value=98.73), item("b", "乙市", value=41.73)) == Grade(DIRECT)
    comparison = compare_values([item("a", "甲市", value=98.73), item("b", "乙市", value=41.73)])
    assert [len(s.members) for s in comparison.sets] == [2]
    assert comparison.sets[0].comparable and comparison.sets[0].label == "A"
    assert comparison.notes == {} and comparison.reasons == {}


@pytest.mark.parametrize(("change", "stated"), [
    ({"scope": "全市行政村"}, "范围不同：全市村 vs 全市行政村"),
    ({"date": "2022"}, "年份不同：2021 vs 2022（相差1年）"),
    ({"date": "2016"}, "年份不同：2021 vs 2016（相差5年）"),
    ({"date_basis": "publication"}, "乙市的年份按发布日期推定"),
    ({"qualifier": "over", "original": "9000多家"}, "乙市的“9000多家”是下限（“余”“多”“以上”）"),
    ({"qualifier": "approx", "original": "约40%"}, "乙市的“约40%”是约数"),
])
def test_a_difference_that_can_be_stated_makes_a_pair_one_to_refer_to(change: dict, stated: str) -> None:
    assert grade(item("a", "甲市"), item("b", "乙市", **change)) == Grade(REFERENCE, (stated,))


def test_a_rate_at_another_scope_level_can_be_referred_to() -> None:
    city, province = item("a", "甲市", level="prefecture"), item("b", "乙省", level="province")
    assert grade(city, province) == Grade(REFERENCE, ("范围层级不同：市（州）级 vs 省级",))


def test_totals_counted_from_different_years_can_be_referred_to() -> None:
    found = grade(item("a", "甲市", unit="人", since=2018), item("b", "乙市", unit="人", since=2019))
    assert found == Grade(REFERENCE, ("累计起始年份不同：2018年 vs 2019年（相差1年）",))


@pytest.mark.parametrize(("first", "second", "blocked"), [
    ({}, {"unit": "个"}, "单位不同：% vs 个"),
    ({}, {"qualifier": "at-least"}, "类型不同：实际数值 vs 规定的下限"),  # a rule against a result
    ({}, {"qualifier": "target"}, "类型不同：实际数值 vs 目标值"),  # a target against an actual
    ({}, {"since": 2018}, "统计方式不同：时点数 vs 累计数"),
    ({"unit": "人", "level": "province"}, {"unit": "人", "level": "county"},
     "范围层级不同：省级 vs 县级，总数主要反映地区大小"),
])
def test_a_difference_of_kind_or_of_a_total_s_level_makes_a_pair_not_comparable(
        first: dict, second: dict, blocked: str) -> None:
    found = grade(item("a", "甲", **first), item("b", "乙", **second))
    assert found == Grade(APART, (blocked,))


def test_only_what_blocks_is_said_of_a_pair_that_is_not_comparable() -> None:
    found = grade(item("a", "甲", date="2016"), item("b", "乙", qualifier="at-least", scope="全省"))
    assert found.grade == APART and found.differences == ("类型不同：实际数值 vs 规定的下限",)


def test_rules_of_areas_of_different_levels_can_be_referred_to() -> None:
    """A rule's threshold does not grow with the area it applies to, a total does."""
    rule = {"unit": "元", "qualifier": "at-least"}
    found = grade(item("a", "甲市", level="prefecture", **rule), item("b", "乙省", level="province", **rule))
    assert found.grade == REFERENCE and found.differences[0].startswith("范围层级不同")


def test_scope_is_compared_after_unicode_normalisation() -> None:
    assert grade(item("a", "甲市", scope="全市村（社区）"), item("b", "乙市", scope="全市村 (社区)")).grade == DIRECT


def test_a_caveat_both_sides_share_is_said_once() -> None:
    found = grade(item("a", "甲市", date_basis="publication"), item("b", "乙市", date_basis="publication"))
    assert found == Grade(REFERENCE, ("两者的年份都按发布日期推定",))


def test_bijie_and_zunyi_pay_rules_are_to_be_referred_to_not_apart(library) -> None:
    """"≥3倍" against "≥3倍", years inferred from publication: the same rule, a year apart."""
    rules = {r.case_id: r for r in reported(library, "village-secretary-base-pay-multiple")}
    found = grade(rules["bijie-sige-liuxia"], rules["zunyi-wuqiang-zuzhi"])
    assert found == Grade(REFERENCE, ("年份不同：2021 vs 2022（相差1年）", "两者的年份都按发布日期推定"))


def test_zunyi_and_bijie_yijiantiao_rates_are_to_be_referred_to_with_scope_and_year(library) -> None:
    comparison = compare_values(reported(library, "yijiantiao-rate"))
    key = ("zunyi-wuqiang-zuzhi", "yijiantiao-rate")
    assert comparison.grades[key].grade == REFERENCE
    assert comparison.notes[key] == ("与毕节市的“41.73%”相比，范围不同：全市村 vs 全市村（社区）；"
                                     "年份不同：2022 vs 2021（相差1年）；两者的年份都按发布日期推定")
    assert comparison.reasons == {}


def test_a_value_is_graded_against_the_best_value_of_another_case() -> None:
    values = [item("a", "甲市", vid="one", date="2021"),
              item("a", "甲市", vid="two", date="2022"),
              item("b", "乙市", vid="three", date="2022"),
              item("c", "丙省", vid="four", unit="个")]
    comparison = compare_values(values)
    assert comparison.grades[("a", "two")] == Grade(DIRECT)
    assert comparison.partners[("a", "one")].key == ("a", "two") or \
        comparison.partners[("a", "one")].case_id != "a"  # never its own case
    assert comparison.grades[("a", "one")].grade == REFERENCE
    assert comparison.reasons == {("c", "four"): "与甲市的“one原文”相比，单位不同：个 vs %"}
    assert [(s.label, len(s.members), s.comparable) for s in comparison.sets] == [("A", 3, True), ("B", 1, False)]


def test_a_value_only_one_case_reports_has_no_grade() -> None:
    comparison = compare_values([item("a", "甲市", vid="one"), item("a", "甲市", vid="two", date="2020")])
    assert comparison.grades == {} and not comparison.comparable_sets


def test_every_panel_of_every_chart_holds_only_values_that_may_share_an_axis(library) -> None:
    drawn = 0
    for iid, indicator in library.indicators.items():
        chart = bar_chart(indicator, compare_values(reported(library, iid)))
        for panel in chart.panels if chart else []:
            items = [bar.item for bar in panel.bars]
            assert all(grade(x, y).grade != APART for x in items for y in items), (iid, panel.group.label)
            for bar in panel.bars:
                expected = bar.item is not panel.reference and grade(bar.item, panel.reference).grade == REFERENCE
                assert bar.hatched == expected and bool(bar.notes) == expected
            drawn += 1
    assert drawn >= 6


def test_every_indicator_two_cases_report_has_one_chart_with_all_its_gradable_values(library) -> None:
    for iid, indicator in library.indicators.items():
        values = reported(library, iid)
        comparison = compare_values(values)
        gradable = {k for k, g in comparison.grades.items() if g.grade != APART}
        chart = bar_chart(indicator, comparison)
        drawn = {bar.item.key for panel in chart.panels for bar in panel.bars} if chart else set()
        assert gradable <= drawn, iid
        if gradable:
            assert chart is not None, iid


def test_bars_of_one_set_share_one_axis_and_are_proportional() -> None:
    indicator = {"id": "count", "name": "村数", "unit": "个"}
    comparison = compare_values([item("a", "甲市", unit="个", value=100), item("b", "乙市", unit="个", value=50)])
    chart = bar_chart(indicator, comparison)
    assert chart is not None and len(chart.panels) == 1 and not chart.separate
    first, second = chart.panels[0].bars
    assert (first.label, second.label) == ("甲市", "乙市")  # largest first
    assert first.x == second.x == chart.x0
    assert first.width == pytest.approx(2 * second.width, abs=0.2)
    ticks = chart.panels[0].ticks
    assert ticks[0].value == 0 and ticks[-1].value >= 100 and ticks[-1].x == pytest.approx(chart.x1, abs=0.1)
    assert first.x + first.width <= chart.x1 + 0.1 and first.value_x < chart.width


def test_percentages_to_refer_to_share_one_axis_on_the_full_scale_one_hatched() -> None:
    indicator = {"id": "rate", "name": "比例", "unit": "%", "minimum": 0, "maximum": 100}
    comparison = compare_values([item("a", "甲市", value=98.73), item("b", "乙市", value=41.73, date="2020")])
    chart = bar_chart(indicator, comparison)
    assert chart is not None and not chart.separate and len(chart.panels) == 1 and chart.hatched
    span = chart.x1 - chart.x0
    panel = chart.panels[0]
    assert [t.value for t in panel.ticks][::len(panel.ticks) - 1] == [0, 100]
    for bar, expected in zip(panel.bars, (98.73, 41.73), strict=True):
        assert bar.width == pytest.approx(expected / 100 * span, abs=0.1)
    solid, hatched = panel.bars
    assert panel.reference is solid.item and not solid.hatched and hatched.hatched
    assert "".join(line for _, line in hatched.notes) == "与甲市相比：年份不同：2020 vs 2021（相差1年）"
    assert hatched.notes[0][0] > hatched.text_y and panel.axis_y > hatched.notes[-1][0]


def test_values_not_comparable_are_never_drawn_on_one_axis() -> None:
    indicator = {"id": "rate", "name": "比例", "unit": "%", "minimum": 0, "maximum": 100}
    comparison = compare_values([item("a", "甲市"), item("b", "乙市", qualifier="target")])
    assert bar_chart(indicator, comparison) is None
    assert len(comparison.reasons) == 2


def test_lone_counts_are_not_drawn_without_a_scale_of_their_own() -> None:
    indicator = {"id": "count", "name": "村数", "unit": "个"}
    comparison = compare_values([item("a", "甲市", unit="个"), item("b", "乙市", unit="个", since=2019)])
    assert bar_chart(indicator, comparison) is None
    assert bar_chart(indicator, compare_values([item("a", "甲市", unit="个")])) is None


def test_long_labels_widen_the_chart_instead_of_crushing_the_bars() -> None:
    indicator = {"id": "funds", "name": "资金", "unit": "元"}
    comparison = compare_values([item("a", "黔东南苗族侗族自治州", unit="元", value=2_390_000_000),
                                 item("b", "甲市", unit="元", value=13_588_000)])
    chart = bar_chart(indicator, comparison)
    assert chart.x1 - chart.x0 >= 160
    assert chart.panels[0].bars[0].value_x < chart.width


def test_a_range_is_drawn_to_its_upper_bound() -> None:
    indicator = {"id": "rate", "name": "权重", "unit": "%"}
    comparison = compare_values([item("a", "甲省", vid="w", value=16), item("a", "甲省", value=40, value_max=48)])
    bars = bar_chart(indicator, comparison).panels[0].bars
    assert [(b.label, b.item.value["value"]) for b in bars] == [("甲省（1）", 40), ("甲省（2）", 16)]
    assert bars[0].range_width == pytest.approx(bars[0].width * 8 / 40, abs=0.2)
    assert bars[1].range_width == 0


def test_line_breaking_keeps_numbers_whole_and_punctuation_off_line_starts() -> None:
    lines = wrap("范围：全市村（社区）；时间：2021年（按发布日期推定）；实际数值", 12 * 14, 12)
    assert len(lines) > 1 and "".join(lines) == "范围：全市村（社区）；时间：2021年（按发布日期推定）；实际数值"
    assert not any(line[0] in "，；）" for line in lines)
    assert any("2021" in line for line in lines)


# The built site: the indicator page of 一肩挑比例, its chart inline and as a file.

def _svg_texts(svg) -> list[str]:
    return [t.get_text() for t in svg.find_all("text")]


def test_yijiantiao_chart_shows_both_cases_values_as_text(built_site: Path) -> None:
    body = content(page(built_site, "indicators/yijiantiao-rate/"))
    svg = body.select_one("figure.cb-chart svg")
    assert svg is not None, "the indicator page has no chart"
    texts = _svg_texts(svg)
    assert "98.73%" in texts and "41.73%" in texts
    assert {"遵义市", "毕节市"} <= set(texts)
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert "一肩挑" in svg.find(id=title_id).get_text()
    assert "98.73%" in svg.find(id=desc_id).get_text()
    panels = svg.select("g.cb-chart__panel")
    assert len(panels) == 1, "both cases' rates are on one axis"
    solid = [r for r in panels[0].find_all("rect") if r.get("fill") == "#c62828"]
    hatched = [r for r in panels[0].find_all("rect") if r.get("fill", "").startswith("url(#")]
    assert len(solid) == 1 and len(hatched) == 1
    assert svg.find("pattern", id=hatched[0]["fill"][5:-1]) is not None
    assert any(t.startswith("与毕节市相比：") for t in texts)
    assert "年份不同：2022 vs 2021（相差1年）" in "".join(texts)
    assert not svg.find_all(["abbr", "a", "image", "foreignobject", "script"])
    assert svg.parent.find("figcaption").find("a", href="#values")


def test_yijiantiao_chart_file_is_a_standalone_svg_with_the_same_values(built_site: Path) -> None:
    tree = ET.parse(built_site / "charts" / "yijiantiao-rate.svg")  # well-formed XML
    root = tree.getroot()
    assert root.tag == f"{SVG}svg" and "Noto Sans CJK SC" in root.get("font-family")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "98.73%" in texts and "41.73%" in texts
    link = content(page(built_site, "indicators/yijiantiao-rate/")).select_one("figcaption a[download]")
    assert (built_site / "indicators" / "yijiantiao-rate" / link["href"]).resolve() == \
        (built_site / "charts" / "yijiantiao-rate.svg").resolve()


def test_indicator_page_grades_each_value_and_says_how_it_differs(built_site: Path) -> None:
    body = content(page(built_site, "indicators/yijiantiao-rate/"))
    grades = [td.get_text(" ", strip=True) for td in body.select('.cb-values td[data-label="可比程度"]')]
    assert grades == ["可参照", "可参照"]
    notes = [dt.find_next("dd").get_text(" ", strip=True) for dt in body.select(".cb-values details dt")
             if dt.get_text() == "可比性说明"]
    assert len(notes) == 2 and any("范围不同：全市村（社区） vs 全市村" in n for n in notes)
    assert body.find(id="comparison") and body.select_one("ul.cb-apart-list") is None


def test_indicator_page_lists_values_not_comparable_under_the_chart_with_the_reason(built_site: Path) -> None:
    body = content(page(built_site, "indicators/first-secretaries-dispatched/"))
    assert body.select_one("figure.cb-chart") is None
    section = body.select_one(".cb-comparison").get_text()
    assert "没有两个案例的数值可以放在同一坐标轴上" in section
    reasons = [li.get_text() for li in body.select("ul.cb-apart-list li")]
    assert len(reasons) == 8 and all("范围层级不同" in r for r in reasons)
    grades = [td.get_text(" ", strip=True) for td in body.select('.cb-values td[data-label="可比程度"]')]
    assert all(g.startswith("不可比较") for g in grades)


def test_a_single_case_s_percentages_are_charted_on_their_scale(built_site: Path) -> None:
    body = content(page(built_site, "indicators/assessment-weight-poverty/"))
    panels = body.select("figure.cb-chart svg g.cb-chart__panel")
    assert len(panels) == 1 and {"3%", "4%", "12%"} <= set(_svg_texts(panels[0]))
    grades = [td.get_text(strip=True) for td in body.select('.cb-values td[data-label="可比程度"]')]
    assert grades == ["—"] * 3


def test_indicator_with_nothing_to_chart_says_so(built_site: Path) -> None:
    body = content(page(built_site, "indicators/village-cadre-avg-monthly-pay/"))
    assert body.select_one("figure.cb-chart") is None
    assert "因此不画对比图" in body.select_one(".cb-comparison").get_text()


def test_every_indicator_several_cases_report_has_one_chart_holding_its_gradable_values(
        built_site: Path, library) -> None:
    charted = 0
    for iid in library.indicators:
        comparison = compare_values(reported(library, iid))
        gradable = [k for k, g in comparison.grades.items() if g.grade != APART]
        if not gradable:
            continue
        body = content(page(built_site, f"indicators/{iid}/"))
        charts = body.select("figure.cb-chart svg")
        assert len(charts) == 1, iid
        texts = "".join(_svg_texts(charts[0]))
        bars = [r for r in charts[0].find_all("rect") if r.get("height") == "16" and not r.get("fill-opacity")]
        assert len(bars) >= len(gradable), iid
        whos = {r.key: r.who for r in reported(library, iid)}
        assert all(whos[key] in texts for key in gradable), iid
        charted += 1
    assert charted >= 6


def test_the_quick_score_agrees_with_the_grade_it_stands_for(library) -> None:
    """compare_values ranks candidates by counting, and words only the chosen one's grade."""
    from casebook.library.compare import _RANK, _score, _Side

    pairs = 0
    for iid in library.indicators:
        sides = [_Side(v) for v in reported(library, iid)]
        for a in sides:
            for b in sides:
                if a is not b:
                    found = grade(a.item, b.item)
                    assert _score(a, b) == (_RANK[found.grade], len(found.differences)), (iid, a.item.key, b.item.key)
                    pairs += 1
    assert pairs > 100


def test_a_compare_part_carries_its_gradings_as_readable_utf8(built_site: Path) -> None:
    """The grading data travels with each compare part: Chinese in it is UTF-8 (as \\uXXXX every
    character cost twice the bytes), and it still reads back as the facets the page grades by."""
    import html
    import json
    import re

    raw = (built_site / "compare" / "cases" / "zunyi-wuqiang-zuzhi.json").read_text(encoding="utf-8")
    part = json.loads(raw)["html"]
    assert "\\u" not in raw
    gradings = [json.loads(html.unescape(found)) for found in re.findall(r'data-grading="([^"]*)"', part)]
    assert gradings and all(g["facets"] for g in gradings)
    assert any(facet[0] == "单位" for g in gradings for facet in g["facets"])

"""Which figures may be compared, how the charts are laid out, and what the indicator pages show."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from casebook.library.check import check_library
from casebook.library.compare import Reported, basis, compare_values, reported
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


def item(case: str, who: str, **fields: object) -> Reported:
    return Reported(case, who, value(fields.pop("vid", "v"), **fields))


@pytest.fixture(scope="module")
def library():
    result = check_library(ROOT)
    assert not result.errors
    return result.library


def test_values_sharing_every_basis_form_one_comparable_set() -> None:
    comparison = compare_values([item("a", "甲市", value=98.73), item("b", "乙市", value=41.73)])
    assert [len(s.members) for s in comparison.sets] == [2]
    assert comparison.sets[0].comparable and comparison.sets[0].label == "A"
    assert comparison.reasons == {}
    assert "范围：全市村" in comparison.sets[0].facts and "2021年" in comparison.sets[0].facts


@pytest.mark.parametrize(("change", "reason"), [
    ({"scope": "全市行政村"}, "范围不同：全市村 vs 全市行政村"),
    ({"date": "2022"}, "年份不同：2021 vs 2022"),
    ({"qualifier": "at-least"}, "类型不同：实际数值 vs 规定的下限"),
    ({"qualifier": "target"}, "类型不同：实际数值 vs 目标值"),
    ({"since": 2018}, "统计方式不同：时点数 vs 2018年以来累计"),
    ({"date_basis": "publication"}, "时间依据不同：原文写明 vs 按发布日期推定"),
    ({"unit": "个"}, "单位不同：% vs 个"),
])
def test_each_difference_separates_values_and_is_named(change: dict, reason: str) -> None:
    comparison = compare_values([item("a", "甲市"), item("b", "乙市", **change)])
    assert len(comparison.sets) == 2 and not comparison.comparable_sets
    assert comparison.reasons[("a", "v")] == f"与乙市的“v原文”相比，{reason}"


def test_measured_values_with_approximations_stay_comparable() -> None:
    """约、余 and 以上 describe what was achieved; they are not rules."""
    comparison = compare_values([item("a", "甲市", qualifier="approx"), item("b", "乙市", qualifier="over"),
                                 item("c", "丙市")])
    assert len(comparison.sets) == 1


def test_scope_is_compared_after_unicode_normalisation() -> None:
    comparison = compare_values([item("a", "甲市", scope="全市村（社区）"),
                                 item("b", "乙市", scope="全市村 (社区)")])
    assert len(comparison.sets) == 1


def test_a_lone_value_is_explained_against_the_nearest_other_value() -> None:
    values = [item("a", "甲市", vid="one", scope="全市村", date="2021"),
              item("b", "乙市", vid="two", scope="全省贫困村", date="2019", qualifier="at-least"),
              item("c", "丙市", vid="three", scope="全市村", date="2022")]
    reasons = compare_values(values).reasons
    assert reasons[("a", "one")] == "与丙市的“three原文”相比，年份不同：2021 vs 2022"
    assert reasons[("b", "two")].startswith("与甲市的“one原文”相比，")
    assert "类型不同" in reasons[("b", "two")] and "范围不同" in reasons[("b", "two")]


def test_only_lone_values_get_a_reason() -> None:
    values = [item("a", "甲市", vid="one"), item("b", "乙市", vid="two"), item("c", "丙市", vid="three", date="2020")]
    comparison = compare_values(values)
    assert [s.label for s in comparison.sets] == ["A", "B"]
    assert comparison.set_label == {("a", "one"): "A", ("b", "two"): "A", ("c", "three"): "B"}
    assert set(comparison.reasons) == {("c", "three")}


def test_zunyi_and_bijie_yijiantiao_rates_are_apart_for_scope_and_year(library) -> None:
    comparison = compare_values(reported(library, "yijiantiao-rate"))
    zunyi = comparison.reasons[("zunyi-wuqiang-zuzhi", "yijiantiao-rate")]
    bijie = comparison.reasons[("bijie-sige-liuxia", "yijiantiao-rate")]
    assert zunyi == "与毕节市的“41.73%”相比，范围不同：全市村 vs 全市村（社区）；年份不同：2022 vs 2021"
    assert "范围不同：全市村（社区） vs 全市村" in bijie


def test_every_panel_of_every_chart_holds_one_comparable_set_only(library) -> None:
    drawn = 0
    for iid, indicator in library.indicators.items():
        chart = bar_chart(indicator, compare_values(reported(library, iid)))
        for panel in chart.panels if chart else []:
            bases = {basis(bar.item.value) for bar in panel.bars}
            assert len(bases) == 1, (iid, panel.group.label)
            drawn += 1
    assert drawn >= 3


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


def test_lone_percentages_get_a_panel_each_on_the_full_scale() -> None:
    indicator = {"id": "rate", "name": "比例", "unit": "%", "minimum": 0, "maximum": 100}
    comparison = compare_values([item("a", "甲市", value=98.73), item("b", "乙市", value=41.73, date="2020")])
    chart = bar_chart(indicator, comparison)
    assert chart is not None and chart.separate and len(chart.panels) == 2
    span = chart.x1 - chart.x0
    for panel, expected in zip(chart.panels, (98.73, 41.73), strict=True):
        assert [t.value for t in panel.ticks][::len(panel.ticks) - 1] == [0, 100]
        assert panel.bars[0].width == pytest.approx(expected / 100 * span, abs=0.1)
    assert chart.panels[1].heading_y > chart.panels[0].axis_y


def test_lone_counts_are_not_drawn_without_a_scale_of_their_own() -> None:
    indicator = {"id": "count", "name": "村数", "unit": "个"}
    comparison = compare_values([item("a", "甲市", unit="个"), item("b", "乙市", unit="个", date="2020")])
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
    assert len(panels) == 2 and ["41.73%" in _svg_texts(g) for g in panels].count(True) == 1
    assert any("组与组之间不能直接比较" in t for t in texts)
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


def test_indicator_page_marks_values_that_are_not_comparable_and_says_why(built_site: Path) -> None:
    body = content(page(built_site, "indicators/yijiantiao-rate/"))
    marks = [td.get_text(" ", strip=True) for td in body.select('.cb-values td[data-label="可比组"]')]
    assert len(marks) == 2 and all("不可直接比较" in m for m in marks)
    reasons = body.select_one("ul.cb-apart-list").get_text()
    assert "范围不同：全市村（社区） vs 全市村" in reasons and "年份不同：2021 vs 2022" in reasons
    assert body.find(id="comparison")


def test_indicator_page_with_a_comparable_set_charts_it_on_one_axis(built_site: Path) -> None:
    body = content(page(built_site, "indicators/assessment-weight-poverty/"))
    panels = body.select("figure.cb-chart svg g.cb-chart__panel")
    first = _svg_texts(panels[0])
    assert "可直接比较的 2 个数值" in first[0]
    assert {"3%", "4%"} <= set(first)
    sets = [td.get_text(" ", strip=True) for td in body.select('.cb-values td[data-label="可比组"]')]
    assert sorted(s[0] for s in sets) == ["A", "A", "B"]


def test_indicator_with_nothing_comparable_and_no_scale_has_no_chart_but_says_so(built_site: Path) -> None:
    body = content(page(built_site, "indicators/village-cadre-avg-monthly-pay/"))
    assert body.select_one("figure.cb-chart") is None
    assert "因此不画对比图" in body.select_one(".cb-comparison").get_text()
    assert len(body.select("ul.cb-apart-list li")) == 3

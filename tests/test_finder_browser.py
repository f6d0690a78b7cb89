"""The case finder as a trainer uses it, in Chromium: tick choices, read the counts, share the link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from browsing import record_requests, site_path
from conftest import ROOT

pytestmark = pytest.mark.browser

CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
REGIONS = {r["id"]: r for r in yaml.safe_load(
    (ROOT / "cases" / "vocab" / "regions" / "regions.yaml").read_text(encoding="utf-8"))}


def chain(region: str) -> set[str]:
    found = set()
    while region:
        found.add(region)
        region = REGIONS[region].get("parent")
    return found


def expected(**chosen: list[str]) -> set[str]:
    """Ids of the seed cases that the finder must show for the chosen values, computed here."""
    def values(case: dict, facet: str) -> set[str]:
        return {
            "region": lambda: chain(case["place"]["region"]),
            "level": lambda: {case["place"]["level"]},
            "period": lambda: set(case["time"]["periods"]),
            "theme": lambda: set(case["themes"]),
            "practice": lambda: {e["practice"] for e in case["practices"]},
            "indicator": lambda: {v["indicator"] for v in case["indicators"]},
        }[facet]()

    return {cid for cid, case in CASES.items()
            if all(values(case, facet) & set(wanted) for facet, wanted in chosen.items())}


@pytest.fixture
def page(browser: Any, base: str) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    page.foreign = record_requests(page, base)[1]
    yield page
    assert not page.foreign, page.foreign
    page.close()


def open_finder(page: Any, base: str, query: str = "") -> None:
    page.goto(base + "finder/" + query)
    page.wait_for_selector(".cb-finder[data-ready]")


def shown(page: Any, base: str) -> set[str]:
    hrefs = page.eval_on_selector_all(".cb-finder__case a", "links => links.map(a => a.href)")
    return {site_path(href, base).removeprefix("cases/").rstrip("/") for href in hrefs}


def count_of(page: Any, facet: str, value: str) -> int:
    text = page.text_content(f'[data-count="{facet}:{value}"]')
    return int(text.strip("（）"))


def chosen_in_address(page: Any) -> dict[str, set[str]]:
    query = parse_qs(urlsplit(page.url).query)
    return {facet: set(",".join(values).split(",")) for facet, values in query.items()}


def tick(page: Any, facet: str, value: str) -> None:
    box = page.locator(f'input[name="{facet}"][value="{value}"]')
    if not box.is_visible():
        page.click(f'details[data-facet="{facet}"] summary')
    box.check()


def test_without_choices_every_case_is_shown_with_counts_for_every_choice(page: Any, base: str) -> None:
    open_finder(page, base)
    assert shown(page, base) == set(CASES)
    assert page.text_content(".cb-finder__results .cb-finder__count") == f"共 {len(CASES)} 个案例"
    for region in REGIONS:
        if expected(region=[region]):
            assert count_of(page, "region", region) == len(expected(region=[region])), region
        else:  # a choice that would find nothing is not offered
            assert page.locator(f'input[name="region"][value="{region}"]').count() == 0, region
    for level in ("province", "prefecture", "county"):
        assert count_of(page, "level", level) == len(expected(level=[level])), level


def test_ticking_narrows_the_cases_updates_the_counts_and_the_address(page: Any, base: str) -> None:
    open_finder(page, base)
    tick(page, "region", "guizhou")
    assert shown(page, base) == expected(region=["guizhou"])
    assert chosen_in_address(page) == {"region": {"guizhou"}}
    # Other facets now count within Guizhou; the region facet still counts without itself.
    assert count_of(page, "practice", "yijiantiao") == len(expected(region=["guizhou"], practice=["yijiantiao"]))
    assert count_of(page, "region", "qinghai") == len(expected(region=["qinghai"]))
    tick(page, "practice", "yijiantiao")
    wanted = expected(region=["guizhou"], practice=["yijiantiao"])
    assert shown(page, base) == wanted
    assert f"{len(wanted)} 个" in page.text_content(".cb-finder__results .cb-finder__count")
    assert page.text_content(".cb-finder__jump .cb-finder__count") == page.text_content(
        ".cb-finder__results .cb-finder__count")
    assert chosen_in_address(page) == {"region": {"guizhou"}, "practice": {"yijiantiao"}}
    tick(page, "region", "qinghai")  # a second region widens: any of the ticked regions
    assert shown(page, base) == expected(region=["guizhou", "qinghai"], practice=["yijiantiao"])
    assert chosen_in_address(page)["region"] == {"guizhou", "qinghai"}


def test_a_region_matches_the_cases_of_the_regions_below_it(page: Any, base: str) -> None:
    open_finder(page, base)
    tick(page, "region", "tongren")  # Tongren's own case, and Shiqian county's below it
    assert shown(page, base) == {"tongren-youxiao-xianjie", "shiqian-shihao-xingdong"}


def test_reloading_the_address_gives_the_same_choices_and_cases(page: Any, base: str) -> None:
    open_finder(page, base)
    tick(page, "theme", "jiti-jingji")
    tick(page, "level", "prefecture")
    tick(page, "indicator", "yijiantiao-rate")
    address, cases = page.url, shown(page, base)
    assert cases == expected(theme=["jiti-jingji"], level=["prefecture"], indicator=["yijiantiao-rate"])
    page.goto(address)
    page.wait_for_selector(".cb-finder[data-ready]")
    assert shown(page, base) == cases
    for facet, value in (("theme", "jiti-jingji"), ("level", "prefecture"), ("indicator", "yijiantiao-rate")):
        assert page.is_checked(f'input[name="{facet}"][value="{value}"]')


def test_a_shared_link_opens_with_its_choices(page: Any, base: str) -> None:
    open_finder(page, base, "?region=qinghai&level=province")
    assert shown(page, base) == {"qinghai-jiceng-dangjian"}
    assert page.is_checked('input[name="region"][value="qinghai"]')


def test_clearing_returns_every_case_and_a_plain_address(page: Any, base: str) -> None:
    open_finder(page, base, "?practice=yijiantiao")
    page.click(".cb-finder__reset")
    page.wait_for_function("() => !window.location.search")
    assert shown(page, base) == set(CASES)


def test_the_keyboard_alone_can_tick_a_choice(page: Any, base: str) -> None:
    open_finder(page, base)
    page.focus('input[name="level"][value="province"]')
    page.keyboard.press("Space")
    assert shown(page, base) == expected(level=["province"])
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the next choice: 市（州）级, either level now matches
    assert shown(page, base) == expected(level=["province", "prefecture"])


@pytest.mark.parametrize(("start", "link", "facet", "value"), [
    ("practices/zhibu-lingban-hezuoshe/", "查看全部采用此做法的案例", "practice", "zhibu-lingban-hezuoshe"),
    ("themes/xiangcun-zhili/", "查看全部属于此主题的案例", "theme", "xiangcun-zhili"),
    ("regions/guizhou/", "查看此地区（含下级地区）的全部案例", "region", "guizhou"),
    ("indicators/yijiantiao-rate/", "查看全部报告此指标的案例", "indicator", "yijiantiao-rate"),
])
def test_record_pages_link_to_all_their_cases(page: Any, base: str, start: str, link: str,
                                              facet: str, value: str) -> None:
    page.goto(base + start)
    page.click(f"text={link}")
    page.wait_for_selector(".cb-finder[data-ready]")
    assert chosen_in_address(page) == {facet: {value}}
    assert shown(page, base) == expected(**{facet: [value]})

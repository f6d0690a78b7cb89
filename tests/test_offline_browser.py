"""The offline copy as a trainer uses it from a USB stick: opened from the folder (file://) in
Chromium, browsed, searched, filtered and compared, while every request is recorded.

Every test fails if the page asked for anything but files of the copy (or data:, blob:,
about: URLs), if a file it asked for is missing, or if a script failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from browsing import search_results, serve, site_path
from conftest import ROOT

pytestmark = pytest.mark.browser

QUERIES = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
TOP = QUERIES["top"]
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


def offline_path(url: str) -> str:
    """A site URL as the copy has it: `practices/x/` → `practices/x/index.html`, `glossary/#a` →
    `glossary/index.html#a`, the home page "" → `index.html`."""
    path, mark, anchor = url.partition("#")
    path = path + "index.html" if path == "" or path.endswith("/") else path
    return path + mark + anchor


@pytest.fixture
def page(browser: Any, offline_copy: Path) -> Iterator[Any]:
    """A phone-sized page that records what it requests, what fails and what throws."""
    page = browser.new_page(viewport={"width": 412, "height": 900})
    requested: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.root = offline_copy.as_uri() + "/"
    page.requested = requested
    yield page
    page.close()
    assert requested, "no request was recorded"
    assert not [url for url in requested if urlsplit(url).scheme not in LOCAL_SCHEMES], requested
    assert not failed, failed
    assert not errors, errors


def here(page: Any) -> str:
    """The current page's path inside the copy, with its anchor."""
    return page.url.removeprefix(page.root)


def search(page: Any, query: str) -> list[tuple[str, str]]:
    """Type `query` as a reader does (fill, then a key); the results: (path in the copy, kind)."""
    shown = search_results(page, query)
    return [(href.removeprefix(page.root), kind) for href, kind in shown]


def test_pages_open_and_link_to_each_other_from_the_folder(page: Any) -> None:
    page.goto(page.root + "index.html")
    page.click("article a[href='cases/zunyi-wuqiang-zuzhi/index.html']")
    assert here(page) == "cases/zunyi-wuqiang-zuzhi/index.html"
    assert "五强组织" in page.text_content("article h1")
    page.set_viewport_size({"width": 1280, "height": 900})  # where the navigation tabs show
    page.click(".md-tabs a:text-is('做法')")
    assert here(page) == "practices/index.html"
    page.click("article a[href='yijiantiao/index.html']")
    assert page.locator("article h1").text_content().startswith("村党组织书记")
    stylesheet = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
    assert stylesheet == "sticky"  # Material's style sheet was loaded from the copy


def test_search_finds_chinese_traditional_and_alias_queries_and_opens_a_result(page: Any) -> None:
    page.goto(page.root + "cases/bijie-sige-liuxia/index.html")
    page.click(".cb-search__open")
    results = search(page, "党支部领办合作社")
    assert results[0] == ("practices/zhibu-lingban-hezuoshe/index.html", "做法")
    excerpt = page.locator(".cb-search__result mark").first.text_content()
    assert excerpt == "党支部领办合作社"
    assert search(page, "黨支部領辦合作社")[:TOP] == results[:TOP]
    assert "practices/yijiantiao/index.html" in [url for url, _ in search(page, "书记主任一肩挑")[:TOP]]
    assert search(page, "魑魅魍魉") == [] and "没有找到" in page.text_content(".cb-search__status")
    search(page, "遵义")
    page.click(".cb-search__result a >> nth=0")
    assert here(page) == "regions/zunyi/index.html"
    assert page.text_content("article h1").startswith("遵义")
    assert any(url.endswith("search/offline.json.js") for url in page.requested)


def test_search_answers_the_search_queries_as_the_site_does(page: Any) -> None:
    """The queries the site's search must answer (tests/data/search_queries.yaml), offline."""
    page.goto(page.root + "index.html")
    page.keyboard.press("/")
    missed = []
    for item in QUERIES["terms"]:
        results = search(page, item["query"])
        top = [url for url, _ in results[:TOP]]
        wanted = [offline_path(url) for url in item["expect"]]
        if not set(wanted) <= set(top):
            missed.append(f"{item['query']}: {wanted} not in {top}")
        elif "kind" in item and dict(results)[wanted[0]] != item["kind"]:
            missed.append(f"{item['query']}: {wanted[0]} is not labelled {item['kind']}")
    for item in QUERIES["traditional"] + QUERIES["aliases"]:
        asked = [url for url, _ in search(page, item["query"])[:TOP]]
        named = [url for url, _ in search(page, item["same_as"])[:TOP]]
        wanted = [offline_path(url) for url in item.get("expect", [])]
        if not named or named[0] not in asked or not set(wanted) <= set(asked):
            missed.append(f"{item['query']}: {asked}; {item['same_as']}: {named}")
    assert not missed, "\n".join(missed)


def test_the_copy_gives_the_site_s_first_results_in_the_site_s_order(page: Any, browser: Any,
                                                                     base: str) -> None:
    """One ranking: the same query gives the same first pages on the site and in the copy."""
    site = browser.new_page(viewport={"width": 412, "height": 900})
    site.goto(base + "cases/")
    site.click(".cb-search__open")
    page.goto(page.root + "index.html")
    page.keyboard.press("/")
    differ = []
    for item in QUERIES["terms"] + QUERIES["traditional"] + QUERIES["aliases"]:
        online = [offline_path(site_path(href, base)) for href, _ in search_results(site, item["query"])]
        copy = [url for url, _ in search(page, item["query"])]
        if online[:TOP] != copy[:TOP]:
            differ.append(f"{item['query']}: site {online[:TOP]}, copy {copy[:TOP]}")
    site.close()
    assert not differ, "\n".join(differ)


def _badges(copy: Path, path: str) -> str:
    """The badges (status, level, period…) at the top of the copy's page at `path`, without spaces."""
    html = (copy / path.split("#")[0]).read_text(encoding="utf-8")
    found = BeautifulSoup(html, "html.parser").select_one("article .cb-badges")
    return "".join(found.get_text().split()) if found else ""


def test_excerpts_in_the_copy_come_from_the_text_never_from_the_badges(page: Any,
                                                                       offline_copy: Path) -> None:
    page.goto(page.root + "index.html")
    page.keyboard.press("/")
    opened_with_badges = []
    for item in QUERIES["terms"]:
        results = search(page, item["query"])
        excerpts = page.eval_on_selector_all(
            ".cb-search__result",
            "items => items.map(i => (i.querySelector('.cb-search__excerpt') || {}).textContent || '')")
        assert len(excerpts) == len(results) and all(excerpts), f"{item['query']}: a result without text"
        for (url, _), text in zip(results, excerpts, strict=True):
            badges = _badges(offline_copy, url)
            if badges and "".join(text.split()).lstrip("…. ").startswith(badges[:6]):
                opened_with_badges.append(f"{item['query']}: {url}: {text[:30]}")
    assert not opened_with_badges, "\n".join(opened_with_badges)


def test_the_case_finder_filters_and_links_to_cases_from_the_folder(page: Any) -> None:
    page.goto(page.root + "finder/index.html?region=zunyi")
    page.wait_for_selector(".cb-finder[data-ready]")
    assert page.text_content(".cb-finder__results .cb-finder__count") == "符合条件的案例：1 个（共 5 个）"
    page.check('input[name="theme"][value="zuzhi-zhenxing"]')
    assert here(page) == "finder/index.html?region=zunyi&theme=zuzhi-zhenxing"
    page.click(".cb-finder__case a")
    assert here(page) == "cases/zunyi-wuqiang-zuzhi/index.html"


def test_the_compare_page_shows_the_chosen_cases_from_the_folder(page: Any) -> None:
    page.goto(page.root + "compare/index.html?cases=bijie-sige-liuxia,zunyi-wuqiang-zuzhi")
    assert page.text_content("#compare-status") == "已选 2 个案例。"
    shown = page.eval_on_selector_all('thead th[data-case]:not([hidden])', "cells => cells.length")
    assert shown > 0 and shown % 2 == 0
    page.check('input[name="cases"][value="shiqian-shihao-xingdong"]')
    assert "shiqian-shihao-xingdong" in here(page)


def test_the_case_form_works_from_the_folder(page: Any) -> None:
    """Its data, the GB/T 2260 list and the validator all load from the copy (twin scripts)."""
    page.goto(page.root + "contribute/index.html")
    page.wait_for_selector("#case-form-fields .cb-form__field")
    page.fill('#case-form-fields [name="time.start"]', "二〇二一")
    page.wait_for_selector('[data-field="time.start"] > .cb-form__msg:not([hidden])')
    assert "应为整数" in page.text_content('[data-field="time.start"] > .cb-form__msg')
    page.click("#case-form-newplace summary")
    page.fill("#case-form-place", "330523")
    page.click('#case-form-places [data-code="330523"]')
    page.wait_for_selector("#case-form-regions:not([hidden])")
    assert "安吉县" in page.text_content("#case-form-regions-yaml")


def test_the_copy_on_an_office_s_own_server_loads_its_data_from_the_twins(browser: Any,
                                                                          offline_copy: Path) -> None:
    """Put on a plain web server (no JSON files, only their twins), the copy's finder, compare
    page and search still get their data: data.js falls back to the twin on a 404."""
    with serve(offline_copy) as base:
        page = browser.new_page(viewport={"width": 360, "height": 800})
        errors: list[str] = []
        hosts: set[str] = set()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        page.goto(base + "finder/index.html?region=zunyi")
        page.wait_for_selector(".cb-finder[data-ready]")
        assert page.text_content(".cb-finder__results .cb-finder__count") == "符合条件的案例：1 个（共 5 个）"
        page.goto(base + "compare/index.html?cases=bijie-sige-liuxia,zunyi-wuqiang-zuzhi")
        page.wait_for_function("document.querySelector('#compare-status').textContent === '已选 2 个案例。'")
        assert page.eval_on_selector_all('thead th[data-case]:not([hidden])', "cells => cells.length") > 0
        page.goto(base + "index.html")
        page.keyboard.press("/")
        results = search_results(page, "党支部领办合作社")
        assert results and results[0][0].endswith("practices/zhibu-lingban-hezuoshe/index.html")
        page.close()
    assert not errors, errors
    assert hosts == {urlsplit(base).netloc}

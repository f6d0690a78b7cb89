"""The header search as a reader uses it, in Chromium: type the field's words, get the right pages.

The queries and the pages they must find are in tests/data/search_queries.yaml; every practice
named in the vocabulary is also searched for by its name, so the check grows with the records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from browsing import record_requests, search_results, site_path
from conftest import ROOT
from sitebuild import page as built_page

pytestmark = pytest.mark.browser

QUERIES = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
TOP = QUERIES["top"]
KINDS = {"案例", "做法", "指标", "术语", "地区", "主题", "指南", "课程", "目录", "页面"}


def _vocabulary(kind: str) -> list[dict]:
    entries: list[dict] = []
    for path in sorted((ROOT / "cases" / "vocab" / kind).glob("*.yaml")):
        entries += yaml.safe_load(path.read_text(encoding="utf-8"))
    return entries


@pytest.fixture(scope="module")
def search_box(browser: Any, base: str) -> Iterator[Any]:
    """One phone-sized page with the search dialog open, reused for every query."""
    page = browser.new_page(viewport={"width": 412, "height": 900})
    page.goto(base + "cases/")
    page.click(".cb-search__open")
    yield page
    page.close()


def search(page: Any, base: str, query: str) -> list[dict[str, str]]:
    """Type `query` into the search box; the results shown, in order: site path and kind label."""
    shown = search_results(page, query)
    return [{"url": site_path(href, base), "kind": kind} for href, kind in shown]


def _ids(items: list[dict]) -> list[str]:
    return [item["query"] for item in items]


@pytest.mark.parametrize("item", QUERIES["terms"], ids=_ids(QUERIES["terms"]))
def test_a_field_term_finds_its_page_first(search_box: Any, base: str, item: dict) -> None:
    results = search(search_box, base, item["query"])
    top = [r["url"] for r in results[:TOP]]
    for wanted in item["expect"]:
        assert wanted in top, f"{item['query']}: {wanted} not in the first {TOP}: {top}"
    if "kind" in item:
        first = next(r for r in results if r["url"] == item["expect"][0])
        assert first["kind"] == item["kind"]


@pytest.mark.parametrize("item", QUERIES["traditional"], ids=_ids(QUERIES["traditional"]))
def test_traditional_characters_find_what_simplified_ones_do(search_box: Any, base: str,
                                                             item: dict) -> None:
    traditional = search(search_box, base, item["query"])
    simplified = search(search_box, base, item["same_as"])
    assert simplified, f"{item['same_as']} finds nothing"
    assert traditional[:TOP] == simplified[:TOP]
    for wanted in item.get("expect", []):
        assert wanted in [r["url"] for r in traditional[:TOP]]


@pytest.mark.parametrize("item", QUERIES["aliases"], ids=_ids(QUERIES["aliases"]))
def test_an_alias_finds_the_page_of_the_name(search_box: Any, base: str, item: dict) -> None:
    alias = [r["url"] for r in search(search_box, base, item["query"])[:TOP]]
    name = [r["url"] for r in search(search_box, base, item["same_as"])[:TOP]]
    assert name[0] in alias, f"{item['query']} does not find {name[0]}, the first page for {item['same_as']}"
    for wanted in item.get("expect", []):
        assert wanted in alias


def test_every_practice_is_found_by_its_name(search_box: Any, base: str) -> None:
    missed = []
    for practice in _vocabulary("practices"):
        urls = [r["url"] for r in search(search_box, base, practice["name"])[:TOP]]
        if f"practices/{practice['id']}/" not in urls:
            missed.append(f"{practice['name']} → {urls}")
    assert not missed, "\n".join(missed)


def _badges(site: Path, url: str) -> str:
    """The badges (status, level, period…) at the top of the page at `url`, without spaces."""
    found = built_page(site, url.split("#")[0]).select_one("article .cb-badges")
    return "".join(found.get_text().split()) if found else ""


def test_excerpts_come_from_the_text_never_from_the_badges(search_box: Any, base: str,
                                                           built_site: Path) -> None:
    opened_with_badges = []
    for item in QUERIES["terms"]:
        results = search(search_box, base, item["query"])
        excerpts = search_box.eval_on_selector_all(
            ".cb-search__result", "items => items.map(i => (i.querySelector('.cb-search__excerpt') || {}).textContent || '')")
        assert len(excerpts) == len(results) and all(excerpts), f"{item['query']}: a result without text"
        for result, text in zip(results, excerpts, strict=True):
            badges = _badges(built_site, result["url"])
            if badges and "".join(text.split()).lstrip("…. ").startswith(badges[:6]):
                opened_with_badges.append(f"{item['query']}: {result['url']}: {text[:30]}")
        assert search_box.locator(".cb-search__excerpt mark").count(), f"{item['query']}: no excerpt marks it"
    assert not opened_with_badges, "\n".join(opened_with_badges)


def test_every_result_says_what_kind_of_page_it_is(search_box: Any, base: str) -> None:
    results = search(search_box, base, "兵支书")
    assert len(results) >= 4
    assert {r["kind"] for r in results} <= KINDS
    assert {"做法", "指标", "术语", "案例"} <= {r["kind"] for r in results}


def test_a_word_that_is_nowhere_says_so(search_box: Any, base: str) -> None:
    assert search(search_box, base, "魑魅魍魉") == []
    assert "没有找到" in search_box.text_content(".cb-search__status")


def test_the_search_asks_no_other_host_and_loads_the_index_in_pieces(browser: Any, base: str,
                                                                     built_site: Path) -> None:
    page = browser.new_page()
    own, foreign = record_requests(page, base)
    page.goto(base)
    page.keyboard.press("/")  # the keyboard shortcut opens the search box
    assert page.evaluate("document.activeElement.classList.contains('cb-search__input')")
    # What the page had loaded when the list was complete (before anything it loads when idle).
    page.evaluate("""() => { const list = document.querySelector('.cb-search__results');
        new MutationObserver(() => { if (list.getAttribute('aria-busy') === 'false' && !window.seenAtDone)
            window.seenAtDone = performance.getEntriesByType('resource').map(e => e.name); })
          .observe(list, {attributes: true}); }""")
    search(page, base, "党支部领办合作社")
    # The field's terms are answered by the quick index alone, a few small files of it.
    seen = page.evaluate("window.seenAtDone")
    quick = [url for url in seen if "/search/quick/" in url]
    assert quick and not [url for url in seen if "/pagefind/" in url and "/fragment/" not in url], seen
    assert len(quick) < len(list((built_site / "search" / "quick").rglob("*.json"))) / 4
    search(page, base, "遵義")
    # A word that is no term needs the full-text index, which is loaded in pieces too.
    assert search(page, base, "交通")
    page.close()
    assert not foreign, foreign
    chunks = [url for url in own if url.endswith(".pf_index")]
    assert chunks, "the search loaded no index chunk"
    assert len(chunks) < len(list((built_site / "pagefind" / "index").iterdir())), \
        "the whole index was downloaded"
    assert any(url.endswith("search/terms.json") for url in own)


def test_escape_closes_the_search_and_enter_opens_the_first_result(browser: Any, base: str) -> None:
    page = browser.new_page()
    page.goto(base + "about/")
    page.click(".cb-search__open")
    results = search(page, base, "四个留下")
    page.keyboard.press("Escape")
    assert not page.is_visible(".cb-search")
    page.click(".cb-search__open")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{results[0]['url']}")
    assert "四个留下" in page.text_content("h1")
    page.close()

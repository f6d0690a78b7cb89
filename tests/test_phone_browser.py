"""Every page on a 360 px phone and a 1366 px screen, in Chromium, as a reader uses them.

The checks themselves are in tests/data/layout_checks.js: a box that needs a sideways scroll,
table text under 14 px, and tap targets that break WCAG 2.2's 2.5.8 (24×24 px, or spaced so).
One test breaks a page on purpose to show that the checks catch it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from browsing import search_results, site_path
from casebook.records.validate import choices, schema_node
from conftest import ROOT
from test_handouts import flat, pdfinfo, pdftotext

pytestmark = pytest.mark.browser

CHECKS = (ROOT / "tests" / "data" / "layout_checks.js").read_text(encoding="utf-8")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
ZUNYI, BIJIE = "zunyi-wuqiang-zuzhi", "bijie-sige-liuxia"
# Pages whose content a script fills in after loading its data.
SCRIPTED = ("finder/", "compare/", "contribute/")


def every_page(site: Path) -> list[str]:
    """The URL of every page the build wrote, and the compare page with cases chosen."""
    urls = sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html"))
    urls = ["" if url == "./" else url for url in urls]
    return urls + [f"compare/?cases={ZUNYI},{BIJIE}"]


def look(page: Any, base: str, url: str, **options: Any) -> list[str]:
    scripted = url.startswith(SCRIPTED)
    page.goto(base + url, wait_until="networkidle" if scripted else "load")
    return page.evaluate(CHECKS, options)


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{url or '/'}:\n  " + "\n  ".join(found) for url, found in problems.items())


def test_every_page_fits_a_360px_phone(browser: Any, base: str, built_site: Path) -> None:
    page = browser.new_page(viewport=PHONE)
    urls = every_page(built_site)
    problems = {url: found for url in urls
                if (found := look(page, base, url, overflow="all", cells=True, targets=True))}
    page.close()
    assert len(urls) > 150
    assert not problems, report(problems)


def test_no_table_is_cut_off_on_a_1366px_screen(browser: Any, base: str, built_site: Path) -> None:
    page = browser.new_page(viewport=DESKTOP)
    problems = {}
    for url in every_page(built_site):
        found = look(page, base, url, overflow="tables")
        # An empty left sidebar would only take width from the tables.
        sidebar = page.evaluate("""() => { const s = document.querySelector('.md-sidebar--primary');
            return !!s && s.checkVisibility() && ![...s.querySelectorAll('a')].some(a => a.checkVisibility()); }""")
        if sidebar:
            found.append("the left sidebar is shown with nothing in it")
        if found:
            problems[url] = found
    page.close()
    assert not problems, report(problems)


@pytest.mark.parametrize(("viewport", "width"), [(PHONE, 480), (DESKTOP, 1400)])
def test_the_checks_catch_a_table_made_too_wide(browser: Any, base: str, viewport: dict,
                                                width: int) -> None:
    page = browser.new_page(viewport=viewport)
    options = {"overflow": "all" if viewport is PHONE else "tables"}
    assert look(page, base, "practices/yijiantiao/", **options) == []
    page.add_style_tag(content=f".cb-table__grid {{ min-width: {width}px; }}")
    found = page.evaluate(CHECKS, options)
    page.close()
    assert found and all("sideways" in line for line in found), found


def test_the_checks_catch_small_table_text_and_crowded_targets(browser: Any, base: str) -> None:
    page = browser.new_page(viewport=PHONE)
    assert look(page, base, f"cases/{ZUNYI}/", cells=True, targets=True) == []
    page.evaluate("document.querySelector('.cb-toc').open = true")
    assert page.evaluate(CHECKS, {"cells": True, "targets": True}) == []
    page.add_style_tag(content=".md-typeset .cb-table__grid { font-size: .6rem; }"
                               ".md-typeset .cb-toc a { padding: 0; font-size: 10px; line-height: 1; }")
    found = page.evaluate(CHECKS, {"cells": True, "targets": True})
    page.close()
    assert any(line.startswith("table text under 14 px") for line in found), found
    assert any(line.startswith("tap target") and "本页目录" not in line for line in found), found


def test_a_practice_row_lands_on_that_practice_in_the_case_highlighted(browser: Any, base: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(base + "practices/yijiantiao/")
    link = page.locator('.cb-variants a[href*="/cases/"]').first
    link.click()
    page.wait_for_url(re.compile(r".*/cases/[a-z0-9-]+/#p-\d+$"))
    landed = page.evaluate("""() => { const t = document.querySelector(':target'), s = getComputedStyle(t);
        return {id: t.id, top: t.getBoundingClientRect().top, background: s.backgroundColor,
                outline: s.outlineStyle}; }""")
    page.close()
    assert landed["id"].startswith("p-")
    assert 0 <= landed["top"] < 200, landed  # in view, below the header
    assert landed["background"] != "rgba(0, 0, 0, 0)" and landed["outline"] != "none", landed


@pytest.mark.parametrize("url", [f"cases/{ZUNYI}/", "courses/xinren-cun-shuji/"])
def test_a_phone_gets_the_pages_contents_at_the_top_and_a_way_back(browser: Any, base: str,
                                                                  url: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(base + url)
    toc = page.locator(".cb-toc")
    assert toc.is_visible() and toc.bounding_box()["y"] < 740 * 2
    assert not page.locator(".md-top").is_visible()
    toc.locator("summary").click()
    entry = toc.locator("a").nth(2)
    anchor = entry.get_attribute("href")
    entry.click()
    page.wait_for_url(re.compile(f".*{re.escape(anchor)}$"))
    heading_top = page.locator(anchor).bounding_box()["y"]
    assert 0 <= heading_top < 200
    page.locator(".cb-back a").nth(3).click()
    page.wait_for_url(re.compile(".*#cb-toc$"))
    assert page.locator(".cb-toc").bounding_box()["y"] < 200
    desktop = browser.new_page(viewport=DESKTOP)
    desktop.goto(base + url)
    assert not desktop.locator(".cb-toc").is_visible()
    assert desktop.locator(".md-sidebar--secondary").is_visible()
    desktop.close()
    page.close()


def test_a_printed_case_page_holds_every_figure_and_points_to_the_handout(
        browser: Any, base: str, tmp_path: Path) -> None:
    case = yaml.safe_load((ROOT / "cases" / f"{ZUNYI}.yaml").read_text(encoding="utf-8"))
    labels = dict(choices(schema_node("case", ("indicators", 0, "evidence"))))
    page = browser.new_page()
    page.goto(base + f"cases/{ZUNYI}/", wait_until="networkidle")
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), format="A4", margin={"top": "15mm", "bottom": "15mm", "left": "15mm",
                                                   "right": "15mm"})
    page.close()
    text = flat(pdftotext(pdf))
    wanted = Counter(labels[v["evidence"]] for v in case["indicators"])
    # Each label is also printed once in the facts, in the line 数据来源 ("实践单位自报 28 项").
    assert {label: text.count(label) - 1 for label in wanted} == wanted
    for value in case["indicators"]:
        assert flat(value["original"]) in text, value["original"]
    # pdftotext joins a word broken at a hyphen without it: compare without hyphens.
    assert f"handouts/cases/{ZUNYI}.pdf".replace("-", "") in text.replace("-", "")
    assert "本页目录" not in text and "回到本页目录" not in text and "查找案例" not in text
    pages = int(pdfinfo(pdf)["Pages"])
    assert pages <= 14, f"{pages} pages"  # 17 before cards, 12 now; the handout has 7


def test_a_glossary_term_searched_for_opens_at_its_entry(browser: Any, base: str) -> None:
    terms = [t for path in sorted((ROOT / "cases" / "vocab" / "glossary").glob("*.yaml"))
             for t in yaml.safe_load(path.read_text(encoding="utf-8"))]
    page = browser.new_page(viewport=PHONE)
    page.goto(base + "cases/")
    page.click(".cb-search__open")
    wrong, opened = {}, 0
    for term in terms:
        found = [site_path(href, base) for href, _ in search_results(page, term["term"])]
        glossary = [href for href in found if href.startswith("glossary/")]
        if not glossary:
            continue  # a search matter, not one of anchors: "5+2" finds the cases, not the glossary
        opened += 1
        if glossary[0] != f"glossary/#{term['id']}":
            wrong[term["term"]] = glossary[:2]
    page.close()
    assert opened >= len(terms) - 3, f"{opened} of {len(terms)} terms find the glossary"
    assert not wrong, wrong


def test_the_phone_home_page_shows_a_search_field_and_what_to_read(browser: Any, base: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(base)
    field = page.locator(".cb-home-search__box")
    assert field.is_visible() and field.bounding_box()["y"] < 740
    assert page.locator("#cadres").bounding_box()["y"] < 740, "the numbers fill the first screen"
    field.click()
    assert page.evaluate("document.activeElement.classList.contains('cb-search__input')")
    page.close()


def test_an_empty_finder_result_says_so_and_offers_the_way_back(browser: Any, base: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(base + "finder/?level=county&region=qinghai")  # Qinghai's one case is provincial
    page.wait_for_selector(".cb-finder[data-ready]")
    assert page.locator(".cb-finder__case").count() == 0
    empty = page.locator(".cb-finder__empty")
    assert empty.is_visible() and "没有案例" in empty.inner_text()
    empty.get_by_role("button").click()
    page.wait_for_function("document.querySelectorAll('.cb-finder__case').length > 0")
    assert not empty.is_visible() and "?" not in page.url
    page.close()


def test_the_finders_sticky_count_never_hides_what_has_focus(browser: Any, base: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(base + "finder/")
    page.wait_for_selector(".cb-finder[data-ready]")
    hidden = []
    for key in ["Tab"] * 60 + ["Shift+Tab"] * 60:
        page.keyboard.press(key)
        state = page.evaluate("""() => { const e = document.activeElement, box = e.getBoundingClientRect();
            const bar = document.querySelector('.cb-finder__jump').getBoundingClientRect();
            return {tag: e.tagName, text: (e.closest('label, summary') || e).textContent.trim().slice(0, 12),
                    top: box.top, under: bar.bottom}; }""")
        if state["tag"] in ("SUMMARY", "INPUT") and state["top"] < state["under"]:
            hidden.append(state)
    page.close()
    assert not hidden, hidden[:5]

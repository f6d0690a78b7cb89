"""Quality gates in Chromium: clean loads, accessibility (axe-core), keyboard, mobile, print.

Every page is opened in Debian's Chromium from the site served on 127.0.0.1; a page "loads
cleanly" when it logs no console error, throws no script error, has no failed request and asks
no host but the site's own. axe-core comes bundled in the pinned `axe-playwright-python`
package and is injected from disk: nothing is fetched from the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import ROOT

pytestmark = pytest.mark.browser

CASES = sorted(p.stem for p in (ROOT / "cases").glob("*.yaml"))
ZUNYI, BIJIE = "zunyi-wuqiang-zuzhi", "bijie-sige-liuxia"

# One page of each kind the site has.
PAGES = {
    "home": "",
    "cases": "cases/",
    "case": f"cases/{ZUNYI}/",
    "practice": "practices/yijiantiao/",
    "indicator": "indicators/yijiantiao-rate/",
    "theme": "themes/zuzhi-zhenxing/",
    "region": "regions/zunyi/",
    "glossary": "glossary/",
    "compare": f"compare/?cases={ZUNYI},{BIJIE}",
    "finder": "finder/",
    "case form": "contribute/",
    "guide": "guide/cadres/",
    "course": "courses/xinren-cun-shuji/",
    "downloads": "downloads/",
}
SERIOUS = {"serious", "critical"}
# Rules with a test of their own below (with the elements named); the per-page axe test leaves
# them out so that each failure is reported once.
KNOWN_RULES = ("color-contrast", "link-in-text-block", "aria-hidden-focus")


TEXT_ALTERNATIVES = """() => {
  const named = e => (e.getAttribute('aria-label') || '').trim() ||
    (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
  return {
    images: document.querySelectorAll('img').length,
    imagesWithoutAlt: [...document.querySelectorAll('img:not([alt])')].map(e => e.outerHTML.slice(0, 120)),
    charts: document.querySelectorAll('svg[role="img"]').length,
    chartsWithoutName: [...document.querySelectorAll('svg[role="img"]')].filter(e => !named(e))
      .map(e => e.outerHTML.slice(0, 120)),
    unlabelledSvgs: [...document.querySelectorAll('article svg:not([role]):not([aria-hidden="true"])')]
      .filter(e => !e.closest('[aria-hidden="true"], svg[role="img"]')).map(e => e.outerHTML.slice(0, 120)),
  };
}"""


class Watched:
    """A page with everything that can go wrong while it loads written down."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.problems: list[str] = []
        host = urlsplit(base).netloc
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        # A request the test's next goto() cancels fails with ERR_ABORTED: not the site's fault.
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}")
                if "ERR_ABORTED" not in (r.failure or "") else None)
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 else None)

        def asked(request: Any) -> None:
            parts = urlsplit(request.url)
            if parts.scheme not in ("data", "blob", "about") and parts.netloc != host:
                self.problems.append(f"other host: {request.url}")

        page.on("request", asked)


@pytest.fixture
def watched(browser: Any, base: str) -> Iterator[Watched]:
    """A fresh desktop-sized page; the test fails if anything went wrong on it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    tab = Watched(page, base)
    yield tab
    page.close()
    assert not tab.problems, "\n".join(tab.problems)


def h1(page: Any) -> str:
    return page.locator("article h1").first.inner_text().strip()


def axe_violations(page: Any) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    found = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    return [v for v in found if v["impact"] in SERIOUS]


def describe(violations: list[dict], url: str, nodes: int = 6) -> str:
    lines = []
    for v in violations:
        lines.append(f"{url}: {v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)")
        lines += [f"    {n['target']} {n['html'][:100]!r}" for n in v["nodes"][:nodes]]
    return "\n".join(lines)


# --- navigation and clean loads -------------------------------------------------------------


def test_a_reader_clicks_from_home_to_a_case_a_practice_and_an_indicator(watched: Watched,
                                                                         base: str) -> None:
    page = watched.page
    page.goto(base)
    assert page.title() and h1(page)
    page.locator(".md-tabs").get_by_role("link", name="案例", exact=True).click()
    page.wait_for_url(f"{base}cases/")
    assert h1(page) == "案例"
    page.locator(f'article a[href$="{ZUNYI}/"]').first.click()
    page.wait_for_url(f"{base}cases/{ZUNYI}/")
    assert "遵义" in h1(page)
    practice = page.locator('article a[href$="/practices/yijiantiao/"]').first
    name = practice.inner_text().strip()
    practice.click()
    page.wait_for_url(re.compile(r".*/practices/[a-z0-9-]+/$"))
    assert h1(page) == name
    indicator = page.locator('article a[href*="/indicators/"]:not([href$="/indicators/"])').first
    name = indicator.inner_text().strip()
    indicator.click()
    page.wait_for_url(re.compile(r".*/indicators/[a-z0-9-]+/$"))
    assert h1(page) == name


@pytest.fixture(scope="module")
def visit(browser: Any, base: str) -> Iterator[Any]:
    """visit(kind): what one look at that kind of page found, each page opened once per module.

    The result holds the load problems, axe-core's serious violations (all rules) and what
    the page offers as text alternatives, so that the tests below share the slow part.
    """
    seen: dict[str, dict[str, Any]] = {}

    def look(kind: str) -> dict[str, Any]:
        if kind not in seen:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            tab = Watched(page, base)
            page.goto(base + PAGES[kind], wait_until="networkidle")
            seen[kind] = {"url": PAGES[kind], "h1": h1(page), "problems": tab.problems,
                          "axe": axe_violations(page), "alternatives": page.evaluate(TEXT_ALTERNATIVES)}
            page.close()
        return seen[kind]

    yield look


@pytest.mark.parametrize("kind", PAGES)
def test_every_kind_of_page_loads_cleanly(visit: Any, kind: str) -> None:
    found = visit(kind)
    assert found["h1"]
    assert not found["problems"], "\n".join(found["problems"])


def test_search_finder_and_compare_work_without_errors(watched: Watched, base: str) -> None:
    page = watched.page
    page.goto(base + f"cases/{ZUNYI}/")
    page.keyboard.press("/")
    page.fill(".cb-search__input", "一肩挑")
    page.keyboard.press("End")  # the search listens for keys after typing
    page.wait_for_selector('.cb-search__results[aria-busy="false"] .cb-search__result')
    page.keyboard.press("Escape")
    page.goto(base + "finder/", wait_until="networkidle")
    page.locator('.cb-finder input[name="region"]').first.check()
    page.goto(base + f"compare/?cases={ZUNYI},{BIJIE}", wait_until="networkidle")
    page.locator('input[name="cases"]:not(:checked)').first.check()
    assert page.url.count(",") == 2


# --- accessibility --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGES)
def test_no_serious_accessibility_violation(visit: Any, kind: str) -> None:
    found = [v for v in visit(kind)["axe"] if v["id"] not in KNOWN_RULES]
    assert not found, describe(found, PAGES[kind])


def _violations_of(visit: Any, rule: str) -> str:
    report = [describe([v for v in visit(kind)["axe"] if v["id"] == rule], PAGES[kind], nodes=3)
              for kind in PAGES]
    return "\n".join(line for line in report if line)


def test_text_has_enough_contrast(visit: Any) -> None:
    report = _violations_of(visit, "color-contrast")
    assert not report, report


def test_links_in_text_are_recognisable_without_colour(visit: Any) -> None:
    report = _violations_of(visit, "link-in-text-block")
    assert not report, report


def test_no_hidden_element_takes_keyboard_focus(visit: Any) -> None:
    report = _violations_of(visit, "aria-hidden-focus")
    assert not report, report


FOCUS_STATE = """() => {
  const e = document.activeElement, s = getComputedStyle(e), box = e.getBoundingClientRect();
  return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim().slice(0, 30),
          href: e.getAttribute('href'), inArticle: !!e.closest('article'),
          visible: box.width > 0 && box.height > 0 && s.visibility !== 'hidden',
          ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'};
}"""


def test_a_case_page_can_be_used_by_keyboard_alone(browser: Any, base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + f"cases/{ZUNYI}/")
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        stops.append(state)
        if state["inArticle"] and state["href"] and "/practices/" in state["href"]:
            break
    assert all(s["tag"] != "BODY" for s in stops), "focus fell back to the page body"
    unseen = [s for s in stops if not (s["visible"] and s["ring"])]
    assert not unseen, f"focused without a visible focus ring: {unseen}"
    assert stops[-1]["inArticle"], f"80 Tabs never reached a practice link in the case: {stops[-3:]}"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/practices/[a-z0-9-]+/$"))
    # The search opens from the keyboard: "/" anywhere, or Tab to its button and Enter.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('cb-search__input')")
    page.keyboard.press("Escape")
    page.locator(".cb-search__open").focus()
    page.keyboard.press("Enter")
    assert page.is_visible(".cb-search__input")
    page.close()



@pytest.mark.parametrize("kind", PAGES)
def test_images_and_charts_have_text_alternatives(visit: Any, kind: str) -> None:
    found = visit(kind)["alternatives"]
    assert not found["imagesWithoutAlt"], found["imagesWithoutAlt"]
    assert not found["chartsWithoutName"], found["chartsWithoutName"]
    assert not found["unlabelledSvgs"], found["unlabelledSvgs"]
    if kind == "indicator":
        assert found["charts"] >= 1, "the indicator page shows no chart to check"


# --- phone and paper ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    yield page
    page.close()


@pytest.mark.parametrize("case", CASES)
def test_a_case_page_fits_a_360px_phone(phone: Any, base: str, case: str) -> None:
    phone.goto(base + f"cases/{case}/", wait_until="networkidle")
    widths = phone.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(widths) <= 360, f"scrolls sideways: {widths}"


def test_the_print_view_shows_the_case_without_site_chrome(browser: Any, base: str) -> None:
    page = browser.new_page()
    page.goto(base + f"cases/{ZUNYI}/")
    page.emulate_media(media="print")
    shown = page.evaluate("""selectors => Object.fromEntries(selectors.map(s => {
        const e = document.querySelector(s);
        return [s, e ? (e.checkVisibility() ? 'shown' : 'hidden') : 'absent'];
      }))""", [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
               ".md-footer", ".cb-search", "article", "article h1"])
    visible_text = page.locator("article").inner_text()
    page.close()
    for chrome in (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
                   ".md-footer", ".cb-search"):
        assert shown[chrome] in ("hidden", "absent"), f"{chrome} is printed: {shown}"
    assert shown["article"] == shown["article h1"] == "shown", shown
    assert "遵义" in visible_text and len(visible_text) > 2000

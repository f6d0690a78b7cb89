"""Quality gates in Chromium: clean loads, accessibility (axe-core), keyboard, mobile, print.

Every page is opened in Debian's Chromium from the site served on 127.0.0.1; a page "loads
cleanly" when it logs no console error, throws no script error, has no failed request and asks
no host but the site's own. axe-core comes bundled in the pinned `axe-playwright-python`
package and is injected from disk: nothing is fetched from the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from browsing import chromium, serve
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
    "guide": "guide/cadres/",
    "course": "courses/xinren-cun-shuji/",
    "downloads": "downloads/",
}
SERIOUS = {"serious", "critical"}
# Known defects, each asserted by its own strict xfail test below; the per-page axe test
# leaves them out so that it keeps catching every other serious rule.
KNOWN_RULES = ("color-contrast", "link-in-text-block", "aria-hidden-focus")


@pytest.fixture(scope="module")
def base(built_site: Path) -> Iterator[str]:
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


class Watched:
    """A page with everything that can go wrong while it loads written down."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.problems: list[str] = []
        host = urlsplit(base).netloc
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))

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


def axe_violations(page: Any, *, only: tuple[str, ...] = (), leave_out: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if only:
        options["runOnly"] = {"type": "rule", "values": list(only)}
    if leave_out:
        options["rules"] = {rule: {"enabled": False} for rule in leave_out}
    found = Axe().run(page, options=options).response["violations"]
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
    practice = page.locator('article a[href*="/practices/"]:not([href$="/practices/"])').first
    name = practice.inner_text().strip()
    practice.click()
    page.wait_for_url(re.compile(r".*/practices/[a-z0-9-]+/$"))
    assert h1(page) == name
    indicator = page.locator('article a[href*="/indicators/"]:not([href$="/indicators/"])').first
    name = indicator.inner_text().strip()
    indicator.click()
    page.wait_for_url(re.compile(r".*/indicators/[a-z0-9-]+/$"))
    assert h1(page) == name


@pytest.mark.parametrize("kind", PAGES)
def test_every_kind_of_page_loads_cleanly(watched: Watched, base: str, kind: str) -> None:
    page = watched.page
    page.goto(base + PAGES[kind], wait_until="networkidle")
    assert h1(page)


def test_search_finder_and_compare_work_without_errors(watched: Watched, base: str) -> None:
    page = watched.page
    page.goto(base + f"cases/{ZUNYI}/")
    page.keyboard.press("/")
    page.fill(".cb-search__input", "一肩挑")
    page.keyboard.press("End")  # the search listens for keys after typing
    page.wait_for_selector('.cb-search__results[aria-busy="false"] .cb-search__result')
    page.keyboard.press("Escape")
    page.goto(base + "finder/", wait_until="networkidle")
    page.locator('#finder input[type="checkbox"]').first.check()
    page.goto(base + f"compare/?cases={ZUNYI},{BIJIE}", wait_until="networkidle")
    page.locator('input[name="cases"]:not(:checked)').first.check()
    assert page.url.count(",") == 2


# --- accessibility --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGES)
def test_no_serious_accessibility_violation(browser: Any, base: str, kind: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + PAGES[kind], wait_until="networkidle")
    found = axe_violations(page, leave_out=KNOWN_RULES)
    page.close()
    assert not found, describe(found, PAGES[kind])


def _violations_of(browser: Any, base: str, rule: str) -> str:
    report = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for url in PAGES.values():
        page.goto(base + url, wait_until="networkidle")
        report.append(describe(axe_violations(page, only=(rule,)), url, nodes=3))
    page.close()
    return "\n".join(line for line in report if line)


@pytest.mark.xfail(strict=True, reason=(
    "color-contrast on every page: mkdocs.yml palette `primary: red` gives Material's #ef5552, "
    "3.44:1 against white (WCAG AA needs 4.5:1) for header/tab text (.md-header__topic, "
    ".md-tabs__link, #facccb on #ef5552 2.39:1) and every link (--md-typeset-a-color); also the "
    "project's own CSS: .cb-search__hint #efd9d8 on #b13f3d 4.27:1, .cb-finder__none "
    ".cb-finder__name #adadad 2.24:1, .cb-apart #a77840 3.88:1, glossary dd small a #f3807d "
    "2.56:1. Fix: a darker primary (e.g. red 800 #c62828) via extra CSS --md-primary-fg-color "
    "and --md-typeset-a-color, and darker greys/browns in casebook.css and finder.css"))
def test_text_has_enough_contrast(browser: Any, base: str) -> None:
    report = _violations_of(browser, base, "color-contrast")
    assert not report, report


@pytest.mark.xfail(strict=True, reason=(
    "link-in-text-block on case, practice, indicator, region and course pages: links inside "
    "running text (.cb-note > a, .cb-edit > a, figcaption > a) differ from the text by colour "
    "only (Material removes the underline). Fix: underline `.cb-note a, .cb-edit a, "
    "figcaption a` in casebook.css"))
def test_links_in_text_are_recognisable_without_colour(browser: Any, base: str) -> None:
    report = _violations_of(browser, base, "link-in-text-block")
    assert not report, report


@pytest.mark.xfail(strict=True, reason=(
    "aria-hidden-focus on every page: Material renders a colour-scheme toggle "
    "(form[data-md-component=palette] input#__palette_0, aria-hidden=true, invisible) because "
    "mkdocs.yml gives `palette` as a one-item list; keyboard users land on an invisible, unnamed "
    "stop (the 2nd Tab). Fix: write `palette:` as a mapping (no `- `), then no toggle is rendered"))
def test_no_hidden_element_takes_keyboard_focus(browser: Any, base: str) -> None:
    report = _violations_of(browser, base, "aria-hidden-focus")
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
        if state["id"].startswith("__palette"):  # the known hidden stop, see the xfail above
            continue
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


@pytest.mark.parametrize("kind", PAGES)
def test_images_and_charts_have_text_alternatives(browser: Any, base: str, kind: str) -> None:
    page = browser.new_page()
    page.goto(base + PAGES[kind], wait_until="networkidle")
    found = page.evaluate(TEXT_ALTERNATIVES)
    page.close()
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
        return [s, e ? getComputedStyle(e).display : 'absent'];
      }))""", [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
               ".md-footer", ".cb-search", "article", "article h1"])
    visible_text = page.locator("article").inner_text()
    page.close()
    for chrome in (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
                   ".md-footer", ".cb-search"):
        assert shown[chrome] in ("none", "absent"), f"{chrome} is printed: {shown}"
    assert shown["article"] != "none" and shown["article h1"] != "none"
    assert "遵义" in visible_text and len(visible_text) > 2000

"""A hostile case, opened in Chromium: no payload runs, whatever a reader points at or clicks.

The record is the one tests/test_site_hostile.py builds (script, event-handler, javascript:,
data: and Jinja payloads in every prose field). Here the built pages are loaded in a real
browser with alert/confirm/prompt/print/open replaced by recorders before any page script runs,
and then hovered, clicked and searched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browsing import search_results, serve

pytestmark = pytest.mark.browser

HOSTILE = "zunyi-hostile"
# Replaces every way a payload could make itself seen before the page's own scripts run.
TRAPS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__ran.push(name + ":" + String(args[0])); };
}
"""
PAGES = [f"cases/{HOSTILE}/", "practices/yijiantiao/", "", "cases/", "regions/zunyi/"]


@pytest.fixture(scope="module")
def base(hostile_site: Path) -> Iterator[str]:
    with serve(hostile_site) as url:
        yield url


class Trapped:
    """A page whose dialogs, script errors and odd navigations are all written down."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.events: list[str] = []
        self.page.add_init_script(TRAPS)
        self.page.on("dialog", lambda d: (self.events.append(f"dialog {d.type}: {d.message}"),
                                          d.dismiss()))
        self.page.on("pageerror", lambda e: self.events.append(f"script error: {e}"))
        self.page.on("popup", lambda p: self.events.append(f"popup: {p.url}"))
        self.page.on("request", self._request)
        self.page.on("framenavigated", lambda f: self.events.append(f"navigated to {f.url}")
                     if f.url.split(":", 1)[0] in ("javascript", "data") else None)

    def _request(self, request: Any) -> None:
        if request.url.startswith(("javascript:", "data:text/html", "https://example.com")):
            self.events.append(f"request {request.url[:80]}")

    def ran(self) -> list[str]:
        """What ran, from inside the page and from outside it."""
        inside = self.page.evaluate("window.__ran") if self.page.url.startswith("http") else []
        return [*inside, *self.events]


@pytest.fixture
def trapped(browser: Any) -> Iterator[Trapped]:
    tab = Trapped(browser)
    yield tab
    tab.page.close()


# Fire every mouse and focus handler an attribute could have left on any element of the article.
STIR = """() => {
  const types = ["mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "click",
                 "focus", "blur", "dblclick", "pointerover", "animationstart"];
  for (const element of document.querySelectorAll("article *")) {
    for (const type of types) element.dispatchEvent(new Event(type, {bubbles: true}));
  }
  // The home page's search button opens the search dialog when clicked, as it should; close it so
  // that the reader's pointer reaches the article again.
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  return document.querySelectorAll("article *").length;
}"""


@pytest.mark.parametrize("url", PAGES)
def test_nothing_runs_when_a_reader_points_at_the_payloads(trapped: Trapped, base: str,
                                                           url: str) -> None:
    page = trapped.page
    page.goto(base + url, wait_until="networkidle")
    assert page.evaluate("typeof window.__ran") == "object", "the traps were not installed"
    assert page.evaluate(STIR) > 20
    for text in ("悬停", "点这里", "链接", "数据"):
        for element in page.locator("article").get_by_text(text, exact=False).all()[:5]:
            if element.is_visible():
                element.hover()
    page.wait_for_timeout(100)
    assert not trapped.ran(), trapped.ran()
    assert page.url == base + url


def test_clicking_the_payload_links_goes_nowhere_dangerous(trapped: Trapped, base: str) -> None:
    page = trapped.page
    page.goto(base + f"cases/{HOSTILE}/", wait_until="networkidle")
    hrefs = page.eval_on_selector_all("article a[href]", "links => links.map(a => a.href)")
    assert hrefs, "the case page has no links to try"
    odd = [h for h in hrefs if not h.startswith(("http://127.0.0.1", "https://"))]
    assert not odd, odd
    clicked = 0
    for text in ("点这里", "链接", "数据"):
        for element in page.locator("article").get_by_text(text, exact=True).all()[:5]:
            if element.is_visible():
                element.click(no_wait_after=True)
                clicked += 1
                page.wait_for_timeout(50)
                assert page.url.startswith("http://127.0.0.1"), page.url
                if page.url != base + f"cases/{HOSTILE}/":
                    page.goto(base + f"cases/{HOSTILE}/", wait_until="networkidle")
    assert clicked, "none of the payloads' link texts is shown"
    assert not trapped.ran(), trapped.ran()


def test_the_title_and_payload_text_are_shown_as_typed(trapped: Trapped, base: str) -> None:
    page = trapped.page
    page.goto(base + f"cases/{HOSTILE}/")
    assert "</title><script>alert('xss-title')</script>" in page.locator("article h1").inner_text()
    body = page.locator("article").inner_text()
    assert "{{ 7*191 }}" in body and "1337" not in body
    assert page.locator("article script, article iframe, article [onclick], article [onerror]"
                        ).count() == 0
    assert not trapped.ran(), trapped.ran()


def test_searching_for_the_payloads_runs_nothing(trapped: Trapped, base: str) -> None:
    page = trapped.page
    page.goto(base + "cases/")
    page.keyboard.press("/")
    for query in ("恶意案例", "<script>alert(1)</script>", "onerror alert", "javascript:alert",
                  "{{ 7*191 }}", "悬停"):
        search_results(page, query)  # waits until this query's results are all shown
        results = page.locator(".cb-search__results")
        assert results.locator("script, img, svg, iframe, [onclick], [onerror], [onmouseover]"
                               ).count() == 0, query
        for link in results.locator("a").all():
            assert link.get_attribute("href").split(":", 1)[0] not in ("javascript", "data")
            link.hover()
    page.wait_for_timeout(100)
    assert not trapped.ran(), trapped.ran()

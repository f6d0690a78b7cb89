"""A record full of script, event-handler, javascript: and Jinja payloads builds into inert pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitebuild import content, page

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-onerror')\">",
    "[点这里](javascript:alert('xss-link'))",
    "<a href=\"javascript:alert('xss-a')\">链接</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">数据</a>",
    "<div onmouseover=\"alert('xss-div')\">悬停</div>",
    "<svg onload=alert('xss-svg')></svg>",
    "<iframe src=\"https://example.com\"></iframe>",
    "{{ 7*191 }} {% if true %}JINJA-RAN{% endif %} {{ cycler.__init__.__globals__.os.getcwd() }}",
    "{: onclick=\"alert('xss-attr')\" }",
]
PROSE = " ".join(PAYLOADS)
SHORT = "{{ 7*191 }}<script>alert(1)</script>{: onclick=x }"


def case_title() -> str:
    return "测试 {{ 7*191 }}{: onclick=x }</title><script>alert('xss-title')</script>"


def hostile_case(original: dict) -> dict:
    case = dict(original, id="zunyi-hostile", related_cases=[])
    case["title"] = case_title()
    case["summary"] = "一个用来测试的恶意案例。" + SHORT
    case["abstract"] = "这段概述含有各种攻击载荷。" * 4 + PROSE
    case["background"] = "背景。" + PROSE
    case["problems"] = [{"text": "问题" + SHORT, "source": case["sources"][0]["id"]}]
    case["practices"] = [dict(e, local_name="本地" + SHORT, description="做法。" + PROSE)
                         for e in case["practices"]]
    case["outcomes"] = [dict(o, text="成效。" + PROSE) for o in case["outcomes"]]
    case["lessons"] = [dict(o, text="启示。" + PROSE) for o in case["lessons"]]
    case["indicators"] = [dict(v, note="说明" + SHORT, scope="全市" + SHORT) for v in case["indicators"]]
    case["teaching"] = {"key_points": ["要点" + SHORT], "questions": ["问题" + SHORT]}
    case["sources"] = [dict(s, title="来源" + SHORT, rights="公开" + SHORT,
                            url="https://example.com/a?b=<script>") for s in case["sources"]]
    return case


PAGES = ["cases/zunyi-hostile/", "cases/", "", "practices/yijiantiao/", "regions/zunyi/"]


@pytest.mark.parametrize("url", PAGES)
def test_no_payload_is_active(hostile_site: Path, url: str) -> None:
    soup = page(hostile_site, url)
    for script in soup.find_all("script"):
        assert "xss" not in script.get_text() and "alert" not in script.get_text()
    for tag in soup.find_all(True):
        handlers = [name for name in tag.attrs if name.lower().startswith("on")]
        assert not handlers, f"{tag.name} keeps event handlers {handlers}"
        for attr in ("href", "src", "action", "formaction"):
            value = str(tag.get(attr, "")).strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), f"{tag.name} {attr}={value}"
    body = content(soup)
    assert not body.find_all(["iframe", "svg", "img", "object", "embed", "form", "style"])


def test_jinja_in_a_record_is_shown_as_typed(hostile_site: Path) -> None:
    text = content(page(hostile_site, "cases/zunyi-hostile/")).get_text(" ")
    assert "{{ 7*191 }}" in text
    assert "1337" not in text
    assert "{% if true %}JINJA-RAN{% endif %}" in text
    assert str(Path.cwd()) not in text


def test_title_keeps_its_text_without_markup(hostile_site: Path) -> None:
    soup = page(hostile_site, "cases/zunyi-hostile/")
    h1 = content(soup).find("h1")
    assert h1.get_text() == case_title()
    assert not h1.find_all(True), "the title must not become markup"
    assert "测试" in soup.title.get_text()
    assert "xss-title" in soup.title.get_text(), "the title element must hold the whole title as text"


@pytest.mark.browser
def test_search_shows_payloads_as_text_only(hostile_site: Path) -> None:
    """The search index holds the page's text, markup characters included; the search box must
    show it as text: searching for the hostile case runs nothing and creates no element."""
    import gzip
    import json

    from browsing import chromium, serve

    fragments = [json.loads(gzip.decompress(p.read_bytes())[12:])
                 for p in (hostile_site / "pagefind" / "fragment").iterdir()]
    [mine] = [f for f in fragments if f["url"].strip("/") == "cases/zunyi-hostile"]
    assert mine["meta"]["title"] == case_title()
    with serve(hostile_site) as base, chromium() as browser:
        page = browser.new_page()
        alerts: list[str] = []
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        page.goto(base + "cases/")
        page.click(".cb-search__open")
        page.fill(".cb-search__input", "恶意案例")
        page.wait_for_selector('.cb-search__results[aria-busy="false"]')
        results = page.locator(".cb-search__results")
        assert case_title() in results.locator(".cb-search__title").all_text_contents()
        for tag in ("script", "img", "svg", "iframe", "[onclick]", "[onerror]"):
            assert results.locator(tag).count() == 0, tag
        page.wait_for_timeout(200)
        assert not alerts

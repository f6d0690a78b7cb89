"""The compare page as a trainer uses it, in Chromium: choose cases, share the address, print."""

from __future__ import annotations

import csv
import functools
import io
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
import yaml

from casebook.library.check import check_library
from casebook.library.compare import grade, reported
from conftest import ROOT

pytestmark = pytest.mark.browser

CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
ZUNYI, BIJIE, QINGHAI = "zunyi-wuqiang-zuzhi", "bijie-sige-liuxia", "qinghai-jiceng-dangjian"


def _names(kind: str) -> dict[str, str]:
    entries = {}
    for path in sorted((ROOT / "cases" / "vocab" / kind).glob("*.yaml")):
        entries.update({e["id"]: e["name"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))})
    return entries


PRACTICES, INDICATORS = _names("practices"), _names("indicators")


def shared_practices(*ids: str) -> set[str]:
    used = [{e["practice"] for e in CASES[i]["practices"]} for i in ids]
    return {PRACTICES[p] for p in set.intersection(*used)}


def distinct_practices(*ids: str) -> set[str]:
    used = [{e["practice"] for e in CASES[i]["practices"]} for i in ids]
    return {PRACTICES[p] for p in set.union(*used) - set.intersection(*used)}


def common_indicators(*ids: str) -> set[str]:
    reported = [{v["indicator"] for v in CASES[i]["indicators"]} for i in ids]
    return {INDICATORS[i] for i in set.intersection(*reported)}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def server(built_site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, as a reader's browser gets it."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser, server: str):
    """A fresh page that records every request to a host other than the test server."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.foreign = []
    page.errors = []
    page.on("request", lambda r: page.foreign.append(r.url)
            if urlsplit(r.url).hostname not in {"127.0.0.1"} and not r.url.startswith("data:") else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors
    page.close()


def visible_texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null).map(e => e.textContent.trim())")


def shown_rows(page, name: str) -> set[str]:
    return set(visible_texts(page, f'tbody[data-name="{name}"] tr[data-cases] > th'))


def ready(page) -> None:
    """Wait until the page has loaded the chosen cases' parts and filled its tables."""
    page.wait_for_selector("#compare-form[data-state=ready]", state="attached")


def checked(page) -> list[str]:
    return page.eval_on_selector_all('input[name="cases"]', "els => els.filter(e => e.checked).map(e => e.value)")


def test_two_cases_from_the_address_side_by_side(tab, server: str) -> None:
    tab.goto(f"{server}compare/?cases={ZUNYI},{BIJIE}")
    ready(tab)
    assert checked(tab) == [BIJIE, ZUNYI]
    assert visible_texts(tab, "[data-table='cases'] table thead th[data-case]") == ["毕节市", "遵义市"]
    titles = visible_texts(tab, "[data-table='cases'] table td[data-case] a")
    assert CASES[ZUNYI]["title"] in titles and CASES[BIJIE]["title"] in titles
    shared = shared_practices(ZUNYI, BIJIE)
    assert shown_rows(tab, "shared") == shared
    assert tab.text_content('[data-count="shared"]') == str(len(shared))
    assert shown_rows(tab, "distinct") == distinct_practices(ZUNYI, BIJIE)
    common = common_indicators(ZUNYI, BIJIE)
    assert {row.rsplit("（", 1)[0] for row in shown_rows(tab, "indicators")} == common
    assert INDICATORS["yijiantiao-rate"] in common
    row = tab.locator('tbody[data-name="indicators"] tr', has_text=INDICATORS["yijiantiao-rate"])
    text = row.inner_text()
    assert "98.73%" in text and "41.73%" in text
    assert text.count("可参照：") == 1 and "范围不同：全市村（社区） vs 全市村" in text
    assert visible_texts(tab, ".cb-compare__column h3") == ["毕节市", "遵义市"]
    assert not tab.locator('[data-case="qinghai-jiceng-dangjian"]').first.is_visible()


def test_choosing_a_case_updates_the_address_and_the_address_reproduces_it(tab, server: str) -> None:
    tab.goto(f"{server}compare/?cases={ZUNYI},{BIJIE}")
    ready(tab)
    tab.get_by_label(CASES[QINGHAI]["title"]).check()
    ready(tab)
    assert tab.url.endswith(f"compare/?cases={BIJIE},{QINGHAI},{ZUNYI}")
    three = {"shared": shown_rows(tab, "shared"), "indicators": shown_rows(tab, "indicators"),
             "columns": visible_texts(tab, "[data-table='cases'] table thead th[data-case]")}
    assert three["columns"] == ["毕节市", "青海省", "遵义市"]
    assert three["shared"] == shared_practices(ZUNYI, BIJIE, QINGHAI)
    assert three["shared"] < shared_practices(ZUNYI, BIJIE)
    tab.goto(tab.url)  # what someone opening the shared link sees
    ready(tab)
    assert checked(tab) == [BIJIE, QINGHAI, ZUNYI]
    assert {"shared": shown_rows(tab, "shared"), "indicators": shown_rows(tab, "indicators"),
            "columns": visible_texts(tab, "[data-table='cases'] table thead th[data-case]")} == three
    tab.get_by_label(CASES[QINGHAI]["title"]).uncheck()
    assert tab.url.endswith(f"compare/?cases={BIJIE},{ZUNYI}")


def test_at_most_four_cases_and_at_least_two(tab, server: str) -> None:
    ids = sorted(CASES)
    tab.goto(f"{server}compare/?cases={','.join(ids)}")
    ready(tab)
    assert len(checked(tab)) == 4 and tab.url.endswith("?cases=" + ",".join(ids[:4]))
    assert tab.locator(f'input[value="{ids[4]}"]').is_disabled()
    tab.goto(f"{server}compare/?cases={ZUNYI},nonexistent")
    ready(tab)
    assert checked(tab) == [ZUNYI] and tab.url.endswith(f"?cases={ZUNYI}")
    assert "请再选 1 个" in tab.text_content("#compare-status")
    assert not shown_rows(tab, "shared")
    assert "请先在上方选择" in " ".join(visible_texts(tab, ".cb-compare__empty td"))


def test_case_page_link_opens_a_comparison_with_its_closest_case(tab, server: str) -> None:
    tab.goto(f"{server}cases/{ZUNYI}/")
    tab.get_by_role("link", name="与其他案例对比").click()
    tab.wait_for_load_state()
    ready(tab)
    assert ZUNYI in checked(tab) and len(checked(tab)) == 2
    assert len(visible_texts(tab, "[data-table='cases'] table thead th[data-case]")) == 2


def test_compare_page_prints_the_comparison_not_the_form(tab, server: str) -> None:
    tab.goto(f"{server}compare/?cases={ZUNYI},{BIJIE}")
    ready(tab)
    tab.emulate_media(media="print")
    assert not tab.locator("#compare-form").is_visible()
    printed = tab.locator("#compare-print")
    assert printed.is_visible()
    assert CASES[ZUNYI]["title"] in printed.inner_text() and f"cases={BIJIE},{ZUNYI}" in printed.inner_text()
    assert tab.locator('tbody[data-name="shared"] tr[data-cases]:visible').count() == len(
        shared_practices(ZUNYI, BIJIE))


def test_without_javascript_the_page_says_what_to_do(browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}compare/?cases={ZUNYI},{BIJIE}")
    notice = page.locator(".cb-compare__noscript")
    assert notice.is_visible() and "JavaScript" in notice.inner_text()
    assert not page.locator("#compare-form").is_visible()
    context.close()


def _python_pair_note(library, indicator: str, first: str, second: str) -> tuple[str, str]:
    """What casebook.library.compare says of the best pair of two cases' values of an indicator."""
    values = reported(library, indicator)
    pairs = [grade(a, b) for a in values if a.case_id == first for b in values if b.case_id == second]
    best = min(pairs, key=lambda g: (["可直接比较", "可参照", "不可比较"].index(g.grade), len(g.differences)))
    return best.grade, best.grade + ("：" + "；".join(best.differences) if best.differences else "")


@pytest.mark.parametrize("width", [360, 1366])
def test_the_page_grades_every_pair_as_the_indicator_pages_do_and_leads_with_what_compares(
        browser, server: str, width: int) -> None:
    library = check_library(ROOT).library
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(f"{server}compare/?cases={BIJIE},{ZUNYI}")
    ready(tab)
    rows = tab.locator('tbody[data-name="indicators"] tr[data-cases]')
    grades = rows.evaluate_all("rows => rows.map(r => r.getAttribute('data-grade'))")
    notes = tab.locator('tbody[data-name="indicators"] li[data-grade]').all_inner_texts()
    ids = rows.evaluate_all("rows => rows.map(r => r.querySelector('a[href*=indicators]').getAttribute('href'))")
    expected = [_python_pair_note(library, href.rstrip("/").split("/")[-1].split("#")[0], BIJIE, ZUNYI)
                for href in ids]
    assert notes == [note for _, note in expected]
    assert grades == [g for g, _ in expected]
    order = [["可直接比较", "可参照", "不可比较"].index(g) for g in grades]
    assert order == sorted(order) and "可参照" in grades, grades
    wide = tab.evaluate("document.documentElement.scrollWidth")
    assert wide <= width + 1, f"the page scrolls sideways at {width} px ({wide} px)"
    cells = tab.locator('tbody[data-name="indicators"] td[data-case]').evaluate_all(
        "cells => cells.map(td => [td.getAttribute('data-label'), getComputedStyle(td).display])")
    assert {label for label, _ in cells} == {"毕节市", "遵义市"}
    # A card per row on the phone, each value under its case's name; a table on the desktop.
    assert {display for _, display in cells} == ({"block"} if width == 360 else {"table-cell"})
    context.close()


def _chosen(tab, server: str) -> None:
    tab.goto(f"{server}compare/?cases={BIJIE},{ZUNYI}")
    ready(tab)
    assert tab.locator("#compare-tools").is_visible()


def test_the_comparison_downloads_as_a_csv_sheet_excel_and_wps_read(tab, server: str, tmp_path: Path) -> None:
    _chosen(tab, server)
    with tab.expect_download() as waiting:
        tab.click("#compare-tools [data-download=csv]")
    path = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(path)
    assert path.name == "案例对比-毕节市-遵义市.csv"
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["指标", "毕节市：数值", "毕节市：原文、范围和时间", "遵义市：数值",
                       "遵义市：原文、范围和时间", "可比程度与差别"]
    shown = tab.locator('tbody[data-name="indicators"] tr[data-cases]').count()
    assert len(rows) == 1 + shown
    rate = next(r for r in rows if r[0].startswith(INDICATORS["yijiantiao-rate"]))
    assert (rate[1], rate[3]) == ("41.73", "98.73") and rate[5].startswith("可参照：")


def test_the_comparison_downloads_as_a_workbook_from_the_site_s_own_copy(tab, server: str, tmp_path: Path) -> None:
    _chosen(tab, server)
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    with tab.expect_download() as waiting:
        tab.click("#compare-tools [data-download=xlsx]")
    path = tmp_path / "sheet.xlsx"
    waiting.value.save_as(path)
    assert waiting.value.suggested_filename == "案例对比-毕节市-遵义市.xlsx"
    sheet = openpyxl.load_workbook(path).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "指标" and sheet["A1"].font.b
    rate = next(r for r in rows if str(r[0]).startswith(INDICATORS["yijiantiao-rate"]))
    assert (rate[1], rate[3]) == (41.73, 98.73) and rate[5].startswith("可参照：")
    assert any(url.endswith("javascripts/vendor/write-excel-file.min.js") for url in requests)
    assert all(url.startswith(server) or url.startswith("blob:") for url in requests), requests


def test_the_comparison_prints_as_one_a4_sheet_to_hand_out(tab, server: str, tmp_path: Path) -> None:
    _chosen(tab, server)
    tab.evaluate("window.print = function () {}")
    tab.click("#compare-tools [data-sheet]")
    pdf = tmp_path / "sheet.pdf"
    tab.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "案例对比" in text and "98.73%" in text and "41.73%" in text and "可参照" in text
    assert "选择要对比的案例" not in text  # the form and the site's chrome stay off the sheet

"""What a reader on a phone relies on, read from the built HTML: links into the right section,
the page's own contents, one table layout, and the small things the phone test found."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from sitebuild import content, page
from test_site_pages import CASES, _target

# Pages whose links to a case must land on what the page is about in that case.
ABOUT = ("practices", "indicators", "themes", "regions", "courses")


def record_pages(site: Path) -> list[str]:
    return sorted(f"{kind}/{p.parent.name}/" for kind in ABOUT for p in (site / kind).glob("*/index.html"))


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    return built_site


@pytest.fixture(scope="module")
def case_ids(site: Path) -> dict[str, set[str]]:
    """Every id on every case page: the fragments a link to a case may carry."""
    return {f"cases/{cid}/": {e["id"] for e in page(site, f"cases/{cid}/").select("[id]")}
            for cid in CASES}


def test_every_case_link_from_a_record_page_goes_to_a_section_that_exists(
        site: Path, case_ids: dict[str, set[str]]) -> None:
    checked, wrong = 0, []
    for url in record_pages(site):
        for link in content(page(site, url)).select("a[href]"):
            target = _target(link["href"], url)
            path, _, fragment = target.partition("#")
            if path not in case_ids:
                continue
            checked += 1
            if not fragment or fragment not in case_ids[path]:
                wrong.append(f"{url}: {link.get_text(strip=True)} → {target}")
    assert checked > 100
    assert not wrong, "\n".join(wrong)


def test_a_practice_row_links_to_that_practice_in_the_case(site: Path) -> None:
    for cid, case in CASES.items():
        for position, entry in enumerate(case["practices"], 1):
            here = f"practices/{entry['practice']}/"
            rows = content(page(site, here)).select(".cb-variants tbody tr")
            links = {_target(row.select_one("a")["href"], here): row for row in rows}
            row = links.get(f"cases/{cid}/#p-{position}")
            assert row is not None, (here, cid, position, list(links))
            assert entry["local_name"] in row.get_text()


@pytest.mark.parametrize("url", [f"cases/{cid}/" for cid in sorted(CASES)] + [
    f"courses/{p.stem}/" for p in sorted((ROOT / "cases" / "courses").glob("*.yaml"))])
def test_the_phone_contents_list_the_same_headings_as_the_sidebar(site: Path, url: str) -> None:
    soup = page(site, url)
    sidebar = [(a["href"], a.get_text(" ", strip=True))
               for a in soup.select("nav.md-nav--secondary > ul a.md-nav__link")]
    phone = [(a["href"], a.get_text(" ", strip=True)) for a in content(soup).select(".cb-toc a")]
    assert phone and phone == sidebar
    assert len(content(soup).select(".cb-back a[href='#cb-toc']")) == len(phone)


def test_every_table_of_records_is_drawn_by_the_one_table_macro(site: Path) -> None:
    """Every table in a generated page has the one layout (tables.j2): its cells carry their
    column's name for the phone's card, minor columns sit under 详情, nothing else is a table."""
    for url in ["", "cases/", "downloads/", *record_pages(site),
                *(f"cases/{cid}/" for cid in CASES)]:
        body = content(page(site, url))
        for table in body.find_all("table"):
            assert "cb-table__grid" in table.get("class", []), (url, str(table)[:120])
            assert "cb-table" in table.parent.get("class", []), url
            for cell in table.select("tbody td:not(.cb-col--more)"):
                assert cell.get("data-label"), (url, str(cell)[:120])


def test_a_case_figure_keeps_evidence_and_source_one_tap_away(site: Path) -> None:
    body = content(page(site, "cases/zunyi-wuqiang-zuzhi/"))
    row = body.select_one(".cb-figures tr[id^='v-']")
    shown = [td["data-label"] for td in row.select("td[data-label]")]
    assert shown == ["指标", "数值", "单位", "时间", "原文", "范围"]
    folded = [dt.get_text() for dt in row.select("details.cb-more dt")]
    assert folded == ["证据类型", "来源"]


def test_a_one_year_case_shows_one_year(sandbox: Path) -> None:
    from sitebuild import build_site

    path = sandbox / "cases" / "qinghai-jiceng-dangjian.yaml"
    text = path.read_text(encoding="utf-8")
    record = yaml.safe_load(text)
    start = record["time"]["start"]
    path.write_text(text.replace(f"end: {record['time']['end']}", f"end: {start}", 1), encoding="utf-8")
    done = build_site(sandbox, sandbox / "site")
    assert done.returncode == 0, done.stderr
    site = sandbox / "site"
    spans = [f"{start}–{start}" in content(page(site, url)).get_text() for url in ("", "cases/")]
    assert not any(spans)
    assert f"{start}–{start}" not in (site / "finder" / "cases.json").read_text(encoding="utf-8")
    facts = content(page(site, "cases/qinghai-jiceng-dangjian/")).select_one(".cb-facts").get_text()
    assert f"{start} 年" in facts
    compared = (site / "compare" / "cases" / "qinghai-jiceng-dangjian.json").read_text(encoding="utf-8")
    assert f"{start}–{start}" not in compared and f"{start} 年" in compared
    from casebook.files.handouts import handouts
    from casebook.library.check import check_library

    library = check_library(sandbox, workers=1).library
    printed = [h.html for h in handouts(library, sandbox)]
    assert printed and not any(f"{start}–{start}" in html for html in printed)


def test_the_finder_lists_only_regions_with_cases(site: Path) -> None:
    listed = {box["value"] for box in content(page(site, "finder/")).select('input[name="region"]')}
    regions = {r["id"]: r for r in yaml.safe_load(
        (ROOT / "cases" / "vocab" / "regions" / "regions.yaml").read_text(encoding="utf-8"))}
    with_cases = set()
    for case in CASES.values():
        region = case["place"]["region"]
        while region:
            with_cases.add(region)
            region = regions[region].get("parent")
    assert listed == with_cases


def test_an_outcome_names_its_practices_and_its_figures_apart(site: Path) -> None:
    body = content(page(site, "cases/bijie-sige-liuxia/"))
    support = body.select_one(".cb-support")
    parts = [p.select_one(".cb-support__label").get_text() for p in support.select(".cb-support__part")]
    assert parts == ["依据的做法：", "依据的数据："]


def test_a_printed_case_page_says_where_its_handout_is(site: Path) -> None:
    note = content(page(site, "cases/zunyi-wuqiang-zuzhi/")).select_one(".cb-print-note")
    assert "handouts/cases/zunyi-wuqiang-zuzhi.pdf" in note.get_text()

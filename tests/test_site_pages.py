"""A real strict build of the repository's site, read back as parsed HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from casebook.site.render import handout_path
from conftest import ROOT
from sitebuild import build_site, content, page


def _records(kind: str) -> list[dict]:
    entries: list[dict] = []
    for path in sorted((ROOT / "cases" / "vocab" / kind).glob("*.yaml")):
        entries += yaml.safe_load(path.read_text(encoding="utf-8"))
    return entries


CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
PRACTICES = _records("practices")
INDICATORS = _records("indicators")
# Typeset by `casebook pdf` after the build (make build runs both); tests/test_handouts.py
# follows every link to them in a site that has them.
HANDOUTS = {handout_path("case", cid) for cid in CASES} | {
    handout_path("course", p.stem) for p in (ROOT / "cases" / "courses").glob("*.yaml")}


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The session's shared strict build of the repository (tests here only read it)."""
    return built_site


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_case_page_shows_every_figure(site: Path, case_id: str) -> None:
    body = content(page(site, f"cases/{case_id}/"))
    rows = {row["id"]: row for row in body.select(".cb-figures table tr[id]")}
    for value in CASES[case_id]["indicators"]:
        row = rows.get(f"v-{value['id']}")
        assert row is not None, f"{case_id}: no row for figure {value['id']}"
        cells = {td["data-label"]: td.get_text(" ", strip=True) for td in row.select("td[data-label]")}
        assert value["original"] in cells["原文"], (value["original"], cells)
        assert value["unit"] == cells["单位"]


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_case_page_has_every_section_and_links_practices(site: Path, case_id: str) -> None:
    body = content(page(site, f"cases/{case_id}/"))
    headings = {h.get("id") for h in body.find_all("h2")}
    assert {"info", "background", "practices", "figures", "outcomes", "lessons", "teaching",
            "related", "sources", "cite"} <= headings
    linked = {_target(a["href"], f"cases/{case_id}/") for a in body.select(".cb-practice__shared a")}
    wanted = {f"practices/{e['practice']}/" for e in CASES[case_id]["practices"]}
    assert linked == wanted
    assert CASES[case_id]["title"] in body.get_text()


@pytest.mark.parametrize("practice", [p for p in PRACTICES], ids=lambda p: p["id"])
def test_practice_page_links_every_case_that_uses_it(site: Path, practice: dict) -> None:
    users = {cid for cid, case in CASES.items() if any(e["practice"] == practice["id"]
                                                         for e in case["practices"])}
    body = content(page(site, f"practices/{practice['id']}/"))
    linked = {_target(a["href"], f"practices/{practice['id']}/").split("#")[0]
              for a in body.select(".cb-variants table a")}
    assert {f"cases/{cid}/" for cid in users} <= linked
    assert practice["name"] in body.find("h1").get_text()


def test_every_shared_practice_is_used_by_several_cases() -> None:
    counts = {p["id"]: 0 for p in PRACTICES}
    for case in CASES.values():
        for pid in {e["practice"] for e in case["practices"]}:
            counts[pid] += 1
    shared = [pid for pid, n in counts.items() if n >= 2]
    for pid in ("yijiantiao", "diyi-shuji-zhucun", "ruanruo-huansan-zhengdun", "shuji-beian-guanli",
                "zhibu-lingban-hezuoshe"):
        assert counts[pid] >= 2, f"{pid} should be one record shared by several cases"
    assert len(shared) >= 15


def test_yijiantiao_rate_shows_zunyi_and_bijie_in_one_table(site: Path) -> None:
    body = content(page(site, "indicators/yijiantiao-rate/"))
    table = body.select_one(".cb-values table")
    text = table.get_text(" ", strip=True)
    assert "98.73%" in text and "41.73%" in text
    cases = {_target(a["href"], "indicators/yijiantiao-rate/").split("#")[0]
             for a in table.select("tbody tr td:first-child a")}
    assert {"cases/zunyi-wuqiang-zuzhi/", "cases/bijie-sige-liuxia/"} <= cases


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i["id"])
def test_indicator_page_lists_every_reported_value(site: Path, indicator: dict) -> None:
    reported = [(cid, v) for cid, case in CASES.items() for v in case["indicators"]
                if v["indicator"] == indicator["id"]]
    body = content(page(site, f"indicators/{indicator['id']}/"))
    rows = body.select(".cb-values table tbody tr")
    assert len(rows) == len(reported)


def test_index_pages_count_their_records(site: Path) -> None:
    cases = content(page(site, "cases/"))
    assert len(cases.select(".cb-case-table table tbody tr")) == len(CASES)
    practices = content(page(site, "practices/"))
    assert len(practices.select("ul.cb-columns li")) == len(PRACTICES)
    indicators = content(page(site, "indicators/"))
    assert len(indicators.select("ul.cb-columns li")) == len(INDICATORS)
    for url in ("themes/", "regions/", "glossary/"):
        assert content(page(site, url)).find("h1")


def test_home_headline_figures_are_computed_from_the_records(site: Path) -> None:
    stats = {li.find("span").get_text(): int(li.find("strong").get_text())
             for li in content(page(site, "")).select("ul.cb-stats li")}
    assert stats["个案例"] == len(CASES)
    assert stats["个有出处的数字"] == sum(len(c["indicators"]) for c in CASES.values())
    assert stats["项共享做法"] == len(PRACTICES)


def test_region_pages_roll_cases_up_the_tree(site: Path) -> None:
    body = content(page(site, "regions/guizhou/"))
    linked = {_target(a["href"], "regions/guizhou/").split("#")[0] for a in body.select(".cb-card > a")}
    guizhou = {f"cases/{cid}/" for cid in CASES if not cid.startswith("qinghai")}
    assert guizhou <= linked


def test_glossary_terms_are_explained_where_they_appear(site: Path) -> None:
    body = content(page(site, "cases/zunyi-wuqiang-zuzhi/"))
    titles = {abbr.get_text(): abbr["title"] for abbr in body.find_all("abbr")}
    assert any("一肩挑" in term for term in titles)
    about = content(page(site, "guide/reading/"))
    assert about.find("abbr"), "hand-written pages should explain glossary terms too"


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    ids: dict[Path, set[str]] = {}
    broken = []
    for html in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        ids[html] = {tag["id"] for tag in soup.find_all(id=True)}
    for html in ids:
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or urlsplit(ref).scheme or ref.startswith("//"):
                continue
            parts = urlsplit(ref)
            if parts.path.startswith("/"):  # 404.html links from the site root (site_url's path is /)
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                served = target.relative_to(site.resolve()) if target.is_relative_to(site.resolve()) else None
                if served and served.as_posix() in HANDOUTS:
                    continue
                broken.append(f"{html.relative_to(site)} → {ref}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids.get(target, set()):
                broken.append(f"{html.relative_to(site)} → {ref} (no such anchor)")
    assert not broken, "\n".join(broken[:40])


def test_no_page_requests_another_host(site: Path) -> None:
    offenders = []
    for html in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video", "audio"]):
            ref = tag.get("src") or (tag.get("href") if tag.name == "link" else None)
            if ref and (urlsplit(ref).scheme or ref.startswith("//")):
                if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
                    continue
                offenders.append(f"{html.relative_to(site)}: <{tag.name}> {ref}")
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        if "fonts.googleapis" in text or "fonts.gstatic" in text:
            offenders.append(f"{css.relative_to(site)} loads Google Fonts")
    assert not offenders, "\n".join(offenders[:20])


def _target(href: str, here: str) -> str:
    """Resolve a relative href from the page at `here` to a site path like `cases/x/`."""
    import posixpath

    path, _, fragment = href.partition("#")
    resolved = posixpath.normpath(posixpath.join(here, path)) + "/" if path else here
    resolved = resolved.removeprefix("./")
    return resolved + (f"#{fragment}" if fragment else "")


def test_two_builds_of_one_commit_are_identical(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = build_site(ROOT, again)
    assert done.returncode == 0, done.stderr
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    differing = [str(p) for p in first if first[p] != second[p]]
    assert not differing, differing[:10]


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_case_page_links_its_own_record_file(site: Path, case_id: str) -> None:
    link = content(page(site, f"cases/{case_id}/")).select_one(".cb-edit a[download]")
    served = (site / "cases" / case_id / link["href"]).resolve()
    assert served.read_bytes() == (ROOT / "cases" / f"{case_id}.yaml").read_bytes()


def _schema_fields() -> set[str]:
    """Every field name of every record schema (`qualifier`, `scope`, `date_basis`, …)."""
    import json

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            yield from node.get("properties", {})
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    return {name for schema in sorted((ROOT / "src" / "casebook" / "schemas").glob("*.json"))
            for name in walk(json.loads(schema.read_text(encoding="utf-8")))}


def _record_ids() -> set[str]:
    """The id of every record, and of every figure of every case."""
    ids = set(CASES) | {v["id"] for case in CASES.values() for v in case["indicators"]}
    for path in sorted((ROOT / "cases").glob("*/**/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids |= {entry["id"] for entry in (data if isinstance(data, list) else [data])}
    return ids


# A lower-case Latin word as a token of its own (ids are `a-z0-9` with hyphens, fields `a-z_`).
_TOKEN = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*(?![\w@/-])")
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w./-]+\.(?:yaml|json|csv|xlsx|pdf|zip|md|html)\b")
# Where ids and field names are the subject: the contributor guide and the data dictionary.
_ABOUT_FIELDS = {"guide/contributors/index.html", "downloads/index.html"}


def test_no_internal_id_or_field_name_in_the_text_of_any_page(site: Path) -> None:
    """Readers see names, not `yijiantiao-villages` or `在 scope 中写明` (issue 20).

    Code, addresses and attributes may hold ids; so may the citation, which gives the case's id
    on purpose so that a reader can find it again."""
    words = _record_ids() | _schema_fields()
    leaks = []
    for html in sorted(site.rglob("*.html")):
        served = html.relative_to(site).as_posix()
        article = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one(
            "article.md-content__inner")
        if article is None or served in _ABOUT_FIELDS:
            continue
        for tag in article.select("code, pre, kbd, samp, script, style, .cb-cite"):
            tag.decompose()
        text = _ADDRESS.sub(" ", article.get_text(" "))
        leaks += [f"{served}: {m.group(0)} in …{text[max(0, m.start() - 20):m.end() + 5]}…"
                  for m in _TOKEN.finditer(text) if m.group(0) in words]
    assert len(_record_ids()) > 100 and {"qualifier", "scope", "date_basis"} <= words
    assert not leaks, "\n".join(leaks[:40])


def test_a_reference_in_a_definition_shows_the_name_and_links_the_page(site: Path) -> None:
    body = content(page(site, "indicators/yijiantiao-rate/"))
    named = {a.get_text(): _target(a["href"], "indicators/yijiantiao-rate/")
             for a in body.select(".cb-lead a")}
    wanted = next(i["name"] for i in INDICATORS if i["id"] == "yijiantiao-villages")
    assert named[wanted] == "indicators/yijiantiao-villages/"
    assert "[[" not in body.get_text()


def test_a_reference_in_a_note_names_the_figure_of_the_same_case(site: Path) -> None:
    body = content(page(site, "cases/zunyi-wuqiang-zuzhi/"))
    row = body.select_one("tr#v-threshold-500k")
    note = body.select_one("tr#v-villages-income-over-500k small")
    link = note.find("a", href=True)
    assert link["href"].endswith("#v-threshold-500k")
    original = next(v["original"] for v in CASES["zunyi-wuqiang-zuzhi"]["indicators"]
                    if v["id"] == "threshold-500k")
    assert link.get_text() == f"{row.select('td')[0].find('a').get_text()}（{original}）"


def test_the_review_status_badge_explains_itself(site: Path) -> None:
    from casebook.site.render import status_notes

    here = "cases/zunyi-wuqiang-zuzhi/"
    body = content(page(site, here))
    badge = body.select_one(".cb-badges .cb-badge--draft")
    assert badge.get_text() == "草稿" and badge["title"] == status_notes()["draft"]
    assert _target(badge.find_parent("a")["href"], here) == "guide/reading/#review-status"
    guide = content(page(site, "guide/reading/"))
    section = guide.find(id="review-status")
    table = section.find_next("table")
    rows = {tr.find("td").get_text(strip=True): tr.get_text(" ", strip=True)
            for tr in table.select("tbody tr")}
    assert set(rows) == {"草稿", "待审核", "已审核"}
    assert "作者" in rows["待审核"] and "审核人员" in rows["已审核"]

"""The search dictionary made from the records, and the index the build makes from it."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from casebook.library.check import check_library
from casebook.library.link import Library
from casebook.site.search_index import EXCLUDED_CLASSES, MARKER, indexed_text, page_keywords
from casebook.site.search_terms import (
    SKIPPED_SECTIONS,
    TOKEN_PATTERN,
    TermMatcher,
    build_terms,
    client_dictionary,
    forms_of,
    normalise,
    page_kind,
    related_forms,
    search_outputs,
    synonym_groups,
    traditional_map,
)
from conftest import ROOT


@pytest.fixture(scope="module")
def library() -> Library:
    result = check_library(ROOT)
    assert not result.errors
    return result.library


def test_forms_drop_quotes_and_notes_and_keep_quoted_terms() -> None:
    assert forms_of("“三会一课”与组织生活制度") == (["三会一课与组织生活制度"], ["三会一课"])
    assert forms_of("过渡期（有效衔接）") == (["过渡期（有效衔接）", "过渡期"], [])
    assert forms_of("村“两委”") == (["村两委"], ["两委"])
    assert forms_of("5+2") == ([], []), "digits and Latin are left to the segmenters"
    assert normalise("“一肩挑” 比例") == "一肩挑比例"


def test_every_vocabulary_name_and_alias_is_a_term(library: Library) -> None:
    terms = build_terms(library)
    names = [p["name"] for p in library.practices.values()] + [
        a for p in library.practices.values() for a in p.get("aliases", [])]
    names += [t["term"] for t in library.glossary.values()]
    names += [r["name"] for r in library.regions.values()] + [i["name"] for i in library.indicators.values()]
    missing = [n for n in names if forms_of(n)[0] and forms_of(n)[0][0] not in terms]
    assert not missing


def test_terms_know_the_pages_about_them(library: Library) -> None:
    terms = build_terms(library)
    assert terms["软弱涣散"].about == {"practices/ruanruo-huansan-zhengdun/"}
    # A glossary term that names a practice is about the glossary and the practice's page.
    assert terms["一肩挑"].about == {"glossary/", "practices/yijiantiao/"}
    assert terms["一肩挑"].glossary == "yijiantiao"
    # Slogans quoted in a case's title are about that case.
    assert "cases/zunyi-wuqiang-zuzhi/" in terms["五强组织"].about
    assert "cases/shiqian-shihao-xingdong/" in terms["十好"].about
    assert "cases/bijie-sige-liuxia/" in terms["四个留下"].about
    assert terms["遵义"].about == {"regions/zunyi/"}
    assert "indicators/yijiantiao-rate/" in terms["一肩挑比例"].about
    # A term quoted inside a longer name is a term, but the record is not about it.
    assert "practices/bumen-liandong/" not in terms["五大振兴"].about


def test_tokens_are_distinct_and_none_is_the_start_of_another(library: Library) -> None:
    tokens = [t.token for t in build_terms(library).values()]
    assert len(set(tokens)) == len(tokens)
    assert all(TOKEN_PATTERN.fullmatch(t) for t in tokens)
    assert len({len(t) for t in tokens}) == 1, "equal length: Pagefind matches word prefixes"


def test_the_matcher_counts_terms_inside_longer_ones_and_across_quotes() -> None:
    matcher = TermMatcher(["一肩挑", "一肩挑比例", "书记主任一肩挑", "两委", "村两委"])
    counts = matcher.count("“一肩挑”比例达98%；书记主任一肩挑；村“两委”换届，一肩挑。")
    assert counts == {"一肩挑": 3, "一肩挑比例": 1, "书记主任一肩挑": 1, "村两委": 1, "两委": 1}
    assert TermMatcher([]).count("一肩挑") == {}


def test_a_name_and_its_aliases_count_for_each_other_but_aliases_not_for_each_other(
        library: Library) -> None:
    groups = synonym_groups(library)
    assert "兵支书" in groups["外出人才回引"]
    assert "外出人才回引" in groups["兵支书"]
    assert "返乡创业" not in groups["兵支书"]


def test_a_case_page_is_filed_under_its_practices_region_and_indicators(library: Library) -> None:
    related = frozenset().union(*related_forms(library)["cases/zunyi-wuqiang-zuzhi/"])
    assert {"一肩挑", "遵义市", "贵州省", "一肩挑比例", "村级集体经济"} <= related
    assert "青海省" not in related


def test_page_keywords_tier_about_related_and_mentions(library: Library) -> None:
    terms = build_terms(library)
    keywords = page_keywords("practices/yijiantiao/", "实行“一肩挑”的村，一肩挑。两委。", terms,
                             TermMatcher(terms), synonym_groups(library), {"遵义"})
    assert terms["一肩挑"].token in keywords["about"]
    assert keywords["related"] == [terms["遵义"].token]
    assert keywords["mentions"].count(terms["一肩挑"].token) == 2
    assert keywords["mentions"].count(terms["书记主任一肩挑"].token) == 1, "an alias of the name"
    assert terms["两委"].token in keywords["mentions"]


def test_indexed_text_skips_repeated_sections_and_keeps_links_apart() -> None:
    html = (f'<nav>导航</nav><div data-pagefind-body><h1>一肩挑</h1><p>正文<a href="x">链接</a></p>'
            f'<div class="{EXCLUDED_CLASSES[0]}"><p>各地做法</p></div><br><p data-pagefind-ignore>略</p>'
            f'<script>var x = "脚本"</script>{MARKER}</div><footer>页脚</footer>')
    text, links = indexed_text(html)
    assert "一肩挑" in text and "正文" in text
    assert links.strip() == "链接"
    for absent in ("导航", "各地做法", "略", "脚本", "页脚"):
        assert absent not in text + links


def test_traditional_characters_map_to_what_the_site_writes() -> None:
    table = traditional_map("遵义乡村振兴党支部领办合作社软弱涣散")
    assert {table["義"], table["鄉"], table["興"], table["黨"], table["辦"], table["渙"]} == \
        {"义", "乡", "兴", "党", "办", "涣"}
    assert "义" not in table, "a character the site uses is never converted"
    assert "乾" not in table, "a conversion to a character the site lacks is useless"
    assert "裡" not in table or table["裡"] in "遵义乡村振兴党支部领办合作社软弱涣散"


def test_the_client_dictionary_is_served_and_small(library: Library) -> None:
    [page] = search_outputs(library, ROOT)
    assert page.path == "search/terms.json"
    data = json.loads(page.content)
    content = ROOT / "content"
    pages = [p for p in sorted(content.rglob("*.md"))
             if p.relative_to(content).parts[0] not in SKIPPED_SECTIONS]
    assert data == client_dictionary(library, "".join(p.read_text(encoding="utf-8") for p in pages))
    assert data["terms"]["软弱涣散"] == build_terms(library)["软弱涣散"].token
    assert data["glossary"][data["terms"]["一肩挑"]] == "yijiantiao"
    assert "黨党" in data["t2s"]
    assert len(page.content.encode("utf-8")) < 100_000


@pytest.mark.parametrize(("url", "kind"), [
    ("cases/x/", "case"), ("practices/x/", "practice"), ("indicators/x/", "indicator"),
    ("themes/x/", "theme"), ("regions/x/", "region"), ("glossary/", "glossary"),
    ("guide/cadres/", "guide"), ("about/", "guide"), ("cases/", "index"), ("", "index"),
    ("somewhere/else/", "page"),
])
def test_page_kinds(url: str, kind: str) -> None:
    assert page_kind(url) == kind


def _fragments(site: Path) -> dict[str, dict]:
    fragments = {}
    for path in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[12:])
        fragments[fragment["url"].strip("/") + "/"] = fragment
    return fragments


def test_the_build_indexes_every_page_with_its_kind_and_serves_pages_without_tokens(
        built_site: Path) -> None:
    fragments = _fragments(built_site)
    assert fragments["cases/zunyi-wuqiang-zuzhi/"]["meta"]["kind"] == "案例"
    assert fragments["practices/yijiantiao/"]["meta"]["kind"] == "做法"
    assert fragments["glossary/"]["meta"]["kind"] == "术语"
    assert "finder/" not in fragments and "compare/" not in fragments
    assert not [p for p in fragments if p.startswith("records/")]
    assert (built_site / "pagefind" / "pagefind.js").exists()
    assert not (built_site / "pagefind" / "pagefind-ui.js").exists(), "unused bundle files are removed"
    token = re.compile(TOKEN_PATTERN.pattern)
    leaking = [p.relative_to(built_site) for p in built_site.rglob("*.html")
               if token.search(p.read_text(encoding="utf-8"))]
    assert not leaking, "search tokens belong to the index only"


def test_a_practice_page_is_indexed_without_its_cases_variants(built_site: Path) -> None:
    """Each passage is found on the case it belongs to, not again on every practice page."""
    content = _fragments(built_site)["practices/yijiantiao/"]["content"].replace("\u200b", "")
    assert "闭环跟踪监管" not in content  # Zunyi's local name for the practice
    assert "闭环跟踪监管" in _fragments(built_site)["cases/zunyi-wuqiang-zuzhi/"]["content"].replace("\u200b", "")


def test_cases_filed_under_the_same_record_share_its_terms(library: Library) -> None:
    """One set of terms per record, shared by every case filed under it, not one per case."""
    related = related_forms(library)
    province = [group for groups in related.values() for group in groups if "贵州省" in group]
    assert len(province) == 4  # Bijie, Shiqian, Tongren and Zunyi are in 贵州
    assert len({id(group) for group in province}) == 1

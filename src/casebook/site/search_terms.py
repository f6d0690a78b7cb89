"""The field's terms, generated from the records, as one search token each.

General-purpose Chinese segmenters cut the field's terms into pieces (软弱涣散 → 软弱 / 涣 / 散,
一肩挑 → 一 / 肩 / 挑), and the index and the query are cut by different segmenters (Pagefind's
indexer at build time, the browser's Intl.Segmenter at search time), so a term may match nothing.
The fix is at the root: every name and alias in the vocabularies (practices, glossary,
indicators, regions, themes, periods) and every slogan quoted in a case title (“十好”, “四个留下”,
“五强组织”) becomes a term with its own opaque token. The index build adds a page's tokens to what
it indexes (heavily weighted on the pages about the term, lightly where it is mentioned); the
search box replaces the terms it finds in a query by the same tokens. A term is thus one token in
the index and in the query, whatever the segmenters do.

Everyday words (cases/vocab/synonyms/: 工资 for 报酬, 驻村书记 for 驻村第一书记) are replaced by the
form they stand for before the search box looks for terms; that form is made a term if it is
not one already, so it has a token too.

Traditional characters: the site is written in simplified characters, so the search box converts a
query character by character with a table generated here from OpenCC's dictionaries, limited to
what the site can match.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import product
from pathlib import Path
from string import ascii_lowercase
from typing import Any

from casebook.library.link import Library
from casebook.site.quick_search import settings as quick_settings
from casebook.site.render import SECTIONS, Page, page_url, record_path

# Tokens are fixed-length Latin words, so none is a prefix of another (Pagefind matches prefixes)
# and no segmenter splits them; "qxz" starts no pinyin syllable or English word in the records.
TOKEN_PREFIX = "qxz"
TOKEN_PATTERN = re.compile(rf"\b{TOKEN_PREFIX}[a-z]{{3}}\b")
QUOTES = "“”‘’\"'「」『』《》〈〉"
_QUOTE_TABLE = str.maketrans("", "", QUOTES)
_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]+)[”\"」』]")
_BRACKETED = re.compile(r"[（(]([^）)]+)[）)]")

# What each kind of page is called next to a search result.
KIND_LABELS = {"case": "案例", "practice": "做法", "indicator": "指标", "theme": "主题",
               "region": "地区", "glossary": "术语", "guide": "指南", "course": "课程", "index": "目录",
               "page": "页面"}


@dataclass
class Term:
    """One searchable form of words, the pages about it, and its token."""

    form: str
    token: str = ""
    about: set[str] = field(default_factory=set)
    glossary: str | None = None  # the glossary entry's anchor, when the term is defined there


def normalise(text: str) -> str:
    """The form terms are matched in: quotes dropped, whitespace removed."""
    return "".join(text.translate(_QUOTE_TABLE).split())


def forms_of(name: str) -> tuple[list[str], list[str]]:
    """Searchable forms of one name: the name itself, and the terms quoted inside it.

    The first list holds the name without quotes, and without a bracketed note if it has one
    (过渡期（有效衔接） → 过渡期（有效衔接）, 过渡期); the second holds the quoted terms
    (“三会一课”与组织生活制度 → 三会一课), which are terms but not what the record is about. Forms
    with fewer than two Chinese characters are left to the segmenters: they handle digits and
    Latin words well.
    """
    def keep(forms: Iterable[str]) -> list[str]:
        return [f for f in dict.fromkeys(map(normalise, forms)) if len(_CJK.findall(f)) >= 2]

    return keep([name, _BRACKETED.sub("", name)]), keep(_QUOTED.findall(name))


def _records(library: Library) -> Iterator[tuple[str, str, list[str], dict[str, Any]]]:
    """(kind, id, names, record) for every record that names terms."""
    for kind, records in (("practice", library.practices), ("indicator", library.indicators),
                          ("theme", library.themes), ("region", library.regions),
                          ("period", library.periods)):
        for rid, record in records.items():
            yield kind, rid, [record["name"], *record.get("aliases", [])], record
    for rid, term in library.glossary.items():
        yield "glossary", rid, [term["term"], *term.get("aliases", [])], term


def build_terms(library: Library) -> dict[str, Term]:
    """Every term of the library by its form, each with the site URLs of the pages about it.

    A form listed by several records (一肩挑 is a practice alias and a glossary term) is one term
    about all of their pages. A glossary term that names a practice is also about the practice's
    page; a slogan quoted in a case title (“五强组织”) is about that case.
    """
    terms: dict[str, Term] = {}

    def add(form: str) -> Term:
        return terms.setdefault(form, Term(form))

    for kind, rid, names, record in _records(library):
        for name in names:
            whole, quoted = forms_of(name)
            for form in quoted:
                add(form)
            for form in whole:
                term = add(form)
                if kind == "glossary":
                    term.about.add(page_url(record_path("glossary")))
                    term.glossary = term.glossary or rid
                    if "practice" in record:
                        term.about.add(page_url(record_path("practice", record["practice"])))
                elif kind != "period":  # periods have no page of their own
                    term.about.add(page_url(record_path(kind, rid)))
    for cid, case in library.cases.items():
        for slogan in forms_of(case["title"])[1]:
            add(slogan).about.add(page_url(record_path("case", cid)))
    for entry in library.synonyms.values():  # what an everyday word stands for is searched as a term
        for form in forms_of(entry["means"])[0][:1]:
            add(form)
    if len(terms) > len(ascii_lowercase) ** 3:  # pragma: no cover - seventeen thousand terms
        raise ValueError(f"{len(terms)} 个检索词，超过了搜索词元的容量；请在 TOKEN_PATTERN 中加长词元。")
    for form, token in zip(sorted(terms), _tokens(), strict=False):
        terms[form].token = token
    return terms


def synonym_groups(library: Library) -> dict[str, set[str]]:
    """Form → the forms a mention of it also counts for: a record's name and its aliases.

    A mention of the name counts for every alias, a mention of an alias for the name; one alias
    does not count for another (返乡创业 and 兵支书 are both listed under 外出人才回引, but a page about
    returning entrepreneurs is not about veteran village secretaries).
    """
    groups: dict[str, set[str]] = {}
    for _, _, names, _ in _records(library):
        name = set(forms_of(names[0])[0])
        aliases = {form for alias in names[1:] for form in forms_of(alias)[0]} - name
        for form in name:
            groups.setdefault(form, set()).update(aliases | name - {form})
        for form in aliases:
            groups.setdefault(form, set()).update(name)
    return groups


def related_forms(library: Library) -> dict[str, tuple[frozenset[str], ...]]:
    """Site URL of each case page → the terms of what the case is filed under, record by record.

    Its practices, region and the regions above it, themes, policy periods and the indicators it
    reports: a case that reports the 一肩挑 ratio belongs in a search for 一肩挑比例 even if its
    text says it differently. The page's related terms are the union of the sets; each record's
    set is made once and shared by every case filed under it (at 10,000 cases, one set of a
    hundred-odd terms per case would take a few hundred MB).
    """
    of_record: dict[int, frozenset[str]] = {}

    def forms(record: dict[str, Any]) -> frozenset[str]:
        if id(record) not in of_record:
            of_record[id(record)] = frozenset(
                form for name in [record["name"], *record.get("aliases", [])] for form in forms_of(name)[0])
        return of_record[id(record)]

    related: dict[str, tuple[frozenset[str], ...]] = {}
    for cid, case in library.cases.items():
        records = [library.practices.get(e["practice"]) for e in case["practices"]]
        records += library.region_chain(case["place"]["region"])
        records += [library.themes.get(t) for t in case["themes"]]
        records += [library.periods.get(p) for p in case["time"]["periods"]]
        records += [library.indicators.get(v["indicator"]) for v in case["indicators"]]
        related[page_url(record_path("case", cid))] = tuple(
            {id(record): forms(record) for record in records if record}.values())
    return related


def _tokens() -> Iterator[str]:
    for letters in product(ascii_lowercase, repeat=3):
        yield TOKEN_PREFIX + "".join(letters)


class TermMatcher:
    """Finds every term in a text, including terms inside longer ones."""

    def __init__(self, forms: Iterable[str]) -> None:
        forms = sorted(set(forms))
        self._prefixes = {f: [p for p in forms if f.startswith(p) and p != f] for f in forms}
        by_first: dict[str, list[str]] = {}
        for form in forms:
            by_first.setdefault(form[0], []).append(form)
        # One trie-shaped regex per first character: at a position it gives the longest form
        # starting there, following one branch per character; the shorter forms starting at the
        # same position are its prefixes, counted from `_prefixes`.
        self._at = {first: re.compile(_trie_pattern(group)) for first, group in by_first.items()}
        self._starts = re.compile("[" + "".join(map(re.escape, sorted(by_first))) + "]") if forms else None

    def count(self, text: str) -> dict[str, int]:
        """How often each term occurs in `text` (compared in normalised form)."""
        counts: dict[str, int] = {}
        if self._starts is None:
            return counts
        text = normalise(text)
        for start in self._starts.finditer(text):
            match = self._at[start.group()].match(text, start.start())
            if match:
                for form in [match.group(), *self._prefixes[match.group()]]:
                    counts[form] = counts.get(form, 0) + 1
        return counts


def _trie_pattern(forms: Iterable[str]) -> str:
    """A regex matching any of `forms`, longest first, written as a trie: 一肩挑(?:比例)?…"""
    trie: dict[str, Any] = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return (body if len(branches) > 1 else f"(?:{body})") + "?"
        return body

    return pattern(trie)


def page_kind(url: str) -> str:
    """The kind of page at a site URL (`cases/x/` → case), for labels next to search results."""
    section, _, rest = url.strip("/").partition("/")
    kinds = {folder: kind for kind, folder in SECTIONS.items()}
    if section in kinds:
        return (kinds[section] if kinds[section] in KIND_LABELS else "page") if rest else "index"
    if section == "glossary":
        return "glossary"
    if section in ("guide", "about"):
        return "guide"
    return "index" if not section else "page"


def traditional_map(text_of_site: str) -> dict[str, str]:
    """Traditional (and Taiwan/Hong Kong variant) → simplified characters the site can match.

    Built from OpenCC's character tables. A character that itself occurs in the site is never
    converted (it is simplified already, or written that way on purpose), and only conversions to
    characters that occur in the site are kept: nothing else could be found anyway.
    """
    seen = set(text_of_site)
    to_simplified = _opencc_table("TSCharacters.txt")
    table: dict[str, str] = {}
    for variants in ("TWVariantsRev.txt", "HKVariantsRev.txt", None):
        source = _opencc_table(variants) if variants else {c: c for c in to_simplified}
        for variant, traditional in source.items():
            simplified = to_simplified.get(traditional, traditional)
            if variant not in seen and simplified in seen and simplified != variant:
                table.setdefault(variant, simplified)
    return dict(sorted(table.items()))


def _opencc_table(name: str) -> dict[str, str]:
    text = resources.files("opencc").joinpath("dictionary", name).read_text("utf-8")
    table = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[source] = targets.split()[0]
    return table


def record_text(library: Library) -> str:
    """All text in the records, for the set of characters the site contains."""
    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    kinds = ("cases", "practices", "indicators", "themes", "regions", "glossary", "periods", "synonyms")
    return "".join(walk([getattr(library, kind) for kind in kinds]))


def everyday_words(library: Library) -> dict[str, str]:
    """Everyday word → the form it stands for (cases/vocab/synonyms/), both normalised: the search
    box replaces the one by the other before it looks for terms, online and offline alike."""
    words = {}
    for entry in library.synonyms.values():
        means = normalise(entry["means"])
        for word in entry["words"]:
            words[normalise(word)] = means
    return dict(sorted(words.items()))


def client_dictionary(library: Library, site_text: str = "") -> dict[str, Any]:
    """What the search box needs to turn a query into tokens: everyday words → forms, term →
    token, glossary anchors by token, the traditional → simplified table, the labels of page
    kinds, and where the quick index is (casebook.site.quick_search)."""
    terms = build_terms(library)
    return {
        "words": everyday_words(library),
        "quick": quick_settings(),
        "terms": {form: term.token for form, term in sorted(terms.items())},
        "glossary": {t.token: t.glossary for _, t in sorted(terms.items()) if t.glossary},
        "t2s": "".join(f"{k}{v}" for k, v in traditional_map(record_text(library) + site_text).items()),
        "kinds": KIND_LABELS,
        "token_pattern": TOKEN_PATTERN.pattern,
    }


# Sections that are not search results: tool pages whose content is every case's data, shown by
# JavaScript, and the benchmark reports (whose tables quote test queries, traditional ones too).
SKIPPED_SECTIONS = ("compare", "finder", "benchmarks")


def search_outputs(library: Library, root: Path) -> list[Page]:
    """The search box's dictionary, served at search/terms.json."""
    content = root / "content"
    pages = sorted(p for p in content.rglob("*.md")
                   if p.relative_to(content).parts[0] not in SKIPPED_SECTIONS) if content.is_dir() else []
    site_text = "".join(p.read_text(encoding="utf-8") for p in pages)
    data = client_dictionary(library, site_text)
    return [Page("search/terms.json", json.dumps(data, ensure_ascii=False, separators=(",", ":")))]

"""Link stage: one cross-reference index over all records, and the problems of broken references.

A reference to a practice, indicator, theme, region, period or case that does not exist is an
error with a "did you mean" drawn from ids, names and aliases. Units must be the indicator's
unit; percentages must lie in range. A course is checked for sense as well: a practice a session
draws out must be one that a case of that session uses. The resulting `Library` holds plain dicts and the back
references every page needs (cases of a practice, values of an indicator, cases of a region).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from casebook.library.references import REFERENCE, VALUE_FIELD, Unresolved, resolve
from casebook.library.region_codes import check_region_codes
from casebook.records import catalogue
from casebook.records.load import Document, leaves, strings_in
from casebook.records.problems import Problem, field_name

VOCABULARIES = ("practices", "indicators", "themes", "regions", "glossary", "periods", "synonyms")


@dataclass
class Library:
    """Every valid record, by kind and id, with the reverse links between them."""

    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    practices: dict[str, dict[str, Any]] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    themes: dict[str, dict[str, Any]] = field(default_factory=dict)
    regions: dict[str, dict[str, Any]] = field(default_factory=dict)
    glossary: dict[str, dict[str, Any]] = field(default_factory=dict)
    periods: dict[str, dict[str, Any]] = field(default_factory=dict)
    synonyms: dict[str, dict[str, Any]] = field(default_factory=dict)  # everyday words for search
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[tuple[str, str], str] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        if kind in ("case", "course"):
            return self.cases if kind == "case" else self.courses
        return getattr(self, kind)

    def region_chain(self, region_id: str) -> list[dict[str, Any]]:
        """Province → prefecture → county, ending at `region_id`."""
        chain: list[dict[str, Any]] = []
        current: str | None = region_id
        while current in self.regions and len(chain) < 5:
            chain.insert(0, self.regions[current])
            current = self.regions[current].get("parent")
        return chain

    def region_children(self, region_id: str) -> list[dict[str, Any]]:
        return self._children.get(region_id, [])

    def cases_in_region(self, region_id: str) -> list[dict[str, Any]]:
        """Cases placed in the region or anywhere below it."""
        return self._by_region.get(region_id, [])

    def sorted_cases(self) -> list[dict[str, Any]]:
        return self._sorted_cases

    def uses_of_practice(self, practice_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(case, local variant) for every case entry that uses the practice."""
        return self._uses.get(practice_id, [])

    def values_of_indicator(self, indicator_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(case, value entry) for every value any case reports for the indicator."""
        return self._values.get(indicator_id, [])

    def cases_with_theme(self, theme_id: str) -> list[dict[str, Any]]:
        return self._by_theme.get(theme_id, [])

    def courses_using(self, kind: str, rid: str) -> list[dict[str, Any]]:
        """Courses whose sessions use the case (`kind` "case") or draw out the practice ("practice")."""
        return self._courses_using.get((kind, rid), [])

    def related_cases(self, case_id: str, limit: int = 6) -> list[tuple[dict[str, Any], list[str]]]:
        """Other cases ranked by shared practices, themes and region, with the reasons."""
        from casebook.library.related import rank_related  # here: keeps numpy off `validate`

        ranked = self.__dict__.setdefault("_related", {})
        if limit not in ranked:
            ranked[limit] = rank_related(self, limit)
        return ranked[limit].get(case_id, [])

    # Reverse indexes, built once when first asked for (the library is complete by then), so that
    # every page costs time in proportion to what it shows, not to the size of the library.

    @cached_property
    def _sorted_cases(self) -> list[dict[str, Any]]:
        return [self.cases[k] for k in sorted(self.cases)]

    @cached_property
    def _children(self) -> dict[str, list[dict[str, Any]]]:
        children: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for region in sorted(self.regions.values(), key=lambda r: r["code"]):
            if "parent" in region:
                children[region["parent"]].append(region)
        return dict(children)

    @cached_property
    def _by_region(self) -> dict[str, list[dict[str, Any]]]:
        index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for case in self._sorted_cases:
            for region in self.region_chain(case["place"]["region"]):
                index[region["id"]].append(case)
        return dict(index)

    @cached_property
    def _uses(self) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
        index: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        for case in self._sorted_cases:
            for entry in case["practices"]:
                index[entry["practice"]].append((case, entry))
        return dict(index)

    @cached_property
    def _values(self) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
        index: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        for case in self._sorted_cases:
            for value in case["indicators"]:
                index[value["indicator"]].append((case, value))
        return dict(index)

    @cached_property
    def _courses_using(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        index: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for cid in sorted(self.courses):
            course = self.courses[cid]
            used = {("case", ref) for s in course["sessions"] for ref in s["cases"]}
            used |= {("practice", ref) for s in course["sessions"] for ref in s.get("practices", [])}
            for key in sorted(used):
                index[key].append(course)
        return dict(index)

    @cached_property
    def _by_theme(self) -> dict[str, list[dict[str, Any]]]:
        index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for case in self._sorted_cases:
            for theme in case["themes"]:
                index[theme].append(case)
        return dict(index)


def build_library(
    documents: list[tuple[str, Document, set[int] | None]],
) -> tuple[Library, list[Problem]]:
    """Index the schema-valid records and check every reference between them.

    Each document comes with what its validation rejected: None for the whole document, else
    the indices of rejected vocabulary entries. Rejected records stay out of the library, but
    their ids are still known, so a reference to them is not reported a second time.
    """
    library = Library()
    origin: dict[tuple[str, str], tuple[Document, tuple[str | int, ...]]] = {}
    problems: list[Problem] = []
    rejected_ids: set[tuple[str, str]] = set()

    def problem(doc: Document, path: tuple[str | int, ...], message: str, hint: str = "",
                code: str = "reference", severity: str = "error") -> None:
        problems.append(Problem(doc.rel, *doc.mark(path), field_name(path), message, hint, code,
                                severity))

    for kind, doc, rejected in documents:
        if kind in ("case", "course"):
            records = [((), doc.data)]
        elif isinstance(doc.data, list):
            records = [((i,), e) for i, e in enumerate(doc.data)]
        else:
            records = []
        for path, record in records:
            if rejected is None or (path and path[0] in rejected):
                rid = record.get("id") if isinstance(record, dict) else None
                if isinstance(rid, str):
                    rejected_ids.add((kind, rid))
                continue
            rid = record["id"]
            if kind in ("case", "course") and Path(doc.rel).stem != rid:
                problem(doc, ("id",), f"id 应与文件名相同：文件名是 {Path(doc.rel).stem}，id 是 {rid}",
                        "请把 id 改成文件名（不含 .yaml），或把文件改名。", "id-filename")
            if (kind, rid) in origin:
                first = origin[(kind, rid)][0]
                problem(doc, (*path, "id"), f"编号 {rid} 重复：{first.rel} 里已有同一编号",
                        "每个编号在同类记录中只能用一次。", "duplicate-id")
                continue
            origin[(kind, rid)] = (doc, path)
            library.of(kind)[rid] = record
            library.files[(kind, rid)] = doc.rel

    def check(kind: str, target: str, path: tuple[str | int, ...], ref: str, rid: str) -> None:
        doc, base = origin[(kind, rid)]
        known = library.of(target)
        if ref in known or (target, ref) in rejected_ids:
            return
        problem(doc, (*base, *path),
                catalogue.say("references.missing", field=field_name((*base, *path)),
                              kind=catalogue.text("references.kinds")[target], ref=ref),
                _suggest(ref, known, target))

    for rid, case in library.cases.items():
        check("case", "regions", ("place", "region"), case["place"]["region"], rid)
        for i, ref in enumerate(case["time"]["periods"]):
            check("case", "periods", ("time", "periods", i), ref, rid)
        for i, ref in enumerate(case["themes"]):
            check("case", "themes", ("themes", i), ref, rid)
        for i, ref in enumerate(case.get("related_cases", [])):
            check("case", "case", ("related_cases", i), ref, rid)
        for i, entry in enumerate(case["practices"]):
            check("case", "practices", ("practices", i, "practice"), entry["practice"], rid)
        for i, value in enumerate(case["indicators"]):
            check("case", "indicators", ("indicators", i, "indicator"), value["indicator"], rid)
            _check_value(library, origin[("case", rid)][0], i, value, problem)
    for rid, practice in library.practices.items():
        check("practices", "themes", ("category",), practice["category"], rid)
        for i, ref in enumerate(practice.get("related", [])):
            check("practices", "practices", ("related", i), ref, rid)
    for rid, indicator in library.indicators.items():
        check("indicators", "themes", ("category",), indicator["category"], rid)
        for i, ref in enumerate(indicator.get("practices", [])):
            check("indicators", "practices", ("practices", i), ref, rid)
    for rid, term in library.glossary.items():
        if "practice" in term:
            check("glossary", "practices", ("practice",), term["practice"], rid)
    _check_regions(library, origin, problem)
    _check_synonyms(library, origin, problem)
    if library.courses:
        for rid, course in library.courses.items():
            check_course(library, origin[("course", rid)][0], course, check, problem)
    for (kind, rid), (doc, base) in origin.items():
        _check_references(library, kind, library.of(kind)[rid], doc, base, rejected_ids, problems)
    return library, problems


def _check_references(library: Library, kind: str, record: dict[str, Any], doc: Document,
                      base: tuple[str | int, ...], rejected: set[tuple[str, str]],
                      problems: list[Problem]) -> None:
    """Every `[[…]]` in the record's texts must name a record (see casebook.library.references)."""
    if not any(type(v) is str and "[[" in v for v in leaves(record)):
        return  # most records refer to none: found without walking their paths
    case = record if kind == "case" else None
    for path, text in strings_in(record):
        if "[[" not in text:
            continue
        for match in REFERENCE.finditer(text):
            found = resolve(library, match.group(1), case,
                            allow_values=bool(VALUE_FIELD.match(field_name(path))))
            rid = match.group(1).rpartition(":")[2].strip()
            if isinstance(found, Unresolved) and not any(r == rid for _, r in rejected):
                line, column = _column_of(doc, (*base, *path), match.group(0))
                problems.append(Problem(doc.rel, line, column, field_name((*base, *path)),
                                        f"{field_name((*base, *path))}：{found.message}",
                                        found.hint, "prose-reference"))


def _column_of(doc: Document, path: tuple[str | int, ...], written: str) -> tuple[int, int]:
    """Where `written` stands: on the text's first line if it is there, else where the text starts."""
    line, column = doc.mark(path)
    try:
        text = doc.path.read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, UnicodeError, IndexError):
        return line, column
    found = text.find(written, max(column - 1, 0))
    return line, (found + 1 if found >= 0 else column)


# What a session lists, the field of a case entry that matches it, and the verb for messages.
_SHOWN_BY = (("practices", "practices", "practice", "采用"),
             ("indicators", "indicators", "indicator", "报告"))


def check_course(library: Library, doc: Document, course: dict[str, Any],
                 check: Callable[..., None], problem: Callable[..., None]) -> None:
    """Report every session reference that does not exist, or that none of its cases shows."""
    rid = course["id"]
    for i, session in enumerate(course["sessions"]):
        for j, ref in enumerate(session["cases"]):
            check("course", "case", ("sessions", i, "cases", j), ref, rid)
        cases = [library.cases[c] for c in session["cases"] if c in library.cases]
        complete = len(cases) == len(session["cases"])  # else what the cases show is unknown
        for section, target, key, verb in _SHOWN_BY:
            for j, ref in enumerate(session.get(section, [])):
                path = ("sessions", i, section, j)
                check("course", target, path, ref, rid)
                known = library.of(target)
                if not complete or ref not in known or _shown(cases, section, key, ref):
                    continue
                users = [c["id"] for c in library.sorted_cases() if _shown([c], section, key, ref)]
                hint = (f"{verb}它的案例有：{'、'.join(users[:6])}；可以把其中一个加入本节 cases，或删去这一项。"
                        if users else f"目前还没有案例{verb}它；请删去这一项。")
                problem(doc, path, f"{field_name(path)}：本节的案例都没有{verb}“{known[ref]['name']}”（{ref}）",
                        hint, f"course-{key}")


def _shown(cases: list[dict[str, Any]], section: str, key: str, ref: str) -> bool:
    return any(entry[key] == ref for case in cases for entry in case[section])


def _check_value(library: Library, doc: Document, i: int, value: dict[str, Any], problem: Any) -> None:
    indicator = library.indicators.get(value["indicator"])
    if indicator is None:
        return
    path: tuple[str | int, ...] = ("indicators", i)
    if value["unit"] != indicator["unit"]:
        problem(doc, (*path, "unit"),
                catalogue.say("numbers.unit", index=i, unit=value["unit"], indicator=indicator["id"],
                              name=indicator["name"], wanted=indicator["unit"]),
                catalogue.text("numbers.unit_hint"), "unit")
    low = indicator.get("minimum", 0 if indicator["unit"] == "%" else None)
    high = indicator.get("maximum", 100 if indicator["unit"] == "%" else None)
    for key in ("value", "value_max"):
        number = value.get(key)
        if number is None:
            continue
        if (low is not None and number < low) or (high is not None and number > high):
            span = f"{'' if low is None else low} 到 {'' if high is None else high}"
            problem(doc, (*path, key),
                    catalogue.say("numbers.range", index=i, key=key, number=number, unit=value["unit"],
                        indicator=indicator["id"], span=span),
                    catalogue.text("numbers.range_hint"), "range")


def _check_regions(library: Library, origin: dict, problem: Any) -> None:
    parent_level = {"prefecture": "province", "county": "prefecture"}
    checked = check_region_codes(library.regions, origin, problem)
    for rid, region in library.regions.items():
        if rid in checked:
            continue
        doc, base = origin[("regions", rid)]
        parent_id = region.get("parent")
        wanted = parent_level.get(region["level"])
        if parent_id is None:
            if wanted:
                problem(doc, (*base, "parent"), f"地区 {rid} 是{region['level']}级，需要填写上级地区 parent")
            continue
        parent = library.regions.get(parent_id)
        if parent is None:
            problem(doc, (*base, "parent"), f"上级地区 {parent_id} 不存在", _suggest(parent_id, library.regions, "regions"))
            continue
        # GB/T 2260 puts some counties directly under a province (Beijing's districts).
        if wanted and parent["level"] != wanted and (region["level"], parent["level"]) != ("county", "province"):
            problem(doc, (*base, "parent"),
                    f"{region['name']}的上级应是{wanted}级地区，{parent['name']}是{parent['level']}级")
        prefix = 2 if parent["level"] == "province" else 4
        if region["code"][:prefix] != parent["code"][:prefix]:
            problem(doc, (*base, "code"),
                    f"行政区划代码 {region['code']} 与上级{parent['name']}（{parent['code']}）不一致",
                    "GB/T 2260 代码的前两位是省，前四位是地级市；请核对代码。", "region-code")


def _check_synonyms(library: Library, origin: dict, problem: Any) -> None:
    """An everyday word stands for one form only, and never for another everyday word: the search
    box replaces each word once (casebook.site.search_terms.client_dictionary)."""
    owner: dict[str, str] = {}
    for rid in sorted(library.synonyms, key=lambda r: origin[("synonyms", r)][1]):
        entry = library.synonyms[rid]
        doc, base = origin[("synonyms", rid)]
        for i, word in enumerate(entry["words"]):
            if word == entry["means"]:
                problem(doc, (*base, "words", i), f"日常说法“{word}”与规范说法相同",
                        "请删去这个说法：它本来就能搜到。", "synonym")
            elif word in owner:
                first = library.synonyms[owner[word]]
                problem(doc, (*base, "words", i),
                        f"日常说法“{word}”已在条目 {owner[word]} 中对应到“{first['means']}”",
                        "同一个日常说法只能对应一个规范说法；请删去其中一处。", "synonym")
            else:
                owner[word] = rid
    for rid, entry in library.synonyms.items():
        if entry["means"] in owner:
            doc, base = origin[("synonyms", rid)]
            problem(doc, (*base, "means"),
                    f"规范说法“{entry['means']}”本身是条目 {owner[entry['means']]} 里的日常说法",
                    "规范说法应是做法、指标、术语等的名称或别名，或页面里通用的写法。", "synonym")


def _suggest(ref: str, known: dict[str, dict[str, Any]], target: str) -> str:
    """'Did you mean', matching the id and also names and aliases written in Chinese."""
    by_label: dict[str, str] = {}
    for rid, record in known.items():
        for label in [rid, record.get("name"), record.get("term"), record.get("title"),
                      *record.get("aliases", [])]:
            if label:
                by_label.setdefault(str(label), rid)
    exact = by_label.get(ref)
    close = [exact] if exact else [by_label[m] for m in difflib.get_close_matches(ref, by_label, n=1,
                                                                                   cutoff=0.6)]
    where = f"cases/vocab/{target}/" if target != "case" else "cases/"
    if close:
        record = known[close[0]]
        name = record.get("name") or record.get("title") or ""
        return f"您是否想写 {close[0]}（{name}）？编号列在 {where} 中。"
    return f"可用的编号列在 {where} 中；如果确实需要新的一项，请先在那里添加。"



# Which vocabulary a reference field points into, by the field's name in a case or entry.
_REFERENCE_FIELDS = [
    (re.compile(r"^practices\[\d+\]\.practice$|\.practices\[\d+\]$|^\[\d+\]\.related\[\d+\]$"), "practices"),
    (re.compile(r"^indicators\[\d+\]\.indicator$"), "indicators"),
    (re.compile(r"^place\.region$|^\[\d+\]\.parent$"), "regions"),
    (re.compile(r"^themes\[\d+\]$|^\[\d+\]\.category$"), "themes"),
    (re.compile(r"^time\.periods\[\d+\]$"), "periods"),
    (re.compile(r"^related_cases\[\d+\]$"), "case"),
    (re.compile(r"^sessions\[\d+\]\.cases\[\d+\]$"), "case"),
    (re.compile(r"^sessions\[\d+\]\.indicators\[\d+\]$"), "indicators"),
]


def suggest_ids(problems: list[Problem], library: Library) -> list[Problem]:
    """Add "did you mean" to malformed references, e.g. a practice written by its Chinese name.

    Such a value fails the schema's id pattern before linking, so the schema message alone could
    only say what an id looks like; the library knows which id the contributor meant.
    """
    refined = []
    for problem in problems:
        target = next((kind for pattern, kind in _REFERENCE_FIELDS if pattern.search(problem.field)), None)
        if problem.code == "schema-pattern" and target and isinstance(problem.value, str):
            problem = replace(problem, hint=_suggest(problem.value, library.of(target), target))
        refined.append(problem)
    return refined

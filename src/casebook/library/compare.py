"""Comparability of reported figures: how two values of one indicator differ, graded.

Sharing an indicator id already means sharing a definition and a unit. Every pair of values gets
one of three grades, derived from the records and never typed:

- 可直接比较: the same unit, kind of number (an actual value, a rule's lower or upper bound, or a
  target), way of counting (a point in time, or a total since a year), scope level, scope (统计范围,
  compared after Unicode normalisation) and year, with the year stated in the source and the figure
  exact on both sides.
- 可参照: the same unit, kind and way of counting, but differing in what can be stated: a year
  inferred from the publication date or a year apart, the scope named differently, a total counted
  from another year, an approximate figure or a lower bound ("余", "多") against a value, or, for a
  rate or a rule, another scope level. Each difference is written out.
- 不可比较: another unit or kind (a rule against a result, a target against an actual), a total
  against a point in time, or a total over an area of another level (a province's number of cadres
  against a county's: the size of the area, not the practice, makes the difference).

The rules are data too: each value's facets say what must be equal and whether a difference
blocks the comparison or is only stated, so the compare page's script applies the same rules to
the same facets (content/javascripts/compare.js) and says the same words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from casebook.library.link import Library
from casebook.records.validate import choices, schema_node

DIRECT, REFERENCE, APART = "可直接比较", "可参照", "不可比较"
_RANK = {DIRECT: 0, REFERENCE: 1, APART: 2}
SCAN = 64  # other values a value is graded against at most, when none is its exact twin
KIND_LABELS = {"measured": "实际数值", "minimum": "规定的下限", "maximum": "规定的上限",
               "target": "目标值"}
# "over" (余、多、以上) and "approx" still describe what was achieved; bounds describe a rule.
_KIND_OF_QUALIFIER = {"exact": "measured", "approx": "measured", "over": "measured",
                      "at-least": "minimum", "at-most": "maximum", "target": "target"}
# What an approximate or open-ended figure is, said after who reports it.
_LOOSE = {"approx": "是约数", "over": "是下限（“余”“多”“以上”）"}
_INFERRED = "的年份按发布日期推定"
_BOTH = {_INFERRED: "两者的年份都按发布日期推定"}  # a caveat both sides share, said once
# Units of a ratio: a rate does not grow with the size of the area it covers.
RATIO_UNITS = frozenset({"%", "‰", "倍"})


@dataclass(frozen=True)
class Reported:
    """One value as one case reports it: who (a region's name) and the level of its scope."""

    case_id: str
    who: str
    value: Mapping[str, Any]
    level: str = ""  # the case's place.level: province, prefecture, county, …

    @property
    def key(self) -> tuple[str, str]:
        return self.case_id, self.value["id"]


@dataclass(frozen=True)
class Facet:
    """One part of what decides comparability: what must be equal, and how to say this side."""

    name: str
    key: Any
    label: str
    blocking: bool  # a difference here makes the pair 不可比较; otherwise it is stated (可参照)
    years: bool = False  # a difference is also said as a number of years


@dataclass(frozen=True)
class Grade:
    grade: str  # DIRECT, REFERENCE or APART
    differences: tuple[str, ...] = ()


@dataclass
class ComparableSet:
    """Values that can be set on one axis (each pair 可直接比较 or 可参照), labelled A, B, …"""

    label: str
    members: list[Reported]
    facts: str  # what the members share, e.g. "实际数值；时点数；范围层级：市（州）级"

    @property
    def comparable(self) -> bool:
        """True when values of two or more cases can be set side by side."""
        return len({m.case_id for m in self.members}) >= 2


@dataclass
class Comparison:
    """An indicator's values: their sets, and each value's best grade against another case's."""

    sets: list[ComparableSet] = field(default_factory=list)
    set_label: dict[tuple[str, str], str] = field(default_factory=dict)  # (case, value id) → "A"
    grades: dict[tuple[str, str], Grade] = field(default_factory=dict)  # against another case
    partners: dict[tuple[str, str], Reported] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)  # 可参照 and 不可比较: how

    @property
    def comparable_sets(self) -> list[ComparableSet]:
        return [s for s in self.sets if s.comparable]

    @property
    def reasons(self) -> dict[tuple[str, str], str]:
        """Why each value that can be set beside no other case's value stands apart."""
        return {k: self.notes[k] for k, g in self.grades.items() if g.grade == APART}


def reported(library: Library, indicator_id: str) -> list[Reported]:
    """Every value of the indicator in the library, each named by its case's region."""
    return [Reported(case["id"], who(library, case), value, case["place"]["level"])
            for case, value in library.values_of_indicator(indicator_id)]


def who(library: Library, case: Mapping[str, Any]) -> str:
    """A case's short name for tables and charts: its region (遵义市), or the region id."""
    region = case["place"]["region"]
    return library.regions.get(region, {}).get("name", region)


def kind_of(value: Mapping[str, Any]) -> str:
    """measured, minimum, maximum or target, from the value's qualifier."""
    return _KIND_OF_QUALIFIER.get(value.get("qualifier", "exact"), "measured")


def year_of(value: Mapping[str, Any]) -> str:
    return str(value["date"])[:4]


def scales_with_area(value: Mapping[str, Any]) -> bool:
    """True for a count or an amount that grows with the area covered (not a rate, not a rule)."""
    unit = value["unit"]
    return kind_of(value) in ("measured", "target") and unit not in RATIO_UNITS and "/" not in unit


def _scope_key(scope: str) -> str:
    return "".join(unicodedata.normalize("NFKC", scope).split())


@cache
def _date_basis_labels() -> dict[str, str]:
    return dict(choices(schema_node("case", ("indicators", 0, "date_basis"))))


@cache
def level_labels() -> dict[str, str]:
    return dict(choices(schema_node("case", ("place", "level"))))


def _span(value: Mapping[str, Any]) -> str:
    return f"{value['since']}年以来累计" if value.get("since") is not None else "时点数"


def facets(value: Mapping[str, Any], level: str) -> list[Facet]:
    """What decides whether `value` (whose scope is at `level`) compares with another, in order."""
    cumulative = value.get("since") is not None
    level_label = level_labels().get(level, level or "未知")
    return [Facet("单位", value["unit"], value["unit"], True),
            Facet("类型", kind_of(value), KIND_LABELS[kind_of(value)], True),
            Facet("统计方式", "累计" if cumulative else "时点", "累计数" if cumulative else "时点数", True),
            Facet("累计起始年份", value.get("since"), f"{value['since']}年" if cumulative else "—", False,
                  years=True),
            Facet("范围层级", level, level_label, scales_with_area(value)),
            Facet("范围", _scope_key(value["scope"]), value["scope"], False),
            Facet("年份", year_of(value), year_of(value), False, years=True)]


def caveats(value: Mapping[str, Any]) -> list[str]:
    """What keeps a value from being compared directly even with its equal, said after its owner."""
    said = [_INFERRED] if value["date_basis"] == "publication" else []
    loose = _LOOSE.get(value.get("qualifier", "exact"))
    return said + ([f"的“{value['original']}”{loose}"] if loose else [])


def _difference(a: Facet, b: Facet) -> str:
    text = f"{a.name}不同：{a.label} vs {b.label}"
    if a.years and a.key is not None and b.key is not None:
        text += f"（相差{abs(int(a.key) - int(b.key))}年）"
    if a.blocking or b.blocking:
        text += "，总数主要反映地区大小" if a.name == "范围层级" else ""
    return text


class _Side:
    """A value with its facets and caveats worked out once, for grading it against many."""

    __slots__ = ("caveats", "facets", "item", "position", "signature")

    def __init__(self, item: Reported, position: int = 0) -> None:
        self.item, self.position = item, position  # position: in record order, to break ties
        self.facets = facets(item.value, item.level)
        self.caveats = caveats(item.value)
        # Two values of one signature grade alike against any third.
        self.signature = (tuple(f.key for f in self.facets), tuple(self.caveats))


def _caveats_of_pair(a: _Side, b: _Side) -> tuple[list[str], list[str]]:
    mine, theirs = a.caveats, b.caveats
    if a.item.case_id == b.item.case_id and a.item.value["source"] == b.item.value["source"]:
        # One document: whatever year it is dated by, it is the same year for both.
        mine, theirs = [c for c in mine if c != _INFERRED], [c for c in theirs if c != _INFERRED]
    return mine, theirs


def _score(a: _Side, b: _Side) -> tuple[int, int]:
    """(rank of the grade, number of differences) of `grade(a, b)`, without the words."""
    pairs = list(zip(a.facets, b.facets, strict=True))
    blocked = sum(x.key != y.key and (x.blocking or y.blocking) for x, y in pairs)
    if blocked:
        return _RANK[APART], blocked
    mine, theirs = _caveats_of_pair(a, b)
    said = sum(x.key != y.key for x, y in pairs) + len(set(mine) | set(theirs))
    return (_RANK[REFERENCE] if said else _RANK[DIRECT]), said


def _grade(a: _Side, b: _Side) -> Grade:
    pairs = list(zip(a.facets, b.facets, strict=True))
    blocking = [_difference(x, y) for x, y in pairs if x.key != y.key and (x.blocking or y.blocking)]
    if blocking:
        return Grade(APART, tuple(blocking))
    stated = [_difference(x, y) for x, y in pairs if x.key != y.key]
    mine, theirs = _caveats_of_pair(a, b)
    stated += [_BOTH.get(c, "两者" + c) if c in theirs else a.item.who + c for c in mine]
    stated += [b.item.who + c for c in theirs if c not in mine]
    return Grade(REFERENCE if stated else DIRECT, tuple(stated))


def grade(a: Reported, b: Reported) -> Grade:
    """How `a` and `b` compare, with every difference (for 不可比较, only those that block)."""
    return _grade(_Side(a), _Side(b))


def _set_facts(side: _Side) -> str:
    shown = [f for f in side.facets if f.blocking and f.name != "单位"]
    return "；".join(f.label if f.name != "范围层级" else f"范围层级：{f.label}" for f in shown)


def set_label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _best(mine: _Side, others: Sequence[_Side]) -> tuple[Reported, Grade]:
    best = min(others, key=lambda other: (*_score(mine, other), other.position))
    return best.item, _grade(mine, best)


def explain(item: Reported, other: Reported, found: Grade) -> str:
    return f"与{other.who}的“{other.value['original']}”相比，" + "；".join(found.differences)


def exact_key(item: Reported) -> tuple[Any, ...] | None:
    """Equal for two values exactly when they are directly comparable; None if no value is."""
    side = _Side(item)
    return None if side.caveats else side.signature[0]


def indicator_comparison(library: Library, indicator_id: str) -> Comparison:
    """`compare_values` of the indicator's values, worked out once per library: its page, the
    index, the downloads and the chart file all ask."""
    made = library.__dict__.setdefault("_comparisons", {})
    if indicator_id not in made:
        made[indicator_id] = compare_values(reported(library, indicator_id))
    return made[indicator_id]


def compare_values(values: Sequence[Reported]) -> Comparison:
    """Group one indicator's values into sets and grade each against the other cases' values.

    Each value is graded against the best value of another case: among the other cases' values
    of its set (or, for a value no other case's value may share an axis with, among all of
    them). Values that grade alike (one signature) are tried once, by the first of them of
    another case, and at most `SCAN` signatures are tried, so that an indicator a thousand cases
    report stays linear in time while giving what trying every value would.
    """
    sides = {item.key: _Side(item, i) for i, item in enumerate(values)}
    comparison = _grouped(list(sides.values()))
    candidates = {s.label: _first_of_each_signature([sides[m.key] for m in s.members]) for s in comparison.sets}
    everyone = _first_of_each_signature(list(sides.values()))
    twins = {label: {first.signature: (first, second) for first, second in found}
             for label, found in candidates.items()}
    for item in values:
        mine = sides[item.key]
        twin = _others([twins[comparison.set_label[item.key]][mine.signature]], item.case_id)
        if twin and not mine.caveats:  # its exact twin in another case: directly comparable
            comparison.grades[item.key], comparison.partners[item.key] = Grade(DIRECT), twin[0].item
            continue
        pool = _others(candidates[comparison.set_label[item.key]], item.case_id)
        pool = pool or _others(everyone, item.case_id)
        if not pool:
            continue
        other, found = _best(mine, pool[:SCAN])
        comparison.grades[item.key], comparison.partners[item.key] = found, other
        if found.grade != DIRECT:
            comparison.notes[item.key] = explain(item, other, found)
    return comparison


def _first_of_each_signature(sides: list[_Side]) -> list[tuple[_Side, _Side | None]]:
    """Per signature, in record order: its first value, and its first value of another case."""
    found: dict[tuple[Any, ...], list[_Side | None]] = {}
    for side in sides:
        first = found.setdefault(side.signature, [side, None])
        if first[1] is None and first[0] is not side and first[0].item.case_id != side.item.case_id:
            first[1] = side
    return [(first, second) for first, second in found.values()]


def _others(candidates: list[tuple[_Side, _Side | None]], case_id: str) -> list[_Side]:
    """One value per signature that is not of `case_id`, in record order."""
    chosen = []
    for first, second in candidates:
        pick = first if first.item.case_id != case_id else second
        if pick is not None:
            chosen.append(pick)
    return sorted(chosen, key=lambda side: side.position)


def _grouped(sides: list[_Side]) -> Comparison:
    """Values grouped into sets that can share an axis: equal in every facet that blocks."""
    comparison = Comparison()
    by_key: dict[tuple[Any, ...], ComparableSet] = {}
    for side in sides:
        key = tuple(f.key for f in side.facets if f.blocking)
        if key not in by_key:
            by_key[key] = ComparableSet(set_label(len(by_key)), [], _set_facts(side))
            comparison.sets.append(by_key[key])
        by_key[key].members.append(side.item)
        comparison.set_label[side.item.key] = by_key[key].label
    return comparison

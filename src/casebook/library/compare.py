"""Comparability of reported figures: which values of one indicator can be set side by side.

Sharing an indicator id already means sharing a definition and a unit. Two values are *directly
comparable* when, on top of that, they are the same kind of number (an actual value, a rule's
lower or upper bound, or a target), cover the same span (a point in time, or a total since the
same year), the same scope (统计范围, compared after Unicode normalisation so `（）` and `()` do
not differ), the same year, and rest on the same date basis (stated in the source, or inferred
from the publication date). Values sharing all of these form a comparable set; only values of
one set may be charted against each other. Every other value gets the concrete reason it stands
apart, against the value nearest to it.

Plain data in, plain data out: the records' own dicts, and Chinese explanations as text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from casebook.library.link import Library
from casebook.records.validate import choices, schema_node

KIND_LABELS = {"measured": "实际数值", "minimum": "规定的下限", "maximum": "规定的上限",
               "target": "目标值"}
# "over" (余、多、以上) and "approx" still describe what was achieved; bounds describe a rule.
_KIND_OF_QUALIFIER = {"exact": "measured", "approx": "measured", "over": "measured",
                      "at-least": "minimum", "at-most": "maximum", "target": "target"}


@dataclass(frozen=True)
class Reported:
    """One value as one case reports it, with a short name for who reports it (a region)."""

    case_id: str
    who: str
    value: Mapping[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return self.case_id, self.value["id"]


@dataclass
class ComparableSet:
    """Values that can be compared directly, labelled A, B, … in order of first appearance."""

    label: str
    members: list[Reported]
    facts: str  # what the members share, e.g. "范围：全市村；时间：2022年（按发布日期推定）；实际数值"

    @property
    def comparable(self) -> bool:
        return len(self.members) >= 2


@dataclass
class Comparison:
    """The comparable sets of one indicator's values, and why each lone value stands apart."""

    sets: list[ComparableSet] = field(default_factory=list)
    set_label: dict[tuple[str, str], str] = field(default_factory=dict)  # (case, value id) → "A"
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)  # lone values only

    @property
    def comparable_sets(self) -> list[ComparableSet]:
        return [s for s in self.sets if s.comparable]


def reported(library: Library, indicator_id: str) -> list[Reported]:
    """Every value of the indicator in the library, each named by its case's region."""
    return [Reported(case["id"], who(library, case), value)
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


def _scope_key(scope: str) -> str:
    return "".join(unicodedata.normalize("NFKC", scope).split())


def basis(value: Mapping[str, Any]) -> tuple[Any, ...]:
    """What must be equal for two values to be directly comparable."""
    return tuple(key for _, key, _ in facets(value))


@cache
def _date_basis_labels() -> dict[str, str]:
    return dict(choices(schema_node("case", ("indicators", 0, "date_basis"))))


def _span(value: Mapping[str, Any]) -> str:
    return f"{value['since']}年以来累计" if value.get("since") is not None else "时点数"


def facts(value: Mapping[str, Any]) -> str:
    """The shared basis of a value's set, in words."""
    span = f"；{_span(value)}" if value.get("since") is not None else ""
    return (f"范围：{value['scope']}；时间：{year_of(value)}年（{_date_basis_labels()[value['date_basis']]}）"
            f"{span}；{KIND_LABELS[kind_of(value)]}")


def facets(value: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """(name, what must be equal, how to say it) for each part of a value's basis, in order.

    The compare page's script names differences from these, so its wording stays this one.
    """
    return [("单位", value["unit"], value["unit"]),
            ("类型", kind_of(value), KIND_LABELS[kind_of(value)]),
            ("统计方式", value.get("since"), _span(value)),
            ("范围", _scope_key(value["scope"]), value["scope"]),
            ("年份", year_of(value), year_of(value)),
            ("时间依据", value["date_basis"], _date_basis_labels()[value["date_basis"]])]


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Each way in which `a` and `b` are not comparable, naming both sides (empty: comparable)."""
    return [f"{name}不同：{label_a} vs {label_b}"
            for (name, key_a, label_a), (_, key_b, label_b) in zip(facets(a), facets(b), strict=True)
            if key_a != key_b]


def _nearest(item: Reported, others: Sequence[Reported]) -> tuple[Reported, list[str]]:
    """The other value with the fewest differences (the first such), and those differences."""
    ranked = [(len(diffs), i, other, diffs) for i, other in enumerate(others)
              for diffs in [differences(item.value, other.value)]]
    _, _, other, diffs = min(ranked, key=lambda r: (r[0], r[1]))
    return other, diffs


def set_label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def compare_values(values: Sequence[Reported]) -> Comparison:
    """Group one indicator's values into comparable sets and explain every lone value."""
    comparison = group_values(values)
    for group in comparison.sets:
        if group.comparable or len(values) < 2:
            continue
        item = group.members[0]
        other, diffs = _nearest(item, [v for v in values if v is not item])
        comparison.reasons[item.key] = (f"与{other.who}的“{other.value['original']}”相比，"
                                        + "；".join(diffs))
    return comparison


def group_values(values: Sequence[Reported]) -> Comparison:
    """Group one indicator's values into comparable sets (without the reasons)."""
    comparison = Comparison()
    by_basis: dict[tuple[Any, ...], ComparableSet] = {}
    for item in values:
        key = basis(item.value)
        if key not in by_basis:
            by_basis[key] = ComparableSet(set_label(len(by_basis)), [], facts(item.value))
            comparison.sets.append(by_basis[key])
        by_basis[key].members.append(item)
        comparison.set_label[item.key] = by_basis[key].label
    return comparison

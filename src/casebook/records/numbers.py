"""Number rules the schema cannot state: whole numbers written as whole numbers, counts as counts.

JSON Schema counts 2021.0 as an integer, so a year, a duration or a count written with a decimal
point would pass it and reach the pages and downloads as 2021.0. The ranges themselves (years
1949–2100, every figure within ±10^15 so that float() and Excel never overflow) are in the
schemas; percentages are held to their indicator's range (0–100 unless the indicator says
otherwise) when records are linked (library/link.py), as that needs the vocabulary.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from casebook.records.catalogue import say
from casebook.records.load import Document
from casebook.records.problems import Problem, field_name, show_number
from casebook.records.validate import load_schema, schema_node

# Units that count things one by one (a figure in them is a whole number of people, households,
# villages …), as the indicator vocabulary uses them (cases/vocab/indicators/, `unit`).
COUNT_UNITS = frozenset(("个", "人", "户", "村", "名", "家", "人次", "场次", "次", "条", "项", "辆",
                         "所", "座", "支", "套", "间", "件", "期", "批", "处", "篇", "本"))

_ANY = "*"  # any item of a list, in the paths below


@cache
def integer_paths(kind: str) -> tuple[tuple[str, ...], ...]:
    """The paths (with `*` for list items) at which a kind's schema wants an integer."""
    found: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...], schema_path: tuple[str | int, ...], depth: int) -> None:
        node = schema_node(kind, schema_path)
        if node.get("type") == "integer":
            found.append(path)
        if depth > 8:
            return
        for key in node.get("properties", {}):
            walk((*path, key), (*schema_path, key), depth + 1)
        if "items" in node:
            walk((*path, _ANY), (*schema_path, 0), depth + 1)

    load_schema(kind)
    walk((), (), 0)
    return tuple(found)


def _at(data: Any, pattern: tuple[str, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    """The values at `pattern` in `data`, with their paths; nothing where the shape differs."""
    found: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    for head in pattern:
        deeper: list[tuple[tuple[str | int, ...], Any]] = []
        for path, value in found:
            if head == _ANY:
                if type(value) is list:
                    deeper += [((*path, index), item) for index, item in enumerate(value)]
            elif type(value) is dict and head in value:
                deeper.append(((*path, head), value[head]))
        found = deeper
    return found


def number_problems(kind: str, doc: Document) -> list[Problem]:
    """Whole numbers written with a decimal point where the schema wants an integer; counts that
    are not whole, non-negative numbers."""
    problems = []
    for pattern in integer_paths(kind):
        for path, value in _at(doc.data, pattern):
            if isinstance(value, float) and value.is_integer():
                title = schema_node(kind, path).get("title", "")
                label = f"{field_name(path)}（{title}）" if title else field_name(path)
                problems.append(Problem(
                    doc.rel, *doc.mark(path), field_name(path),
                    say("numbers.integer", label=label, value=repr(value)),
                    hint=say("numbers.integer_hint", whole=int(value)), code="integer"))
    if kind == "case":
        problems += _count_problems(doc)
    return problems


def _count_problems(doc: Document) -> list[Problem]:
    values = doc.data.get("indicators") if isinstance(doc.data, dict) else None
    problems = []
    for i, entry in enumerate(values if isinstance(values, list) else []):
        unit = entry.get("unit") if isinstance(entry, dict) else None
        if unit not in COUNT_UNITS:
            continue
        for key in ("value", "value_max"):
            number = entry.get(key)
            if isinstance(number, bool) or not isinstance(number, int | float):
                continue
            if isinstance(number, float) or number < 0:
                path = ("indicators", i, key)
                whole = isinstance(number, int) or number.is_integer()
                wanted = "不能是负数" if whole and number < 0 else "应为整数"
                hint = (f"请写成 {int(number)}。" if whole and number >= 0 else
                        "个数只能是 0 或正整数，如 1.68万人 写 16800。如果原文是平均数（如“户均2.5人”）或比例，"
                        "请选用或新建单位相符的指标（如单位为 %、倍的指标）。")
                problems.append(Problem(
                    doc.rel, *doc.mark(path), field_name(path),
                    f"{field_name(path)}：单位是“{unit}”的数是个数，{wanted}，实际为 {show_number(number)}",
                    hint=hint, code="count"))
    return problems

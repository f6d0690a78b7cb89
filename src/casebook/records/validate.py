"""Validate stage: each record against its JSON Schema, plus the checks a schema cannot express.

The schemas in `schemas/` are the single source of truth for fields. Messages are generated from
them (field titles, allowed values) so they stay in step with the schema.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs

from casebook.records.catalogue import say, text
from casebook.records.load import Document
from casebook.records.problems import Problem, field_name, show_number

KINDS = ("case", "practices", "indicators", "themes", "regions", "glossary", "periods", "synonyms",
         "course")
# The years a date may name, as the schema's `year` allows.
FIRST_YEAR, LAST_YEAR = 1949, 2100
# Kinds whose file is one record (an object); the others are lists of vocabulary entries.
SINGLE_RECORD_KINDS = ("case", "course")



# A longer value is shown cut short in a message.
SHOWN_CHARS = 40


@cache
def load_schema(kind: str) -> dict[str, Any]:
    name = f"{kind}.schema.json"
    return json.loads(resources.files("casebook").joinpath("schemas", name).read_text("utf-8"))


@cache
def _validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(load_schema(kind))


@cache
def _compiled(kind: str) -> jsonschema_rs.Draft7Validator:
    # Formats are not checked, as jsonschema (the full report) does not check them either.
    return jsonschema_rs.Draft7Validator(load_schema(kind), validate_formats=False)


def warm_up(kind: str) -> None:
    """Compile a kind's schema now (before worker processes start, so they share it)."""
    _compiled(kind)


def _passes(kind: str, data: Any) -> bool:
    """Fast yes/no from a compiled schema; only a failing record pays for jsonschema's full report."""
    return _compiled(kind).is_valid(data)


def schema_node(kind: str, path: tuple[str | int, ...]) -> dict[str, Any]:
    """The (dereferenced) schema that describes the value at `path`, for titles and hints."""
    root = load_schema(kind)
    node = root
    for part in path:
        node = _deref(root, node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return _deref(root, node)


def _deref(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        merged = {k: v for k, v in node.items() if k != "$ref"}
        target = root
        # The pointer after "#" (a ref may also be written as an absolute URI).
        for part in node["$ref"].rpartition("#")[2].lstrip("/").split("/"):
            target = target[part]
        node = {**target, **merged}
    return node


def choices(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(value, label) pairs of a `oneOf` of constants, the schema's way of labelled enums."""
    return [(o["const"], o.get("title", "")) for o in node.get("oneOf", []) if "const" in o]


def validate_document(kind: str, doc: Document) -> tuple[list[Problem], set[int] | None]:
    """Schema problems and in-record checks for one loaded document.

    Also says what failed: the indices of the vocabulary entries that did (so the others still
    load), or None when the whole document is unusable.
    """
    errors = [] if _passes(kind, doc.data) else list(_validator(kind).iter_errors(doc.data))
    problems = [problem for error in errors for problem in _schema_problems(kind, doc, error)]
    if kind in SINGLE_RECORD_KINDS:
        # In-record problems leave the structure intact, so the record is still linked and its
        # references checked: a typo in one place must not hide a typo in another.
        checks = _case_checks if kind == "case" else _course_checks
        return (problems, None) if problems else (checks(doc), set())
    if any(not error.absolute_path for error in errors):
        return problems, None
    return problems, {error.absolute_path[0] for error in errors}


def _label(kind: str, path: tuple[str | int, ...]) -> str:
    title = schema_node(kind, path).get("title") if path else None
    return say("schema.label", field=field_name(path), title=title) if title else field_name(path)


def _schema_problems(kind: str, doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    if error.validator == "additionalProperties":
        return _unknown_fields(kind, doc, error)
    return [_schema_problem(kind, doc, error)]


def _unknown_fields(kind: str, doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    """One problem per unknown key, each at its own line, with the closest allowed key."""
    path = tuple(error.absolute_path)
    allowed = sorted(schema_node(kind, path).get("properties", {}))
    problems = []
    for extra in sorted(set(error.instance) - set(allowed)):
        line, col = doc.mark((*path, extra), key=True)
        close = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6)
        hint = (say("schema.did_you_mean", value=close[0]) if close
                else say("schema.fields_here", fields="、".join(allowed)))
        # A key with control or direction characters is shown escaped, never as typed.
        shown = extra if extra.isprintable() else repr(extra)
        problems.append(Problem(doc.rel, line, col, field_name((*path, extra)),
                                say("schema.unknown_field", key=shown), hint=hint, code="unknown-field"))
    return problems


def _schema_problem(kind: str, doc: Document, error: jsonschema.ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    node = schema_node(kind, path)
    hint = node.get("description", "")
    line, col = doc.mark(path)
    value = error.instance
    rule = error.validator
    if rule == "required":
        missing = error.message.split("'")[1]
        sub = (*path, missing)
        message = say("schema.required", label=_label(kind, sub))
        hint = schema_node(kind, sub).get("description", "") or hint
        return Problem(doc.rel, line, col, field_name(sub), message, hint=hint, code="required")
    if rule == "oneOf" and choices(node):
        options = "、".join(say("schema.choice_option", value=v, title=t) if t else v
                           for v, t in choices(node))
        close = difflib.get_close_matches(str(value), [v for v, _ in choices(node)], n=1)
        hint = say("schema.did_you_mean", value=close[0]) if close else hint
        message = say("schema.choice", label=_label(kind, path), options=options, value=repr(value))
        return Problem(doc.rel, line, col, field_name(path), message, hint=hint, code="choice")
    message = say("schema.rule", label=_label(kind, path) or text("schema.whole_file"),
                  explanation=_explain(rule, error, node, value))
    shown = value if isinstance(value, str | int | float | bool) else None
    return Problem(doc.rel, line, col, field_name(path), message, hint=hint, code=f"schema-{rule}",
                   value=shown)


def _explain(rule: str, error: jsonschema.ValidationError, node: dict[str, Any], value: Any) -> str:
    limit = error.validator_value
    if rule == "type":
        types = text("types")
        wanted = text("schema.type_or").join(
            types.get(t, t) for t in (limit if isinstance(limit, list) else [limit]))
        return say("schema.type", wanted=wanted, shown=_show(value))
    if rule == "pattern":
        # Which pattern: ids and dates have their own words (the form tells them apart alike).
        if "[a-z]" in str(limit):
            return say("schema.pattern_id", value=repr(value))
        if "[0-9]{4}" in str(limit):
            return say("schema.pattern_date", value=repr(value))
        return say("schema.pattern", value=repr(value))
    length = len(value) if isinstance(value, str) else 0
    if rule in ("minLength", "maxLength"):
        return say(f"schema.{rule}", limit=limit, length=length)
    if rule in ("minimum", "maximum"):
        return say(f"schema.{rule}", limit=show_number(limit), value=show_number(value))
    if rule == "minItems":
        return say("schema.minItems", limit=limit) if limit > 1 else text("schema.minItems_one")
    if rule == "uniqueItems":
        return text("schema.uniqueItems")
    return say("schema.other", detail=error.message)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return text("values.mapping")
    if isinstance(value, list):
        return text("values.list")
    if value is None:
        return text("values.null")
    if isinstance(value, str) and len(value) > SHOWN_CHARS:  # e.g. a number of 5,000 digits
        return say("values.cut", start=repr(value[:SHOWN_CHARS]), length=len(value))
    return repr(value)


def parse_when(text: str) -> dt.date | None:
    """`2020`, `2020-12` or `2020-12-31` as the first day it names; None if no such day exists."""
    parts = [int(p) for p in text.split("-")]
    try:
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None


def _case_checks(doc: Document) -> list[Problem]:
    """Dates that exist, and references inside one case (sources, indicator entries)."""
    case = doc.data
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str, hint: str = "", code: str = "") -> None:
        problems.append(Problem(doc.rel, *doc.mark(path), field_name(path), message, hint, code))

    dates: list[tuple[tuple[str | int, ...], str]] = [(("checked",), case["checked"])]
    dates += [(("sources", i, "date"), s["date"]) for i, s in enumerate(case["sources"])]
    dates += [(("indicators", i, "date"), v["date"]) for i, v in enumerate(case["indicators"])]
    for path, value in dates:
        day = parse_when(value)
        if day is None:
            problem(path, f"{field_name(path)}：日期 {value} 不存在", "请检查月份（1–12）和这个月的天数。",
                    "date")
        elif not FIRST_YEAR <= day.year <= LAST_YEAR:
            problem(path, f"{field_name(path)}：年份 {day.year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间",
                    "请核对年份是否写错。", "date")
    if case["time"]["start"] > case["time"]["end"]:
        problem(("time", "end"), "time.end（截止年份）早于 time.start（起始年份）", code="date")
    if "review" in case and case["status"] != "reviewed":
        problem(("review",), f"review：审核状态是 {case['status']}，不是 reviewed（已审核），不应有审核记录",
                "审核记录只在审核人员把状态改为 reviewed 时填写；状态改回 draft 或 submitted 时，请删去 review。",
                "review")

    sources = [s["id"] for s in case["sources"]]
    _unique(problem, "sources", sources, "来源编号")
    entries = [v["id"] for v in case["indicators"]]
    _unique(problem, "indicators", entries, "数据编号")
    cited: list[tuple[tuple[str | int, ...], str]] = [
        ((section, i, "source"), item["source"])
        for section in ("problems", "practices", "indicators", "outcomes", "lessons")
        for i, item in enumerate(case[section])
    ]
    for path, ref in cited:
        if ref not in sources:
            problem(path, f"{field_name(path)}：来源 {ref} 不在本记录的 sources 里",
                    _did_you_mean(ref, sources, "sources 中已有："), "source-ref")
    for section in ("outcomes", "lessons"):
        for i, item in enumerate(case[section]):
            for j, ref in enumerate(item.get("indicators", [])):
                if ref not in entries:
                    problem((section, i, "indicators", j),
                            f"{section}[{i}].indicators：数据编号 {ref} 不在本记录的 indicators 里",
                            _did_you_mean(ref, entries, "indicators 中的编号有："), "entry-ref")
            used = {p["practice"] for p in case["practices"]}
            for j, ref in enumerate(item.get("practices", [])):
                if ref not in used:
                    problem((section, i, "practices", j),
                            f"{section}[{i}].practices：做法 {ref} 没有列在本记录的 practices 里",
                            "成效和启示只能引用本案例 practices 中出现的做法。", "practice-ref")
    for i, value in enumerate(case["indicators"]):
        if "value_max" in value and value["value_max"] < value["value"]:
            problem(("indicators", i, "value_max"), "区间上限 value_max 小于下限 value", code="range")
    return problems


def _course_checks(doc: Document) -> list[Problem]:
    """The sessions' minutes add up to the course's duration."""
    course = doc.data
    total = sum(session["minutes"] for session in course["sessions"])
    if total == course["duration"]:
        return []
    parts = "+".join(str(session["minutes"]) for session in course["sessions"])
    return [Problem(
        doc.rel, *doc.mark(("duration",)), "duration",
        f"duration（总时长）是 {course['duration']} 分钟，但各节 minutes 合计 {total} 分钟（{parts}）",
        "请让各节时长之和等于总时长：改 duration，或调整某一节的 minutes。", "duration")]


def _unique(problem: Any, section: str, ids: list[str], label: str) -> None:
    seen: set[str] = set()
    for i, ref in enumerate(ids):
        if ref in seen:
            problem((section, i, "id"), f"{section}[{i}].id：{label} {ref} 重复", "每个编号在本记录内只能用一次。",
                    "duplicate-id")
        seen.add(ref)


def _did_you_mean(ref: str, known: list[str] | set[str], listing: str) -> str:
    close = difflib.get_close_matches(ref, sorted(known), n=1, cutoff=0.5)
    if close:
        return f"您是否想写 {close[0]}？"
    shown = sorted(known)[:8]
    return listing + "、".join(shown) + ("……" if len(known) > 8 else "") if shown else ""

"""`casebook import`: a filled Excel template → a case record, or what is wrong, cell by cell.

Reading the workbook finds what a spreadsheet gets wrong (text in a number cell, a name that is
in no vocabulary); the record is then written and checked by the real validator, and each of its
problems is traced back to the cell the value came from. Nothing stays written unless the whole
record passes. Messages read `文件.xlsx:工作表!B7: 字段：消息`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from casebook.contribute.workbook import (
    FIRST_ROW,
    HEADER_ROW,
    INFO_SHEET,
    Sheet,
    layout,
    split_list,
)
from casebook.library.link import Library
from casebook.records.fields import Field
from casebook.records.load import Document
from casebook.records.problems import Problem
from casebook.records.validate import validate_document

Path_ = tuple[str | int, ...]
_NUMBER = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$|^[-+]?\d+(\.\d+)?$")
_ID_FIRST = re.compile(r"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\s*(?:[（(].*[)）])?$")


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    cell: str
    title: str
    message: str
    hint: str = ""
    severity: str = "error"


@dataclass
class Reading:
    """A case read from a workbook: its data, where each value came from, and what was wrong."""

    case: dict[str, Any] = field(default_factory=dict)
    origins: dict[Path_, tuple[str, str, str]] = field(default_factory=dict)  # sheet, cell, title
    problems: list[CellProblem] = field(default_factory=list)

    def problem(self, sheet: str, cell: str, title: str, message: str, hint: str = "") -> None:
        self.problems.append(CellProblem(sheet, cell, title, message, hint))


class WorkbookError(Exception):
    """The file cannot be read as a workbook at all."""


def read_workbook(path: Path, library: Library) -> Reading:
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise WorkbookError(f"无法作为 Excel 工作簿（.xlsx）读取：{error}。"
                            "请用 Excel 或 WPS 另存为“Excel 工作簿（*.xlsx）”后再导入。") from None
    reading = Reading()
    for sheet in layout():
        if sheet.name not in wb.sheetnames:
            reading.problem(sheet.name, "A1", sheet.name, f"找不到工作表“{sheet.name}”",
                            "请使用本库提供的模板（网站“贡献者指南”页或 make excel-template）。")
            continue
        ws = wb[sheet.name]
        if sheet.kind == "info":
            _read_info(ws, sheet, library, reading)
        elif sheet.kind == "table":
            reading.case[sheet.path] = _read_table(ws, sheet, library, reading)
        else:
            reading.case.setdefault(sheet.path, {}).update(_read_texts(ws, sheet, reading))
    _defaults(reading, library)
    return reading


def _read_info(ws: Worksheet, sheet: Sheet, library: Library, reading: Reading) -> None:
    by_title = {item.title: item for item in sheet.fields}
    for row in range(2, ws.max_row + 1):
        title = _text(ws.cell(row=row, column=1).value)
        item = by_title.get(title)
        if item is None:
            continue
        cell = f"B{row}"
        parts: Path_ = tuple(p for p in item.parts)
        reading.origins[parts] = (ws.title, cell, item.title)
        value = _convert(ws[cell].value, item, library, reading, ws.title, cell)
        if value is not None:
            target = reading.case
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value


def _columns(ws: Worksheet, sheet: Sheet, reading: Reading) -> dict[int, Field]:
    titles = {_text(ws.cell(row=HEADER_ROW, column=c).value): c for c in range(1, ws.max_column + 1)}
    columns = {}
    for item in sheet.fields:
        if item.title in titles:
            columns[titles[item.title]] = item
        elif item.required:
            reading.problem(ws.title, f"{get_column_letter(len(titles) + 1)}{HEADER_ROW}", item.title,
                            f"找不到必填的栏目“{item.title}”", "请使用本库最新的模板，不要删改第一行的栏目名。")
    return columns


def _rows(ws: Worksheet, columns: dict[int, Field]) -> list[int]:
    return [row for row in range(FIRST_ROW, ws.max_row + 1)
            if any(_text(ws.cell(row=row, column=c).value) for c in columns)]


def _read_table(ws: Worksheet, sheet: Sheet, library: Library, reading: Reading) -> list[dict[str, Any]]:
    columns = _columns(ws, sheet, reading)
    items = []
    for index, row in enumerate(_rows(ws, columns)):
        item: dict[str, Any] = {}
        reading.origins[(sheet.path, index)] = (ws.title, f"A{row}", f"第 {row} 行")
        for column, spec in columns.items():
            cell = f"{get_column_letter(column)}{row}"
            reading.origins[(sheet.path, index, spec.key)] = (ws.title, cell, spec.title)
            value = _convert(ws[cell].value, spec, library, reading, ws.title, cell)
            if value is not None:
                item[spec.key] = value
        items.append(item)
    return items


def _read_texts(ws: Worksheet, sheet: Sheet, reading: Reading) -> dict[str, list[str]]:
    columns = _columns(ws, sheet, reading)
    lists: dict[str, list[str]] = {}
    for column, spec in columns.items():
        texts = []
        for row in range(FIRST_ROW, ws.max_row + 1):
            text = _text(ws.cell(row=row, column=column).value)
            if text:
                reading.origins[(sheet.path, spec.key, len(texts))] = (
                    ws.title, f"{get_column_letter(column)}{row}", spec.title)
                texts.append(text)
        reading.origins[(sheet.path, spec.key)] = (
            ws.title, f"{get_column_letter(column)}{FIRST_ROW}", spec.title)
        lists[spec.key] = texts
    return lists


def _defaults(reading: Reading, library: Library) -> None:
    """What a blank cell means (workbook.DEFAULTS): numbered ids, the indicator's own unit,
    a new case's status, and with a single source, that source."""
    case = reading.case
    case.setdefault("status", "draft")
    for index, value in enumerate(case.get("indicators", [])):
        value.setdefault("id", f"v{index + 1}")
        indicator = library.indicators.get(value.get("indicator", ""))
        if indicator:
            value.setdefault("unit", indicator["unit"])
    sources = case.get("sources", [])
    for index, source in enumerate(sources):
        source.setdefault("id", f"s{index + 1}")
    if len(sources) != 1:
        return
    for section in ("problems", "practices", "indicators", "outcomes", "lessons"):
        for item in reading.case.get(section, []):
            item.setdefault("source", sources[0]["id"])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _convert(value: Any, item: Field, library: Library, reading: Reading, sheet: str,
             cell: str) -> Any:
    """The cell's value as the field wants it, or None (blank, or a problem was recorded)."""
    text = _text(value)
    if not text:
        return None

    def bad(message: str, hint: str = "") -> None:
        reading.problem(sheet, cell, item.title, message, hint or item.description)

    if item.type in ("number", "integer"):
        if isinstance(value, bool) or not (isinstance(value, int | float) or _NUMBER.match(text)):
            wanted = "整数（如 2021）" if item.type == "integer" else "数字"
            bad(f"应为{wanted}，实际为“{text}”",
                item.description + (" 原文的写法（含“万”“亿”“%”等）填在“原文写法”栏。"
                                    if item.type == "number" else ""))
            return None
        number = float(value) if isinstance(value, int | float) else float(text.replace(",", ""))
        if item.type == "integer" and not number.is_integer():
            bad(f"应为整数（如 2021），实际为“{text}”")
            return None
        return int(number) if item.type == "integer" or number.is_integer() else number
    if item.choices:
        for const, label in item.choices:
            if text in (const, label, f"{const}（{label}）"):
                return const
        options = "、".join(label for _, label in item.choices)
        bad(f"应为以下之一：{options}；实际为“{text}”", "请从下拉列表中选择。")
        return None
    # Outcomes cite the case's practices by their shared ids, so names resolve as practices do.
    kind = item.vocabulary or ("practices" if item.local == "practices" else "")
    if kind:
        names = split_list(text) if item.type == "array" else [text]
        found = [_resolve(name, kind, item.title, library, bad) for name in names]
        if any(ref is None for ref in found):
            return None
        return found if item.type == "array" else found[0]
    if item.type == "array":
        return split_list(text)
    return text


def _resolve(text: str, kind: str, title: str, library: Library, bad: Any) -> str | None:
    """A vocabulary id from an id, a dropdown entry `id（名称）`, a name or an alias."""
    records = library.of(kind)
    match = _ID_FIRST.match(text)
    if match and match.group(1) in records:
        return match.group(1)
    labels: dict[str, str] = {}
    for rid, record in records.items():
        for label in [rid, record.get("name"), record.get("title"), *record.get("aliases", [])]:
            if label:
                labels.setdefault(str(label), rid)
    if text in labels:
        return labels[text]
    close = difflib.get_close_matches(text, labels, n=1, cutoff=0.6)
    where = "cases/" if kind == "case" else f"cases/vocab/{kind}/"
    hint = (f"您是否想写 {labels[close[0]]}（{close[0]}）？" if close else
            f"可用的编号列在 {where} 中，也可以从下拉列表中选；确实需要新的一项，请在提交时说明。")
    bad(f"不认识的{title}“{text}”", hint)
    return None


def schema_problems(reading: Reading) -> list[CellProblem]:
    """The case checked against the schema before anything is written, each problem at its cell.

    A cell that already has a problem (its value could not be read) is not reported twice.
    """
    doc = Document(path=Path("workbook"), rel="workbook", data=reading.case, marks={}, key_marks={})
    problems, _ = validate_document("case", doc)
    taken = {(p.sheet, p.cell) for p in reading.problems}
    found = []
    for problem in problems:
        cell_problem = as_cell_problem(reading, problem)
        if (cell_problem.sheet, cell_problem.cell) not in taken:
            taken.add((cell_problem.sheet, cell_problem.cell))
            found.append(cell_problem)
    return found


def as_cell_problem(reading: Reading, problem: Problem) -> CellProblem:
    """A validator problem restated for the cell its value came from."""
    sheet, cell, title = locate(reading, problem)
    message = problem.message
    if problem.code == "required":
        message = "必填，不能空着"
    elif problem.field and message.startswith(problem.field) and "：" in message:
        message = message.split("：", 1)[1]
    return CellProblem(sheet, cell, title or problem.field, message, problem.hint, problem.severity)


def locate(reading: Reading, problem: Problem) -> tuple[str, str, str]:
    """The cell a validator problem comes from: its field's cell, or the nearest enclosing one."""
    path = _parse_field(problem.field)
    while path:
        if path in reading.origins:
            return reading.origins[path]
        path = path[:-1]
    return INFO_SHEET, "A1", ""


def _parse_field(name: str) -> Path_:
    """`indicators[3].value` → ("indicators", 3, "value")."""
    parts: list[str | int] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", name):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts)

"""The Excel template for contributors who work in Excel or WPS rather than in YAML.

Made from the schema: one sheet of single values (案例信息), one sheet per list of items (来源,
做法, 指标数据 …) with a column per field, and one for lists of texts (教学材料). Headers are the
schema's titles, the row under them says what goes in each column with an example, enumerated
fields get dropdowns of their Chinese labels and references get dropdowns of the vocabularies,
kept on a hidden 词表 sheet. `casebook import` reads the same layout back.

The file's bytes depend only on the schema and the vocabularies (fixed timestamps inside the
zip), so a site build stays byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from casebook.files.xlsx import reproducible_xlsx
from casebook.library.link import Library
from casebook.records.fields import Field, children

TEMPLATE_PATH = "downloads/case-template.xlsx"
INFO_SHEET = "案例信息"
VOCABULARY_SHEET = "词表"
GUIDE_SHEET = "填写说明"
HEADER_ROW, NOTE_ROW, FIRST_ROW = 1, 2, 3
ROWS = 200  # rows prepared with formats and dropdowns in each list sheet
LIST_SEPARATORS = re.compile(r"[、，,;；\s]+")


@dataclass(frozen=True)
class Sheet:
    """One sheet of the template and the fields it holds."""

    name: str
    kind: str  # "info": field per row; "table": item per row; "texts": a list of texts per column
    path: str  # the list the rows are items of (table), or the object holding the lists (texts)
    fields: tuple[Field, ...]


def in_one_cell(item: Field) -> bool:
    """Single values, and lists of ids (written in one cell, separated by 、)."""
    return not item.is_container and (item.type != "array" or bool(item.vocabulary or item.local))


def layout() -> list[Sheet]:
    """The template's sheets in order, derived from the schema."""
    info: list[Field] = []
    sheets: list[Sheet] = []
    for item in children(""):
        if item.type == "array" and not item.item_type:
            fields = tuple(f for f in children(f"{item.path}[]") if in_one_cell(f))
            sheets.append(Sheet(item.title, "table", item.path, fields))
        elif item.type == "object":
            inner = children(item.path)
            info += [f for f in inner if in_one_cell(f)]
            texts = tuple(f for f in inner if not in_one_cell(f))
            if texts:
                sheets.append(Sheet(item.title, "texts", item.path, texts))
        elif in_one_cell(item):
            info.append(item)
    return [Sheet(INFO_SHEET, "info", "", tuple(info)), *sheets]


def choice_label(value: str, item: Field) -> str:
    return dict(item.choices).get(value, value)


def vocabulary_entries(kind: str, library: Library) -> list[str]:
    """Dropdown entries `id（名称）`: the id first, so the importer always finds it."""
    records = library.of(kind)
    return [f"{rid}（{record.get('name') or record.get('title', '')}）" for rid, record in records.items()]


# What the importer fills in by itself when a cell is left blank.
DEFAULTS = {
    "id": "可以不填：导入时按地区和标题的拼音生成。",
    "sources[].id": "可以不填：按行依次为 s1、s2……",
    "indicators[].id": "可以不填：按行依次为 v1、v2……；成效、启示要引用这条数据时再填。",
    "indicators[].unit": "可以不填：导入时取指标词表中该指标的单位。",
    "status": "新案例不填或选“草稿”。",
}


def note(item: Field) -> str:
    """The line under a header: required or not, what goes in, an example."""
    parts = ["必填。" if item.required and item.path not in DEFAULTS else "可选。"]
    if item.description:
        parts.append(item.description.rstrip("。") + "。")
    if item.choices:
        parts.append("从下拉列表中选。")
    elif item.type == "array":
        parts.append("可填多个编号，用顿号（、）分开。")
    if item.path in DEFAULTS:
        parts.append(DEFAULTS[item.path])
    if item.local == "sources" and item.type != "array":
        parts.append("只有一条来源时可以不填。")
    if item.examples:
        example = item.examples[0]
        parts.append("例：" + ("、".join(map(str, example)) if isinstance(example, list) else str(example)))
    return "".join(parts)


_HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_NOTE_FONT = Font(italic=True, color="595959", size=9)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _dropdown(ws: Worksheet, cells: str, formula: str, *, strict: bool, title: str) -> None:
    check = DataValidation(type="list", formula1=formula, allow_blank=True,
                           showErrorMessage=True, errorStyle="stop" if strict else "warning")
    check.errorTitle = title
    check.error = ("请从下拉列表中选择。" if strict else
                   "不在词表中。如需新增，请在提交时说明，或在 cases/vocab/ 中加上这一项。")
    check.add(cells)
    ws.add_data_validation(check)


class _Lists:
    """The hidden 词表 sheet: one column per dropdown list."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.columns: dict[str, str] = {}

    def formula(self, name: str, entries: list[str]) -> str:
        if name not in self.columns:
            column = get_column_letter(len(self.columns) + 1)
            self.ws[f"{column}1"] = name
            for row, entry in enumerate(entries or [""], start=2):
                self.ws[f"{column}{row}"] = entry
            self.columns[name] = f"{quote_sheetname(self.ws.title)}!${column}$2:${column}${len(entries) + 1}"
        return self.columns[name]


def _list_for(item: Field, library: Library, lists: _Lists) -> tuple[str, bool] | None:
    """The dropdown formula for a field, and whether other values are refused, if it has one."""
    if item.choices:
        return lists.formula(item.title + "（选项）", [label for _, label in item.choices]), True
    if item.vocabulary and item.type != "array":
        return lists.formula(item.vocabulary, vocabulary_entries(item.vocabulary, library)), False
    if item.local == "sources" and item.type != "array":
        column = get_column_letter(1 + _position("sources", "id"))
        sheet = quote_sheetname(_sheet_of("sources").name)
        return f"{sheet}!${column}${FIRST_ROW}:${column}${FIRST_ROW + ROWS - 1}", False
    return None


def _position(path: str, key: str) -> int:
    return [f.key for f in _sheet_of(path).fields].index(key)


def _sheet_of(path: str) -> Sheet:
    return next(s for s in layout() if s.path == path and s.kind == "table")


def _text_format(item: Field) -> bool:
    return item.type not in ("number", "integer")


def excel_template(library: Library) -> bytes:
    """The template workbook, as the bytes of an .xlsx file."""
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    _write_guide(guide)
    sheets = layout()
    worksheets = {s.name: wb.create_sheet(s.name) for s in sheets}
    lists = _Lists(wb.create_sheet(VOCABULARY_SHEET))
    for sheet in sheets:
        ws = worksheets[sheet.name]
        if sheet.kind == "info":
            _write_info(ws, sheet, library, lists)
        else:
            _write_table(ws, sheet, library, lists)
    lists.ws.sheet_state = "hidden"
    wb.active = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_xlsx(buffer.getvalue())


def _write_guide(ws: Worksheet) -> None:
    lines = [
        "乡村振兴党建案例库 · 案例填写模板",
        "",
        "1. 按工作表顺序填写：案例信息、来源、针对的问题、做法、指标数据、成效、启示、教学材料。",
        "2. 每张表第一行是栏目名，第二行（灰色小字）说明这一栏填什么，并给出例子；从第三行起，每行填一条。",
        "3. 深色栏目必须填写；有下拉箭头的格子请从列表中选，编号也可以直接写中文名称（如“遵义市”）。",
        "4. 来源中的每一个数字都记成“指标数据”中的一行：数值换算成基本单位（1.68万人 写 16800），原文写法照抄。",
        "5. 每一条问题、做法、数据、成效、启示都要在“来源”栏写明来源编号（只有一条来源时可以不填）。",
        "6. 不要填写任何个人信息：身份证号、手机号、脱贫户和困难群众的姓名都不能出现。",
        "7. 填好后：在 GitHub 上新建“提交新案例”问题并上传本文件，或在本库目录运行 make import FILE=文件名.xlsx。",
        "   导入时会逐格检查，出错的格子会以“工作表!单元格”的形式指出，例如 指标数据!C5。",
    ]
    for row, text in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=text)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


def _write_info(ws: Worksheet, sheet: Sheet, library: Library, lists: _Lists) -> None:
    for column, (title, width) in enumerate((("栏目", 16), ("填写内容", 60), ("说明", 70)), start=1):
        ws.cell(row=1, column=column, value=title).font = Font(bold=True)
        ws.cell(row=1, column=column).fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(column)].width = width
    for row, item in enumerate(sheet.fields, start=2):
        label = ws.cell(row=row, column=1, value=item.title)
        label.fill = _REQUIRED_FILL if item.required else _HEADER_FILL
        value = ws.cell(row=row, column=2)
        value.alignment = _WRAP
        if _text_format(item):
            value.number_format = "@"
        explanation = ws.cell(row=row, column=3, value=note(item))
        explanation.font = _NOTE_FONT
        explanation.alignment = _WRAP
        dropdown = _list_for(item, library, lists)
        if dropdown:
            _dropdown(ws, f"B{row}", dropdown[0], strict=dropdown[1], title=item.title)
    ws.freeze_panes = "B2"


def _write_table(ws: Worksheet, sheet: Sheet, library: Library, lists: _Lists) -> None:
    last = FIRST_ROW + ROWS - 1
    for column, item in enumerate(sheet.fields, start=1):
        letter = get_column_letter(column)
        header = ws.cell(row=HEADER_ROW, column=column, value=item.title)
        header.font = Font(bold=True)
        header.fill = _REQUIRED_FILL if item.required else _HEADER_FILL
        explanation = ws.cell(row=NOTE_ROW, column=column, value=note(item))
        explanation.font = _NOTE_FONT
        explanation.alignment = _WRAP
        long_text = (item.max_length or 0) > 100 or item.type == "array" and not item.vocabulary
        ws.column_dimensions[letter].width = 50 if long_text else 16
        if _text_format(item):
            for row in range(FIRST_ROW, last + 1):
                ws.cell(row=row, column=column).number_format = "@"
        dropdown = _list_for(item, library, lists)
        if dropdown:
            _dropdown(ws, f"{letter}{FIRST_ROW}:{letter}{last}", dropdown[0], strict=dropdown[1],
                      title=item.title)
    ws.row_dimensions[NOTE_ROW].height = 90
    ws.freeze_panes = f"A{FIRST_ROW}"


def split_list(text: str) -> list[str]:
    """Items of a cell that lists several ids."""
    return [part for part in LIST_SEPARATORS.split(text) if part]


def field_rows(sheet: Sheet) -> dict[str, Any]:
    """Header title → field, for reading a filled sheet back."""
    return {item.title: item for item in sheet.fields}

"""Export stage: the records as files people take away.

Raw records at `records/<path>`, and the downloads at `downloads/`: CSV tables (UTF-8 with BOM,
so Excel and WPS on Chinese Windows open them correctly), one Excel workbook with a sheet per
table, a JSON file of every record, and each case's and each indicator's own slice of the
figures. The same bytes come out of every build of one commit and of `casebook export`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import unicodedata
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from casebook.files.tables import Table, all_tables
from casebook.files.xlsx import reproducible_xlsx
from casebook.library.link import VOCABULARIES, Library
from casebook.records.validate import schema_node
from casebook.site.render import Page

RECORDS_DIR = "records"
DOWNLOADS_DIR = "downloads"
WORKBOOK = "casebook.xlsx"
RECORDS_JSON = "casebook.json"
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_WIDTH = 50
NOTES_SHEET = "说明"
# Who moves a case on; what each status means comes from the schema (see workbook_notes).
_WHO_REVIEWS = ("作者整理完、提交审核时把“草稿”改为“待审核”；审核人员对照来源逐条核对文字和数字，无误后改为"
                "“已审核”，并在记录中写明审核人和审核日期（案例表的“审核人”“审核日期”两栏）。")


def record_copies(library: Library, root: Path) -> Iterator[Page]:
    """Each record file as published, at `records/<its path>`, so every page can link its source;
    read one at a time."""
    for rel in sorted(set(library.files.values())):
        yield Page(f"{RECORDS_DIR}/{rel}", (root / rel).read_bytes(), rel)


def download_files(library: Library, tables: list[Table] | None = None) -> dict[str, bytes]:
    """Every download, by its path under `downloads/`, in a stable order: the files of every
    record, then the tables'. (A build makes them one at a time: trainer_pages.trainer_outputs.)"""
    return {**dict(record_files(library)), **dict(table_files(library, tables or all_tables(library)))}


def record_files(library: Library) -> Iterator[tuple[str, bytes]]:
    """The JSON file of every record, and the schemas it follows."""
    yield RECORDS_JSON, records_json(library)
    yield from schema_files().items()


def table_files(library: Library, tables: list[Table]) -> Iterator[tuple[str, bytes]]:
    """The tables as CSV files and one workbook, and each case's and each indicator's slice of
    the figures."""
    for table in tables:
        yield f"{table.name}.csv", csv_bytes(table.frame())
    yield WORKBOOK, workbook_bytes(tables, data_date(library))
    table = next(t for t in tables if t.name == "indicators")
    values = _guarded(table.frame())  # guarded once, sliced per case and per indicator
    # The rows of each case and of each indicator, found in one pass (rows keep their order).
    for folder, key, ids in (("cases", "case_id", library.cases), ("indicators", "indicator_id",
                                                                    library.indicators)):
        rows = values.groupby(table.header(key), sort=False).indices if len(values) else {}
        for record_id in sorted(ids):
            yield f"{folder}/{record_id}.csv", _csv(values.iloc[rows.get(record_id, [])])


def data_date(library: Library) -> dt.datetime:
    """The date the data speaks for: the latest `checked` date of any case (stable per commit)."""
    latest = max((c["checked"] for c in library.cases.values()), default="2020-01-01")
    return dt.datetime.fromisoformat(latest)


def _guard(text: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe, shown as text."""
    return "'" + text if isinstance(text, str) and text.startswith(_FORMULA_START) else text


def _guarded(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({header: pd.Series([_guard(v) for v in frame[header]], index=frame.index,
                                           dtype=object) for header in frame.columns})


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV: UTF-8 with BOM, CRLF line ends, numbers as written in the records."""
    return _csv(_guarded(frame))


def _display_width(value: Any) -> int:
    """Characters a cell needs in Excel's units: full-width characters count two."""
    longest = max(str(value).splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _column_width(header: str, values: Any) -> int:
    """The width that fits a column's header and values (`_display_width`), at most _MAX_WIDTH.

    A value at most half as long as the widest so far cannot be wider, so most are not measured.
    """
    width = _display_width(header)
    for value in values:
        if value is not None and 2 * len(str(value)) > width:
            width = max(width, _display_width(value))
            if width + 2 >= _MAX_WIDTH:
                break
    return min(width + 2, _MAX_WIDTH)


def workbook_bytes(tables: list[Table], when: dt.datetime) -> bytes:
    """One sheet per table with a frozen, filterable header row and fitted column widths.

    Written row by row (openpyxl's write-only mode), so a workbook of a large library is never
    held in memory cell by cell.
    """
    book = Workbook(write_only=True)
    book.properties.creator = "乡村振兴党建案例库"
    book.properties.title = "乡村振兴党建案例库：案例、指标数据和做法"
    bold = Font(bold=True)
    for table in tables:
        frame = table.frame()
        sheet = book.create_sheet(table.title)
        sheet.freeze_panes = "A2"
        for number, header in enumerate(frame.columns, 1):
            sheet.column_dimensions[get_column_letter(number)].width = _column_width(header, frame[header])
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        sheet.append([_cell(sheet, header, bold) for header in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(sheet, value) for value in row])
    # Last, so that a script reading the first sheet still gets the cases.
    notes = book.create_sheet(NOTES_SHEET)
    rows = workbook_notes(tables, when)
    for number, width in enumerate((_column_width("", (r[0] for r in rows)), _MAX_WIDTH * 2), 1):
        notes.column_dimensions[get_column_letter(number)].width = width
    for number, row in enumerate(rows):
        notes.append([_note_cell(notes, value, bold if number == 0 else None) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_xlsx(buffer.getvalue(), when)


def workbook_notes(tables: list[Table], when: dt.datetime) -> list[tuple[str, str]]:
    """The rows of the workbook's 说明 sheet: what each sheet holds and what a review status means.

    The meanings are the schema's, so the workbook, the pages and the handouts say the same."""
    status = schema_node("case", ("status",))
    rows = [("项目", "说明"),
            ("本工作簿", f"乡村振兴党建案例库的数据，截至 {when.date().isoformat()}。各列的含义见网站“数据下载”页的数据字典。")]
    rows += [(f"工作表“{table.title}”", f"{table.row}。") for table in tables]
    rows.append(("审核状态", f"案例表“{status['title']}”一栏说明这条记录有没有人对照来源核对过。{_WHO_REVIEWS}"))
    rows += [(f"审核状态“{choice['title']}”", choice.get("description", "")) for choice in status["oneOf"]]
    rows.append(("使用条件", "本库自撰的摘要和结构化数据按 CC BY 4.0 共享；来源原文版权归原作者。"))
    return rows


def _note_cell(sheet: Any, text: str, font: Font | None) -> WriteOnlyCell:
    """A cell of the 说明 sheet: written text, wrapped to its column."""
    cell = WriteOnlyCell(sheet, text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if font:
        cell.font = font
    return cell


def _cell(sheet: Any, value: Any, font: Font | None = None) -> Any:
    """A cell's value: empty for a missing one, text kept as text even where it looks like a
    formula (see _guard), and a styled cell where a font is given."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        value = None
    elif not font and not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(sheet, value)
    if font:
        cell.font = font
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _canonical(data: Any, kind: str, path: tuple[str | int, ...] = ()) -> Any:
    """Objects with their keys in the schema's order (then any others sorted), recursively."""
    if isinstance(data, list):
        return [_canonical(item, kind, (*path, 0)) for item in data]
    if not isinstance(data, dict):
        return data
    order = list(schema_node(kind, path).get("properties", {}))
    keys = [k for k in order if k in data] + sorted(k for k in data if k not in order)
    return {k: _canonical(data[k], kind, (*path, k)) for k in keys}


def records_json(library: Library) -> bytes:
    """Every record, cases and vocabularies, sorted by id, keys in schema order."""
    document: dict[str, Any] = {
        "name": "乡村振兴党建案例库",
        "data_date": data_date(library).date().isoformat(),
        "license": "本库自撰的摘要和结构化数据按 CC BY 4.0 共享；来源原文版权归原作者。",
        "schemas": "字段含义见 downloads/schemas/ 中的 JSON Schema（cases 对应 case.schema.json，其余对应同名词表）。",
        "cases": _Canonical(library.cases, "case", ()),
    }
    for kind in VOCABULARIES:
        document[kind] = _Canonical(library.of(kind), kind, (0,))
    # The encoder asks for one record at a time, so their copies in schema order never all exist,
    # and its many small pieces are written out a few thousand at a time.
    out = io.BytesIO()
    pending: list[str] = []
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(document):
        pending.append(chunk)
        if len(pending) >= 4096:
            out.write("".join(pending).encode("utf-8"))
            pending.clear()
    out.write(("".join(pending) + "\n").encode("utf-8"))
    return out.getvalue()


class _Canonical(list):  # noqa: FURB189 - a list to the JSON encoder, filled as it reads
    """The records, sorted by id, each made canonical (`_canonical`) only when reached."""

    def __init__(self, records: dict[str, Any], kind: str, path: tuple[str | int, ...]) -> None:
        super().__init__()
        self.records, self.kind, self.path = records, kind, path

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Any]:
        return (_canonical(self.records[k], self.kind, self.path) for k in sorted(self.records))


def schema_files() -> dict[str, bytes]:
    """The JSON Schemas the records follow, as shipped, for readers of the JSON file."""
    schemas = resources.files("casebook").joinpath("schemas")
    return {f"schemas/{k}.schema.json": schemas.joinpath(f"{k}.schema.json").read_bytes()
            for k in ("case", *VOCABULARIES)}

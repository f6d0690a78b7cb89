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
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from casebook.link import VOCABULARIES, Library
from casebook.render import Page
from casebook.tables import Table, all_tables
from casebook.validate import schema_node
from casebook.workbook import reproducible_xlsx

RECORDS_DIR = "records"
DOWNLOADS_DIR = "downloads"
WORKBOOK = "casebook.xlsx"
RECORDS_JSON = "casebook.json"
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_WIDTH = 50


def record_copies(library: Library, root: Path) -> list[Page]:
    """Each record file as published, at `records/<its path>`, so every page can link its source."""
    sources = sorted(set(library.files.values()))
    return [Page(f"{RECORDS_DIR}/{rel}", (root / rel).read_bytes(), rel) for rel in sources]


def download_files(library: Library, tables: list[Table] | None = None) -> dict[str, bytes]:
    """Every download, by its path under `downloads/`, in a stable order."""
    tables = tables or all_tables(library)
    files = {f"{t.name}.csv": csv_bytes(t.frame()) for t in tables}
    files[WORKBOOK] = workbook_bytes(tables, data_date(library))
    files[RECORDS_JSON] = records_json(library)
    files.update(schema_files())
    table = next(t for t in tables if t.name == "indicators")
    values = _guarded(table.frame())  # guarded once, sliced per case and per indicator
    by_case, by_indicator = values[table.header("case_id")], values[table.header("indicator_id")]
    for cid in sorted(library.cases):
        files[f"cases/{cid}.csv"] = _csv(values[by_case == cid])
    for iid in sorted(library.indicators):
        files[f"indicators/{iid}.csv"] = _csv(values[by_indicator == iid])
    return files


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


def workbook_bytes(tables: list[Table], when: dt.datetime) -> bytes:
    """One sheet per table with a frozen, filterable header row and fitted column widths."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        writer.book.properties.creator = "乡村振兴党建案例库"
        writer.book.properties.title = "乡村振兴党建案例库：案例、指标数据和做法"
        for table in tables:
            frame = table.frame()
            frame.to_excel(writer, sheet_name=table.title, index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[table.title]
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.value == "":  # pandas writes a missing value as empty text
                        cell.value = None
                    elif cell.data_type == "f":  # text that looks like a formula stays text
                        cell.data_type = "s"
            for number, header in enumerate(frame.columns, 1):
                width = max([_display_width(header), *(_display_width(v) for v in frame[header]
                                                       if v is not None)])
                sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, _MAX_WIDTH)
            sheet.auto_filter.ref = sheet.dimensions
    return reproducible_xlsx(buffer.getvalue(), when)


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
        "cases": [_canonical(library.cases[k], "case") for k in sorted(library.cases)],
    }
    for kind in VOCABULARIES:
        records = library.of(kind)
        document[kind] = [_canonical(records[k], kind, (0,)) for k in sorted(records)]
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def schema_files() -> dict[str, bytes]:
    """The JSON Schemas the records follow, as shipped, for readers of the JSON file."""
    schemas = resources.files("casebook").joinpath("schemas")
    return {f"schemas/{k}.schema.json": schemas.joinpath(f"{k}.schema.json").read_bytes()
            for k in ("case", *VOCABULARIES)}

"""Download tables: the records as flat rows, every column defined once.

Headers are Chinese, because the files are opened in Excel and WPS by trainers; each column also
has a stable English key, a type and a description, so scripts can rely on the key and the data
dictionary page can document every column. Where a column is a field of the case schema, its
header, description and labelled values come from the schema itself, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

import pandas as pd

from casebook.library.compare import indicator_comparison, who
from casebook.library.link import Library
from casebook.library.references import names_only
from casebook.records.validate import choices, schema_node

_TYPES = {"string": "文字", "number": "数字", "integer": "整数", "array": "文字"}


@dataclass(frozen=True)
class Column:
    """One column of a download: stable key, Chinese header, type and meaning."""

    key: str
    header: str
    type: str  # 文字, 数字 or 整数
    description: str
    field: str = ""  # the case schema field it holds, e.g. `indicators[].value`
    choices: tuple[tuple[str, str], ...] = ()  # code → label; the files hold the label


def schema_column(key: str, path: tuple[str | int, ...], header: str = "",
                  description: str = "") -> Column:
    """A column holding a case schema field; header and description default to the schema's."""
    node = schema_node("case", path)
    kind = node.get("type", "string")
    shown = ".".join("[]" if isinstance(p, int) else p for p in path).replace(".[]", "[]")
    return Column(key, header or node["title"], "文字" if choices(node) else _TYPES.get(kind, "文字"),
                  description or node.get("description", ""), shown, tuple(choices(node)))


def derived(key: str, header: str, type_: str, description: str) -> Column:
    """A column computed from the records (a vocabulary name, a count, a comparison)."""
    return Column(key, header, type_, description)


@dataclass
class Table:
    """One download table: file stem, sheet name, what a row is, columns and rows.

    Each row is held as a tuple in column order: a large library has hundreds of thousands of
    rows, and a dict per row would hold every column's key again in each of them.
    """

    name: str
    title: str
    row: str
    columns: list[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        self._in_order = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)

    def add(self, row: dict[str, Any]) -> None:
        """A row given by column key."""
        self.rows.append(self._in_order(row))

    def frame(self) -> pd.DataFrame:
        """The rows with Chinese headers, values as Python objects (16800 stays 16800, not 16800.0)."""
        return pd.DataFrame(self.rows, columns=[c.header for c in self.columns], dtype=object)

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)


@cache
def case_columns() -> list[Column]:
    """Columns of cases.csv (sheet 案例)."""
    return [
        schema_column("case_id", ("id",)),
        schema_column("title", ("title",)),
        schema_column("summary", ("summary",)),
        schema_column("status", ("status",)),
        schema_column("reviewed_by", ("review", "by")),
        schema_column("reviewed_on", ("review", "date")),
        schema_column("checked", ("checked",)),
        derived("province", "省份", "文字", "案例所在的省（自治区、直辖市），由地区词表推出。"),
        schema_column("region_id", ("place", "region"), "地区编号"),
        derived("region", "地区名称", "文字", "地区词表中该地区的名称。"),
        derived("region_code", "行政区划代码", "文字", "该地区的 GB/T 2260 行政区划代码，取自地区词表。"),
        schema_column("level", ("place", "level")),
        schema_column("body", ("place", "body")),
        schema_column("start", ("time", "start")),
        schema_column("end", ("time", "end")),
        schema_column("periods", ("time", "periods"), description="所属政策阶段的名称（取自期间词表），多个用“、”分隔。"),
        schema_column("themes", ("themes",), description="主题的名称（取自主题词表），多个用“、”分隔。"),
        derived("practice_count", "做法数", "整数", "案例记录的做法条数（practices 的条数）。"),
        derived("figure_count", "数据条数", "整数", "案例记录的指标数据条数（indicators 的条数），即指标数据表中该案例的行数。"),
        schema_column("sources", ("sources",), description="本记录依据的材料：来源编号、发布单位、标题、刊载平台和发布日期，多条用“；”分隔。"),
    ]

@cache
def value_columns() -> list[Column]:
    """Columns of indicators.csv (sheet 指标数据) and of every per-case and per-indicator slice."""
    return [
        schema_column("case_id", ("id",), description="数据所属案例的编号，对应案例表的“案例编号”。"),
        derived("region", "地区", "文字", "案例所在地区的名称，取自地区词表。"),
        schema_column("value_id", ("indicators", 0, "id")),
        schema_column("indicator_id", ("indicators", 0, "indicator"), "指标编号"),
        derived("indicator_name", "指标名称", "文字", "指标词表中该指标的名称。"),
        derived("indicator_category", "指标类别", "文字", "指标词表中该指标所属的类别（主题名称）。"),
        schema_column("value", ("indicators", 0, "value")),
        schema_column("value_max", ("indicators", 0, "value_max")),
        schema_column("unit", ("indicators", 0, "unit")),
        schema_column("qualifier", ("indicators", 0, "qualifier")),
        schema_column("original", ("indicators", 0, "original")),
        schema_column("date", ("indicators", 0, "date")),
        derived("year", "年份", "整数", "所指时间中的年份，便于排序和筛选。"),
        schema_column("since", ("indicators", 0, "since")),
        schema_column("date_basis", ("indicators", 0, "date_basis")),
        schema_column("scope", ("indicators", 0, "scope")),
        schema_column("evidence", ("indicators", 0, "evidence")),
        schema_column("source", ("indicators", 0, "source"), "来源编号", "本记录内 sources 中某一条的编号。"),
        derived("source_citation", "来源", "文字", "该来源的发布单位、标题、刊载平台和发布日期。"),
        schema_column("note", ("indicators", 0, "note")),
        derived("comparable_set", "可比组", "文字",
                "同一指标内的可比组（A、B、C……）。指标编号和可比组都相同的数值单位、类型、统计方式相同（总数还要范围层级相同），可以画在同一坐标轴上；每一对是可直接比较还是可参照，见“可比程度”。"),
        derived("comparability_grade", "可比程度", "文字",
                "这个数值与其他案例报告的最接近的数值相比：可直接比较（各方面都相同，年份原文写明）、可参照（类型和统计方式相同，其他有差别）或不可比较（类型或统计方式不同，或总数的范围层级不同）；只有一个案例报告这个指标时为空。"),
        derived("comparability", "可比性说明", "文字",
                "可参照或不可比较时，与哪个案例的哪个数值相比、有哪些不同（范围、年份、时间依据等）；可直接比较的为空。"),
    ]

@cache
def practice_columns() -> list[Column]:
    """Columns of practices.csv (sheet 做法)."""
    return [
        schema_column("case_id", ("id",), description="采用这项做法的案例的编号，对应案例表的“案例编号”。"),
        derived("region", "地区", "文字", "案例所在地区的名称，取自地区词表。"),
        schema_column("practice_id", ("practices", 0, "practice"), "做法编号"),
        derived("practice_name", "做法名称", "文字", "做法词表中这项共享做法的名称。"),
        derived("practice_category", "做法类别", "文字", "做法词表中这项做法所属的类别（主题名称）。"),
        schema_column("local_name", ("practices", 0, "local_name")),
        schema_column("description", ("practices", 0, "description")),
        schema_column("source", ("practices", 0, "source"), "来源编号", "本记录内 sources 中某一条的编号。"),
    ]


def _label(column: Column, code: str | None) -> str | None:
    return None if code is None else dict(column.choices)[code]


def _citation(source: dict[str, Any]) -> str:
    parts = [source["publisher"], f"《{source['title']}》", source.get("outlet"),
             source.get("collection"), source["date"]]
    return "，".join(p for p in parts if p)


def _names(library: Library, kind: str, ids: list[str]) -> str:
    return "、".join(library.of(kind).get(i, {}).get("name", i) for i in ids)


def case_table(library: Library) -> Table:
    """One row per case."""
    column = {c.key: c for c in case_columns()}
    table = Table("cases", "案例", "一个案例一行", case_columns())
    for case in library.sorted_cases():
        chain = library.region_chain(case["place"]["region"])
        table.add({
            "case_id": case["id"], "title": case["title"], "summary": case["summary"],
            "status": _label(column["status"], case["status"]),
            "reviewed_by": case.get("review", {}).get("by"),
            "reviewed_on": case.get("review", {}).get("date"), "checked": case["checked"],
            "province": chain[0]["name"] if chain else None, "region_id": case["place"]["region"],
            "region": who(library, case), "region_code": chain[-1]["code"] if chain else None,
            "level": _label(column["level"], case["place"]["level"]), "body": case["place"]["body"],
            "start": case["time"]["start"], "end": case["time"]["end"],
            "periods": _names(library, "periods", case["time"]["periods"]),
            "themes": _names(library, "themes", case["themes"]),
            "practice_count": len(case["practices"]), "figure_count": len(case["indicators"]),
            "sources": "；".join(f"{s['id']}：{_citation(s)}" for s in case["sources"]),
        })
    return table


def value_table(library: Library) -> Table:
    """One row per reported value (long format), in case order then record order."""
    column = {c.key: c for c in value_columns()}
    comparisons = {iid: indicator_comparison(library, iid) for iid in library.indicators}
    table = Table("indicators", "指标数据", "一个案例报告的一个数值一行", value_columns())
    for case in library.sorted_cases():
        citations = {s["id"]: _citation(s) for s in case["sources"]}  # one string per source
        region = who(library, case)
        for value in case["indicators"]:
            indicator = library.indicators.get(value["indicator"], {})
            comparison = comparisons.get(value["indicator"])
            key = (case["id"], value["id"])
            table.add({
                "case_id": case["id"], "region": region, "value_id": value["id"],
                "indicator_id": value["indicator"], "indicator_name": indicator.get("name"),
                "indicator_category": library.themes.get(indicator.get("category"), {}).get("name"),
                "value": value["value"], "value_max": value.get("value_max"), "unit": value["unit"],
                "qualifier": _label(column["qualifier"], value.get("qualifier")),
                "original": value["original"], "date": value["date"],
                "year": int(str(value["date"])[:4]), "since": value.get("since"),
                "date_basis": _label(column["date_basis"], value["date_basis"]),
                "scope": value["scope"], "evidence": _label(column["evidence"], value["evidence"]),
                "source": value["source"],
                "source_citation": citations.get(value["source"]),
                # A spreadsheet shows `[[value:x]]` as the figure's name, as a handout does.
                "note": names_only(library, value["note"], case) if "note" in value else None,
                "comparable_set": comparison.set_label.get(key) if comparison else None,
                "comparability_grade": graded.grade if (graded := comparison.grades.get(key) if comparison else None) else None,
                "comparability": comparison.notes.get(key) if comparison else None,
            })
    return table


def practice_table(library: Library) -> Table:
    """One row per case × practice entry, with the local variant."""
    table = Table("practices", "做法", "一个案例采用的一项做法一行（含本地名称和本地做法）",
                  practice_columns())
    for case in library.sorted_cases():
        for entry in case["practices"]:
            practice = library.practices.get(entry["practice"], {})
            table.add({
                "case_id": case["id"], "region": who(library, case), "practice_id": entry["practice"],
                "practice_name": practice.get("name"),
                "practice_category": library.themes.get(practice.get("category"), {}).get("name"),
                "local_name": entry["local_name"], "description": entry["description"],
                "source": entry["source"],
            })
    return table


def all_tables(library: Library) -> list[Table]:
    return [case_table(library), value_table(library), practice_table(library)]

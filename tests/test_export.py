"""The downloads read back as a trainer's tools read them: pandas, openpyxl, and the JSON parser."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import ROOT, run_cli
from sitebuild import content, page

CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
BOM = b"\xef\xbb\xbf"
SHEETS = {"cases.csv": "案例", "indicators.csv": "指标数据", "practices.csv": "做法"}


def _vocabulary(kind: str) -> dict[str, dict]:
    entries = {}
    for path in sorted((ROOT / "cases" / "vocab" / kind).glob("*.yaml")):
        entries.update({e["id"]: e for e in yaml.safe_load(path.read_text(encoding="utf-8"))})
    return entries


def csv_files() -> list[str]:
    """The CSV downloads the records call for: three tables, one slice per case and per indicator."""
    return [*SHEETS, *(f"cases/{cid}.csv" for cid in CASES),
            *(f"indicators/{iid}.csv" for iid in _vocabulary("indicators"))]


def read(path: Path) -> pd.DataFrame:
    """A download as pandas reads it; the time column is text, as written."""
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"所指时间": str, "数据编号": str})


@pytest.fixture(scope="module")
def downloads(built_site: Path) -> Path:
    return built_site / "downloads"


def test_every_indicator_value_of_every_case_is_a_row_with_its_number_and_unit(downloads: Path) -> None:
    table = read(downloads / "indicators.csv")
    assert len(table) == sum(len(case["indicators"]) for case in CASES.values())
    rows = table.set_index(["案例编号", "数据编号"])
    assert rows.index.is_unique
    names = {k: v["name"] for k, v in _vocabulary("indicators").items()}
    for cid, case in CASES.items():
        for value in case["indicators"]:
            row = rows.loc[(cid, value["id"])]
            assert row["数值"] == value["value"], (cid, value["id"])
            assert row["单位"] == value["unit"]
            assert row["指标编号"] == value["indicator"] and row["指标名称"] == names[value["indicator"]]
            assert row["原文写法"] == value["original"]
            assert row["所指时间"] == value["date"] and row["统计范围"] == value["scope"]
            assert row["来源编号"] == value["source"]
            assert pd.isna(row["区间上限"]) if "value_max" not in value else row["区间上限"] == value["value_max"]


def test_values_keep_their_written_precision(downloads: Path) -> None:
    text = (downloads / "indicators.csv").read_text(encoding="utf-8-sig")
    assert ",98.73,," in text and ",16800,," in text  # no 16800.0, no rounding


def test_comparable_sets_travel_with_the_values(downloads: Path) -> None:
    rate = read(downloads / "indicators.csv").query("指标编号 == 'yijiantiao-rate'").set_index("案例编号")
    assert rate.loc["zunyi-wuqiang-zuzhi", "可比组"] == rate.loc["bijie-sige-liuxia", "可比组"] == "A"
    assert set(rate["可比程度"]) == {"可参照"}
    assert "范围不同" in rate.loc["zunyi-wuqiang-zuzhi", "可比性说明"]
    first = read(downloads / "indicators.csv").query("指标编号 == 'first-secretaries-dispatched'")
    assert set(first["可比程度"]) == {"不可比较"} and first["可比性说明"].str.contains("范围层级不同").all()
    alone = read(downloads / "indicators.csv").query("指标编号 == 'village-cadre-avg-monthly-pay'")
    assert alone["可比程度"].isna().all()


def test_cases_table_has_one_row_per_case(downloads: Path) -> None:
    table = read(downloads / "cases.csv").set_index("案例编号")
    assert sorted(table.index) == sorted(CASES)
    for cid, case in CASES.items():
        assert table.loc[cid, "标题"] == case["title"]
        assert table.loc[cid, "数据条数"] == len(case["indicators"])
        assert table.loc[cid, "做法数"] == len(case["practices"])
    assert table.loc["zunyi-wuqiang-zuzhi", "地区名称"] == "遵义市"
    assert table.loc["zunyi-wuqiang-zuzhi", "审核状态"] in {"草稿", "已审核"}


def test_practices_table_has_one_row_per_case_and_practice_with_the_local_variant(downloads: Path) -> None:
    table = read(downloads / "practices.csv")
    found = Counter(zip(table["案例编号"], table["做法编号"], table["本地名称"], table["本地做法"], strict=True))
    wanted = Counter((cid, e["practice"], e["local_name"], e["description"])
                     for cid, case in CASES.items() for e in case["practices"])
    assert found == wanted
    names = {k: v["name"] for k, v in _vocabulary("practices").items()}
    assert all(names[pid] == name for pid, name in zip(table["做法编号"], table["做法名称"], strict=True))


def test_csv_files_are_utf8_with_bom_for_excel_and_wps(downloads: Path) -> None:
    for path in (downloads / name for name in csv_files()):
        data = path.read_bytes()
        assert data.startswith(BOM), path
        header = data[len(BOM):].split(b"\r\n", 1)[0].decode("utf-8")
        assert header.startswith("案例编号,"), path


def test_workbook_has_one_sheet_per_table_with_typed_cells(downloads: Path) -> None:
    book = openpyxl.load_workbook(downloads / "casebook.xlsx")
    assert book.sheetnames == [*SHEETS.values(), "说明"]  # the notes last: scripts read sheet 0
    for name, title in SHEETS.items():
        sheet = book[title]
        table = read(downloads / name)
        assert [c.value for c in sheet[1]] == list(table.columns)
        assert sheet.max_row == len(table) + 1
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
        assert all(c.font.bold for c in sheet[1])
    values = book["指标数据"]
    header = [c.value for c in values[1]]
    number, unit, when = header.index("数值") + 1, header.index("单位") + 1, header.index("所指时间") + 1
    row = next(r for r in values.iter_rows(min_row=2) if r[header.index("数据编号")].value == "yijiantiao-rate"
               and r[0].value == "zunyi-wuqiang-zuzhi")
    assert row[number - 1].value == 98.73 and row[number - 1].data_type == "n"
    assert row[unit - 1].value == "%" and row[when - 1].data_type == "s"
    assert values.column_dimensions["E"].width > 10  # 指标名称 is fitted, not Excel's default
    latest = max(case["checked"] for case in CASES.values())
    assert book.properties.modified.date().isoformat() == latest  # pinned, not the build time
    assert book.properties.created == book.properties.modified
    stamps = {info.date_time for info in zipfile.ZipFile(downloads / "casebook.xlsx").infolist()}
    assert stamps == {(*map(int, latest.split("-")), 0, 0, 0)}


def test_json_holds_every_record_in_schema_order(downloads: Path) -> None:
    raw = (downloads / "casebook.json").read_bytes()
    assert "遵义市".encode() in raw  # Chinese as it is, not \\u escapes
    document = json.loads(raw)
    assert [c["id"] for c in document["cases"]] == sorted(CASES)
    for case in document["cases"]:
        assert list(case)[:3] == ["id", "title", "summary"]
        assert case == CASES[case["id"]]  # every field and value, whatever the key order
        assert list(case["indicators"][0])[:3] == ["id", "indicator", "value"]
    assert {i["id"] for i in document["indicators"]} == set(_vocabulary("indicators"))
    assert {"practices", "themes", "regions", "glossary", "periods"} <= set(document)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_case_page_links_its_own_slice_of_the_figures(built_site: Path, case_id: str) -> None:
    link = content(page(built_site, f"cases/{case_id}/")).select_one(f'a[href$="downloads/cases/{case_id}.csv"]')
    assert link is not None and link.has_attr("download")
    table = read((built_site / "cases" / case_id / link["href"]).resolve())
    assert list(table["数据编号"]) == [v["id"] for v in CASES[case_id]["indicators"]]
    assert set(table["案例编号"]) <= {case_id}


def test_indicator_page_links_its_own_slice_of_the_figures(built_site: Path) -> None:
    here = built_site / "indicators" / "yijiantiao-rate"
    link = content(page(built_site, "indicators/yijiantiao-rate/")).select_one('a[href$=".csv"]')
    table = read((here / link["href"]).resolve())
    assert sorted(zip(table["案例编号"], table["数值"], strict=True)) == [
        ("bijie-sige-liuxia", 41.73), ("zunyi-wuqiang-zuzhi", 98.73)]


def test_data_dictionary_documents_every_column_of_every_download(built_site: Path, downloads: Path) -> None:
    body = content(page(built_site, "downloads/"))
    documented = {}
    for table in body.select("table[data-file]"):
        rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
        assert all(row[1] and row[-2] for row in rows), "every column needs a key and a description"
        documented[table["data-file"]] = {row[0] for row in rows}
    for path in (downloads / name for name in csv_files()):
        name = path.name if path.parent == downloads else "indicators.csv"  # slices share its columns
        undocumented = set(read(path).columns) - documented[name]
        assert not undocumented, f"{path.relative_to(downloads)}: {undocumented}"
    book = openpyxl.load_workbook(downloads / "casebook.xlsx", read_only=True)
    for name, title in SHEETS.items():
        headers = {c.value for c in next(book[title].iter_rows(max_row=1))}
        assert headers <= documented[name]
    keys = set(json.loads((downloads / "casebook.json").read_bytes()))
    assert keys <= documented["casebook.json"]


def test_export_command_writes_the_same_files_as_the_build_every_time(downloads: Path, tmp_path: Path) -> None:
    for folder in ("first", "second"):
        done = run_cli("export", "--out", tmp_path / folder)
        assert done.code == 0, done.output
    first = {p.relative_to(tmp_path / "first"): p.read_bytes() for p in (tmp_path / "first").rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "second"): p.read_bytes() for p in (tmp_path / "second").rglob("*") if p.is_file()}
    assert first == second, [str(p) for p in first if first[p] != second.get(p)]
    assert {Path(name) for name in csv_files()} <= first.keys()
    assert [str(p) for p in first if (downloads / p).read_bytes() != first[p]] == []


def test_text_that_looks_like_a_formula_stays_text(sandbox: Path) -> None:
    path = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    payload = '=HYPERLINK("https://example.com","点这里")'
    case["indicators"][0]["scope"] = payload
    case["practices"][0]["local_name"] = "@SUM(1+1)"
    path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = run_cli("export", "--root", sandbox, "--out", sandbox / "out")
    assert done.code == 0, done.output
    values = read(sandbox / "out" / "indicators.csv")
    assert values.loc[values["统计范围"].str.contains("HYPERLINK"), "统计范围"].tolist() == ["'" + payload]
    assert "'@SUM(1+1)" in read(sandbox / "out" / "practices.csv")["本地名称"].tolist()
    sheet = openpyxl.load_workbook(sandbox / "out" / "casebook.xlsx")["指标数据"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == payload]
    assert len(cells) == 1 and cells[0].data_type == "s"

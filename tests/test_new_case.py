"""`casebook new-case`: the scaffold a contributor starts from, through the real CLI.

The scaffold must explain every field of the schema, must not pass validation until its
placeholders are filled (and must then say exactly what is missing), and once a person replaces
each placeholder with a real value it must validate. Filling is done on the text, one
placeholder after another, as a person would, so the comments and layout are kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from casebook.records.fields import case_fields
from casebook.records.placeholders import PLACEHOLDER
from conftest import ROOT, CliResult, run_cli

SEED = yaml.safe_load((ROOT / "cases" / "zunyi-wuqiang-zuzhi.yaml").read_text(encoding="utf-8"))
TITLE = "贵州遵义市：推行“村社合一”壮大集体经济"


def cli(*args: str | Path, cwd: Path) -> CliResult:
    result = run_cli(*args, cwd=cwd)
    assert "Traceback" not in result.output, result.output
    return result


def scaffold(sandbox: Path, *extra: str) -> tuple[CliResult, Path]:
    result = cli("new-case", "--root", sandbox, "--region", "zunyi", "--title", TITLE, *extra,
                 cwd=sandbox)
    return result, sandbox / "cases" / "zunyi-test-case.yaml"


def placeholders(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of the placeholders, in the order they stand in the file."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in placeholders(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in placeholders(item, (*path, i))]
    return [path] if value == PLACEHOLDER else []


def at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def filled(text: str) -> str:
    """The scaffold with each placeholder replaced by the seed case's value at the same place."""
    values = iter([at(SEED, path) for path in placeholders(yaml.safe_load(text))])
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if PLACEHOLDER in line and not line.lstrip().startswith("#"):
            lines[number] = line.replace(PLACEHOLDER, json.dumps(next(values), ensure_ascii=False))
    assert next(values, None) is None, "every placeholder stands on its own line"
    return "".join(lines)


def test_scaffold_has_every_field_explained(sandbox: Path) -> None:
    result, path = scaffold(sandbox, "--id", "zunyi-test-case")
    assert result.code == 0, result.output
    assert "cases/zunyi-test-case.yaml" in result.stdout and "make validate" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../src/casebook/schemas/case.schema.json"
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for field in case_fields():
        assert field.title in comments, f"{field.path} ({field.title}) is not explained"
        if field.examples and not field.is_container:
            assert "例：" in comments
    data = yaml.safe_load(text)
    assert data["id"] == "zunyi-test-case" and data["title"] == TITLE
    assert data["place"] == {"region": "zunyi", "level": "prefecture", "body": PLACEHOLDER}
    assert data["status"] == "draft"
    assert "# related_cases:" in text, "optional fields are shown, commented out"


def test_unfilled_scaffold_fails_saying_what_to_fill_in(sandbox: Path) -> None:
    _, path = scaffold(sandbox, "--id", "zunyi-test-case")
    expected = placeholders(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert len(expected) > 20
    result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    assert result.code == 1
    problems = [p for p in result.json()["problems"] if p["file"] == "cases/zunyi-test-case.yaml"]
    # One problem per placeholder and nothing else: a placeholder is not also "not a number".
    assert {p["code"] for p in problems} == {"placeholder"}
    assert len(problems) == len(expected)
    by_field = {p["field"]: p for p in problems}
    value = by_field["indicators[0].value"]
    assert value["message"] == f"indicators[0].value（数值）：还没有填写（模板里的“{PLACEHOLDER}”还在）"
    assert "1.68万人写 16800" in value["hint"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[value["line"] - 1].strip() == f"value: {PLACEHOLDER}"
    assert "可选值：stated（原文写明）" in by_field["indicators[0].date_basis"]["hint"]
    assert "zuzhi-zhenxing" in by_field["themes[0]"]["hint"]


def test_filled_scaffold_validates(sandbox: Path) -> None:
    _, path = scaffold(sandbox, "--id", "zunyi-test-case")
    text = filled(path.read_text(encoding="utf-8"))
    assert PLACEHOLDER not in "".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    path.write_text(text, encoding="utf-8")
    result = cli("validate", "--root", sandbox, cwd=sandbox)
    assert result.code == 0, result.output
    assert "全部通过" in result.stdout


def test_an_existing_id_is_refused(sandbox: Path) -> None:
    seed = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    before = seed.read_bytes()
    result = cli("new-case", "--root", sandbox, "--region", "zunyi", "--title", TITLE,
                 "--id", "zunyi-wuqiang-zuzhi", cwd=sandbox)
    assert result.code == 2
    assert "案例编号 zunyi-wuqiang-zuzhi 已经存在" in result.stderr
    assert seed.read_bytes() == before


def test_options_are_checked_before_anything_is_written(sandbox: Path) -> None:
    before = sorted((sandbox / "cases").iterdir())
    missing = cli("new-case", "--root", sandbox, "--region", "zunyi", cwd=sandbox)
    assert missing.code == 2 and "缺少 --title" in missing.stderr
    unknown = cli("new-case", "--root", sandbox, "--region", "遵义县", "--title", TITLE, cwd=sandbox)
    assert unknown.code == 2 and "不在地区词表里" in unknown.stderr and "zunyi" in unknown.stderr
    bad_id = cli("new-case", "--root", sandbox, "--region", "zunyi", "--title", TITLE,
                 "--id", "遵义案例", cwd=sandbox)
    assert bad_id.code == 2 and "只能用小写英文字母" in bad_id.stderr
    assert sorted((sandbox / "cases").iterdir()) == before


def test_the_id_is_suggested_from_region_and_title_in_pinyin(sandbox: Path) -> None:
    result = cli("new-case", "--root", sandbox, "--region", "遵义", "--title", TITLE, cwd=sandbox)
    assert result.code == 0, result.output
    assert (sandbox / "cases" / "zunyi-cunshe-heyi.yaml").is_file()
    again = cli("new-case", "--root", sandbox, "--region", "zunyi", "--title", TITLE, cwd=sandbox)
    assert again.code == 0 and (sandbox / "cases" / "zunyi-cunshe-heyi-2.yaml").is_file()


def test_at_a_terminal_it_asks_in_chinese(sandbox: Path) -> None:
    """With stdin a terminal and no options, the command asks; Enter takes the suggestion."""
    master, slave = os.openpty()
    try:
        # Typed ahead: the terminal keeps the lines until each prompt reads one.
        os.write(master, f"遵义\n{TITLE}\n\n\n".encode())
        done = subprocess.run(
            [sys.executable, "-m", "casebook.cli", "new-case", "--root", str(sandbox)],
            stdin=slave, capture_output=True, text=True, timeout=120, cwd=sandbox)
    finally:
        os.close(master)
        os.close(slave)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "地区" in done.stdout and "案例标题" in done.stdout and "直接回车用 zunyi-cunshe-heyi" in done.stdout
    data = yaml.safe_load((sandbox / "cases" / "zunyi-cunshe-heyi.yaml").read_text(encoding="utf-8"))
    assert data["title"] == TITLE and data["place"]["level"] == "prefecture"


# --- a place the library does not know yet (GB/T 2260) ------------------------------------------


def test_a_new_county_is_added_from_the_national_list_with_its_parents(sandbox: Path) -> None:
    vocabulary = sandbox / "cases" / "vocab" / "regions" / "regions.yaml"
    before = vocabulary.read_text("utf-8")
    refused = cli("new-case", "--root", sandbox, "--region", "安吉县", "--title", TITLE, cwd=sandbox)
    assert refused.code == 2 and "浙江省 › 湖州市 › 安吉县（330523）" in refused.stderr
    assert "--add-region" in refused.stderr and vocabulary.read_text("utf-8") == before

    result = cli("new-case", "--root", sandbox, "--region", "安吉县", "--title", TITLE, "--add-region",
                 cwd=sandbox)
    assert result.code == 0, result.output
    added = yaml.safe_load(vocabulary.read_text("utf-8"))[len(yaml.safe_load(before)):]
    assert [(r["id"], r["name"], r["code"], r["level"], r.get("parent")) for r in added] == [
        ("zhejiang", "浙江省", "330000", "province", None),
        ("huzhou", "湖州市", "330500", "prefecture", "zhejiang"),
        ("anji", "安吉县", "330523", "county", "huzhou")]
    [case_file] = [p for p in (sandbox / "cases").glob("anji-*.yaml")]
    assert yaml.safe_load(case_file.read_text("utf-8"))["place"]["region"] == "anji"
    report = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox).json()
    assert not [p for p in report["problems"] if p["file"].endswith("regions.yaml")]


def test_an_ambiguous_name_asks_for_the_code_and_a_failed_option_writes_no_region(sandbox: Path) -> None:
    vocabulary = sandbox / "cases" / "vocab" / "regions" / "regions.yaml"
    before = vocabulary.read_text("utf-8")
    ambiguous = cli("new-case", "--root", sandbox, "--region", "西湖区", "--title", TITLE, "--add-region",
                    cwd=sandbox)
    assert ambiguous.code == 2
    assert "330106" in ambiguous.stderr and "360103" in ambiguous.stderr
    bad_id = cli("new-case", "--root", sandbox, "--region", "330106", "--title", TITLE, "--add-region",
                 "--id", "西湖", cwd=sandbox)
    assert bad_id.code == 2 and vocabulary.read_text("utf-8") == before
    by_code = cli("new-case", "--root", sandbox, "--region", "330106", "--title", TITLE, "--add-region",
                  cwd=sandbox)
    assert by_code.code == 0, by_code.output
    assert "杭州市（hangzhou，330100）" in by_code.stdout


def test_at_a_terminal_the_place_is_chosen_from_the_national_list(sandbox: Path) -> None:
    """With a terminal (a pseudo-terminal here), new-case lists what GB/T 2260 has and asks."""
    import pty
    import select

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen([sys.executable, "-m", "casebook.cli", "new-case", "--root", str(sandbox)],
                               stdin=terminal, stdout=terminal, stderr=terminal, cwd=sandbox, env=env)
    os.close(terminal)
    # Region, which of the two 西湖区, title, then the suggested level and id (Enter).
    os.write(controller, "西湖区\n2\n南昌西湖区推行“红色物业”\n\n\n".encode())
    shown = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the command has ended and closed its side
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=60) == 0, shown.decode(errors="replace")
    os.close(controller)
    text = shown.decode("utf-8", errors="replace")
    assert "1. 浙江省 › 杭州市 › 西湖区（330106）" in text and "2. 江西省 › 南昌市 › 西湖区（360103）" in text
    regions = yaml.safe_load((sandbox / "cases" / "vocab" / "regions" / "regions.yaml").read_text("utf-8"))
    assert [(r["name"], r["code"]) for r in regions[-3:]] == [("江西省", "360000"), ("南昌市", "360100"),
                                                               ("西湖区", "360103")]

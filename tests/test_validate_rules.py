"""The validator's rules, proved through the real `casebook validate` on a sandbox copy of the repo.

Semantic errors are made by mutating a copy of a real seed case (read as text, one line changed,
written back under a new file name and id so no other record depends on it). Expected lines,
columns and list indices are computed from the mutated text, never hard-coded. Also: collecting
every problem in one run, output formats and exit codes, and errors inside the vocabularies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, CliResult, run_cli

SEED = ROOT / "cases" / "zunyi-wuqiang-zuzhi.yaml"
SEED_ID = "zunyi-wuqiang-zuzhi"
MUTANT = "zunyi-mutant"
SEED_CASES = sorted((ROOT / "cases").glob("*.yaml"))
SEED_FILES = sorted((ROOT / "cases").rglob("*.yaml"))
PROBLEM_KEYS = {"file", "line", "column", "field", "message", "hint", "code", "severity", "value"}


def cli(*args: str | Path, cwd: Path = ROOT) -> CliResult:
    """The real CLI; whatever the input, no Python traceback may reach the contributor."""
    result = run_cli(*args, cwd=cwd)
    assert "Traceback" not in result.output, result.output
    return result


def validate_json(sandbox: Path) -> tuple[CliResult, dict[str, Any]]:
    result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    assert result.code in (0, 1), result.output
    return result, result.json()


# --- editing seed text and finding places in it ----------------------------------------------------


def replace_once(text: str, old: str, new: str, *, after: str = "") -> str:
    """Replace the first `old` that follows the (unique) `after` marker; `old` must exist there."""
    start = 0
    if after:
        assert text.count(after) == 1, f"marker {after!r} is not unique"
        start = text.index(after)
    else:
        assert text.count(old) == 1, f"{old!r} is not unique"
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old):]


def locate(text: str, line_text: str, token: str) -> tuple[int, int]:
    """(line, column), 1-based, of `token` on the only line that contains `line_text`.

    A `line_text` ending in a newline must match the end of the line.
    """
    hits = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line_text in line + "\n"]
    assert len(hits) == 1, f"{line_text!r} is on {len(hits)} lines"
    number, line = hits[0]
    return number, line.index(token) + 1


def list_index(text: str, section: str, line: int) -> int:
    """Index of the item of top-level list `section` that contains `line` (items start with "  - ")."""
    lines = text.splitlines()
    start = lines.index(f"{section}:")
    return sum(1 for item in lines[start + 1: line] if item.startswith("  - ")) - 1


def mutant_text(case_id: str = MUTANT) -> str:
    """The seed case as text, under another id so nothing else refers to it, and another title
    so it is not taken for a duplicate of the seed (which would add a warning)."""
    text = replace_once(SEED.read_text("utf-8"), f"\nid: {SEED_ID}\n", f"\nid: {case_id}\n")
    return replace_once(text, "\ntitle: 贵州遵义市：创建“五强组织”助推乡村振兴\n", "\ntitle: 校验规则测试用的变体记录\n")


def write_case(sandbox: Path, name: str, text: str) -> str:
    (sandbox / "cases" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return f"cases/{name}.yaml"


# --- semantic errors in one case -----------------------------------------------------------------


@dataclass
class Mutation:
    """One change to the seed, and the problem it must cause."""

    name: str
    edits: list[tuple[str, str, str]]  # (after-marker or "", old, new)
    line_text: str  # the line the problem points at (unique in the mutated text) ...
    token: str  # ... and the text at the problem's column
    code: str
    field: str  # may use {i}: the index of the item of `section` holding the line
    message: str
    hint: str = ""
    section: str = ""
    codes: set[str] = field(default_factory=set)  # every code the mutation causes, if more than one


MUTATIONS = [
    Mutation(
        "unknown-practice-near-miss",
        # The outcome that cites the practice is changed too, so the record is consistent in itself
        # and the typo can only be caught against the practice vocabulary.
        [("", "  - practice: yijiantiao\n", "  - practice: yijiantao\n"),
         ("", "practices: [yijiantiao, ", "practices: [yijiantao, ")],
        "  - practice: yijiantao", "yijiantao", "reference", "practices[{i}].practice",
        "做法 yijiantao 不存在", "您是否想写 yijiantiao", section="practices"),
    Mutation(
        "unknown-indicator",
        [("  - id: villages\n", "    indicator: village-count\n", "    indicator: village-cnt\n")],
        "indicator: village-cnt", "village-cnt", "reference", "indicators[{i}].indicator",
        "指标 village-cnt 不存在", "您是否想写 village-count", section="indicators"),
    Mutation(
        "unit-not-the-indicators",
        [("  - id: operating-income-2021\n", "    unit: 元\n", "    unit: 万元\n")],
        "unit: 万元", "万元", "unit", "indicators[{i}].unit",
        "单位 万元 与指标 collective-operating-income", "请换算成指标的单位", section="indicators"),
    Mutation(
        "percentage-out-of-range",
        [("  - id: yijiantiao-rate\n", "    value: 98.73\n", "    value: 4173\n")],
        "value: 4173", "4173", "range", "indicators[{i}].value",
        "4173% 超出指标 yijiantiao-rate 的取值范围（0 到 100）", "百分比写成 41.73", section="indicators"),
    Mutation(
        # Unquoted on purpose: the loader has no implicit dates, so this stays text (PyYAML's own
        # SafeLoader would crash constructing 30 February) and the date check catches it.
        "date-that-does-not-exist",
        [("", 'checked: "2026-11-21"\n', "checked: 2021-02-30\n")],
        "checked: 2021-02-30", "2021-02-30", "date", "checked",
        "日期 2021-02-30 不存在", "这个月的天数"),
    Mutation(
        "unknown-field-typo",
        [("", "\nsummary: ", "\nsumary: ")],
        "sumary: ", "sumary", "unknown-field", "sumary",
        "不认识的字段 sumary", "您是否想写 summary？", codes={"unknown-field", "required"}),
    Mutation(
        # A missing field has no line of its own: the problem points at the start of the record.
        "missing-required-field",
        [("", "\nstatus: draft\n", "\n")],
        f"id: {MUTANT}", "id", "required", "status",
        "缺少必填字段 status（审核状态）", "draft 表示草稿"),
    Mutation(
        "wrong-type",
        [("  - id: townships\n", "    value: 200\n", "    value: 很多\n")],
        "value: 很多", "很多", "schema-type", "indicators[{i}].value",
        "应为数字，实际为 '很多'", section="indicators"),
    Mutation(
        "wrong-enum",
        [("  - id: townships\n", "    evidence: self-reported\n", "    evidence: self-report\n")],
        "evidence: self-report\n", "self-report", "choice", "indicators[{i}].evidence",
        "应为以下之一：self-reported（实践单位自报）", "您是否想写 self-reported？", section="indicators"),
    Mutation(
        "unknown-source",
        [("  - id: townships\n", "    source: s1\n", "    source: s9\n")],
        "source: s9", "s9", "source-ref", "indicators[{i}].source",
        "来源 s9 不在本记录的 sources 里", "您是否想写 s1？", section="indicators"),
    Mutation(
        "unknown-indicator-entry",
        [("", "indicators: [yijiantiao-rate, ", "indicators: [yijiantiao-rat, ")],
        "indicators: [yijiantiao-rat, ", "yijiantiao-rat", "entry-ref", "outcomes[{i}].indicators[0]",
        "数据编号 yijiantiao-rat 不在本记录的 indicators 里", "您是否想写 yijiantiao-rate？",
        section="outcomes"),
]


def test_unmutated_copy_is_valid(sandbox: Path) -> None:
    """The control for every mutation: the copy itself passes, so a problem is the mutation's."""
    write_case(sandbox, MUTANT, mutant_text())
    result, report = validate_json(sandbox)
    assert result.code == 0, report["problems"]
    assert report["cases"] == len(SEED_CASES) + 1


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_is_reported(sandbox: Path, mutation: Mutation) -> None:
    text = mutant_text()
    for after, old, new in mutation.edits:
        text = replace_once(text, old, new, after=after)
    rel = write_case(sandbox, MUTANT, text)
    line, column = locate(text, mutation.line_text, mutation.token)
    index = list_index(text, mutation.section, line) if mutation.section else None
    expected_field = mutation.field.format(i=index)

    result, report = validate_json(sandbox)

    assert result.code == 1
    problems = report["problems"]
    # Only the mutated file has problems: the seeds (and the exit code) are not disturbed otherwise.
    assert {p["file"] for p in problems} == {rel}, problems
    assert {p["code"] for p in problems} == (mutation.codes or {mutation.code}), problems
    mine = [p for p in problems if p["code"] == mutation.code]
    assert len(mine) == 1, mine
    problem = mine[0]
    assert (problem["line"], problem["column"]) == (line, column), problem
    assert problem["field"] == expected_field, problem
    assert mutation.message in problem["message"], problem
    assert mutation.hint in problem["hint"], problem


def test_id_must_match_file_name(sandbox: Path) -> None:
    text = mutant_text("zunyi-other")
    rel = write_case(sandbox, MUTANT, text)
    result, report = validate_json(sandbox)
    assert result.code == 1
    assert [(p["file"], p["code"], p["field"]) for p in report["problems"]] == [(rel, "id-filename", "id")]
    problem = report["problems"][0]
    assert (problem["line"], problem["column"]) == locate(text, "id: zunyi-other", "zunyi-other")
    assert "文件名是 zunyi-mutant，id 是 zunyi-other" in problem["message"]
    assert "请把 id 改成文件名" in problem["hint"]


def test_two_case_files_with_the_same_id(sandbox: Path) -> None:
    # The copy's name sorts after the original's, so the original is indexed first and the copy is
    # the duplicate; the copy's id does not match its file name either.
    text = SEED.read_text("utf-8")
    rel = write_case(sandbox, "zunyi-x-copy", text)
    result, report = validate_json(sandbox)
    assert result.code == 1
    problems = report["problems"]
    assert {p["file"] for p in problems} == {rel}, problems
    assert sorted(p["code"] for p in problems) == ["duplicate-id", "id-filename"]
    duplicate = next(p for p in problems if p["code"] == "duplicate-id")
    assert (duplicate["line"], duplicate["column"]) == locate(text, f"id: {SEED_ID}", SEED_ID)
    assert duplicate["field"] == "id"
    assert f"编号 {SEED_ID} 重复：cases/{SEED_ID}.yaml 里已有同一编号" in duplicate["message"]


# --- references, unknown fields and hostile structure --------------------------------------------


def test_practice_written_as_its_chinese_alias_suggests_the_id(sandbox: Path) -> None:
    text = replace_once(mutant_text(), "  - practice: yijiantiao\n", "  - practice: 一肩挑\n")
    rel = write_case(sandbox, MUTANT, text)
    line, column = locate(text, "  - practice: 一肩挑", "一肩挑")
    result, report = validate_json(sandbox)
    assert result.code == 1
    at = [p for p in report["problems"] if p["file"] == rel and (p["line"], p["column"]) == (line, column)]
    assert len(at) == 1, report["problems"]
    assert at[0]["field"] == f"practices[{list_index(text, 'practices', line)}].practice"
    assert "您是否想写 yijiantiao" in at[0]["hint"], at[0]


def test_a_broken_case_does_not_cause_errors_in_the_cases_that_cite_it(sandbox: Path) -> None:
    """A date typo in zunyi-wuqiang-zuzhi.yaml is reported there, and only there: the cases that
    list it in related_cases (bijie-sige-liuxia, qinghai-jiceng-dangjian) get no false
    '案例 zunyi-wuqiang-zuzhi 不存在'."""
    text = replace_once(SEED.read_text("utf-8"), 'checked: "2026-11-21"\n', "checked: 2021-02-30\n")
    rel = write_case(sandbox, SEED_ID, text)
    result, report = validate_json(sandbox)
    assert result.code == 1
    assert any(p["code"] == "date" for p in report["problems"] if p["file"] == rel)
    assert {p["file"] for p in report["problems"]} == {rel}, report["problems"]


def test_typo_in_a_practice_is_reported_even_when_outcomes_cite_the_right_id(sandbox: Path) -> None:
    text = replace_once(mutant_text(), "  - practice: yijiantiao\n", "  - practice: yijiantao\n")
    rel = write_case(sandbox, MUTANT, text)
    result, report = validate_json(sandbox)
    assert result.code == 1
    codes = {p["code"]: p for p in report["problems"] if p["file"] == rel}
    assert "practice-ref" in codes
    assert "reference" in codes, report["problems"]
    assert "您是否想写 yijiantiao" in codes["reference"]["hint"]


def test_every_unknown_field_in_a_mapping_is_reported(sandbox: Path) -> None:
    text = replace_once(mutant_text(), "\nsummary: ", "\nsumary: ")
    text = replace_once(text, "\ntitle: ", "\ntitel: ")
    rel = write_case(sandbox, MUTANT, text)
    result, report = validate_json(sandbox)
    assert result.code == 1
    unknown = {p["field"] for p in report["problems"] if p["file"] == rel and p["code"] == "unknown-field"}
    assert unknown == {"sumary", "titel"}, report["problems"]


@pytest.mark.parametrize("depth", [
    pytest.param(1_000, id="depth-1000"),
    pytest.param(60_000, id="depth-60000"),
])
def test_deeply_nested_brackets_are_refused_like_any_other_bad_file(sandbox: Path, depth: int) -> None:
    rel = write_case(sandbox, "deep-nesting",
                     "id: deep-nesting\nsummary: " + "[" * depth + "]" * depth + "\n")
    result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    assert result.code == 1, (result.code, result.stderr[:300])
    report = result.json()
    assert [p["file"] for p in report["problems"]] == [rel]
    assert report["cases"] == len(SEED_CASES)


def test_a_number_with_thousands_of_digits_is_a_problem_not_a_crash(sandbox: Path) -> None:
    rel = write_case(sandbox, "huge-number", "id: huge-number\nvalue: 1" + "0" * 5000 + "\n")
    result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    assert result.code == 1, (result.code, result.stderr[:300])
    report = result.json()
    assert {p["file"] for p in report["problems"]} == {rel}
    assert report["cases"] == len(SEED_CASES)


# --- collecting everything in one run ------------------------------------------------------------


def test_three_broken_files_are_all_reported_and_the_seeds_still_count(sandbox: Path) -> None:
    cases = sandbox / "cases"
    (cases / "aa-duplicate-key.yaml").write_text("id: aa-duplicate-key\ntitle: 甲\ntitle: 乙\n", "utf-8")
    (cases / "mm-gbk.yaml").write_bytes("id: mm-gbk\ntitle: 贵州遵义市\n".encode("gbk"))
    wrong = replace_once(mutant_text("zz-wrong-type"), "    value: 200\n", "    value: 很多\n",
                         after="  - id: townships\n")
    write_case(sandbox, "zz-wrong-type", wrong)

    result, report = validate_json(sandbox)

    assert result.code == 1
    assert report["valid"] is False
    # All three problems in one run, one per file, sorted by file (load, load, schema stage).
    assert [(p["file"], p["code"]) for p in report["problems"]] == [
        ("cases/aa-duplicate-key.yaml", "duplicate-key"),
        ("cases/mm-gbk.yaml", "encoding"),
        ("cases/zz-wrong-type.yaml", "schema-type"),
    ]
    assert [(p["line"], p["column"]) for p in report["problems"]] == [
        (3, 1), (2, 8), locate(wrong, "value: 很多", "很多")]
    # Every file was read and every valid seed case made it through.
    assert report["files"] == len(SEED_FILES) + 3
    assert report["cases"] == len(SEED_CASES)
    assert report["errors"] == 3


# --- output formats and exit codes ---------------------------------------------------------------


def test_valid_library_text_report(sandbox: Path) -> None:
    result = cli("validate", "--root", sandbox)
    assert result.code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.rstrip().endswith(
        f"检查了 {len(SEED_FILES)} 个文件（{len(SEED_CASES)} 个案例）：全部通过。"), result.stdout


def test_valid_library_json_report(sandbox: Path) -> None:
    result, report = validate_json(sandbox)
    assert result.code == 0
    assert set(report) == {"valid", "files", "cases", "errors", "warnings", "problems"}
    assert report == {"valid": True, "files": len(SEED_FILES), "cases": len(SEED_CASES),
                      "errors": 0, "warnings": 0, "problems": []}


def test_json_problems_have_every_field(sandbox: Path) -> None:
    write_case(sandbox, "broken", "id: broken\ntitle: 甲\ntitle: 乙\n")
    write_case(sandbox, MUTANT, replace_once(mutant_text(), "\nsummary: ", "\nsumary: "))
    result, report = validate_json(sandbox)
    assert result.code == 1
    assert set(report) == {"valid", "files", "cases", "errors", "warnings", "problems"}
    assert report["valid"] is False
    assert report["errors"] == len(report["problems"]) == 3
    for problem in report["problems"]:
        assert set(problem) == PROBLEM_KEYS, problem
        assert isinstance(problem["line"], int) and problem["line"] >= 1
        assert isinstance(problem["column"], int) and problem["column"] >= 1
        assert all(isinstance(problem[k], str) for k in PROBLEM_KEYS - {"line", "column", "value"})
        assert problem["value"] is None or isinstance(problem["value"], str | int | float | bool)
        assert problem["severity"] == "error"
        assert re.search(r"[\u4e00-\u9fff]", problem["message"]), problem  # written in Chinese


@pytest.mark.parametrize(("args", "mentions"), [
    pytest.param(("validate", "--bogus"), "--bogus", id="unknown-option"),
    pytest.param(("frobnicate",), "frobnicate", id="unknown-subcommand"),
    pytest.param((), "", id="no-subcommand"),
    pytest.param(("validate", "--format", "xml"), "xml", id="unknown-format"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], mentions: str) -> None:
    result = cli(*args, cwd=ROOT)  # ROOT has cases/: the only thing wrong is the command line
    assert result.code == 2, result.output
    assert "用法错误" in result.stderr
    assert mentions in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_root_without_cases_folder_is_a_usage_error(tmp_path: Path, fmt: str) -> None:
    result = cli("validate", "--root", tmp_path, "--format", fmt, cwd=ROOT)
    assert result.code == 2, result.output
    assert "用法错误" in result.stderr
    assert "没有 cases/ 文件夹" in result.stderr
    assert result.stdout == ""


# --- errors inside the vocabularies --------------------------------------------------------------


def entry_index(text: str, line: int) -> int:
    """Index of the top-level list entry ("- id: …") that contains `line`."""
    return sum(1 for item in text.splitlines()[:line] if item.startswith("- ")) - 1


def edit_vocab(sandbox: Path, rel: str, old: str, new: str) -> str:
    path = sandbox / "cases" / rel
    text = replace_once(path.read_text("utf-8"), old, new)
    path.write_text(text, encoding="utf-8")
    return text


def only_problem(sandbox: Path, rel: str, line: int, column: int) -> dict:
    """The single problem the validator reports for the sandbox, asserted to be at rel:line:column."""
    result, report = validate_json(sandbox)
    assert result.code == 1
    assert len(report["problems"]) == 1, report["problems"]
    problem = report["problems"][0]
    assert (problem["file"], problem["line"], problem["column"]) == (rel, line, column)
    return problem


def test_practice_related_to_a_practice_that_does_not_exist(sandbox: Path) -> None:
    rel = "vocab/practices/practices.yaml"
    text = edit_vocab(sandbox, rel, "  related: [chanyelian-jian-dangzuzhi, wanggehua-lianhu]\n",
                      "  related: [chanyelian-jian-dangzuzhi, wanggehua-lianhuu]\n")
    line, column = locate(text, "wanggehua-lianhuu]", "wanggehua-lianhuu")
    problem = only_problem(sandbox, f"cases/{rel}", line, column)
    assert problem["code"] == "reference"
    assert problem["field"] == f"[{entry_index(text, line)}].related[1]"
    assert "做法 wanggehua-lianhuu 不存在" in problem["message"]
    assert "您是否想写 wanggehua-lianhu（" in problem["hint"]


def test_region_code_must_be_the_places_own(sandbox: Path) -> None:
    rel = "vocab/regions/regions.yaml"
    text = edit_vocab(sandbox, rel, 'code: "520300"', 'code: "530300"')  # 遵义市 under 贵州省 520000
    line, column = locate(text, 'code: "530300"', '"530300"')
    problem = only_problem(sandbox, f"cases/{rel}", line, column)
    assert problem["code"] == "region-code"
    assert problem["field"] == f"[{entry_index(text, line)}].code"
    # 530300 is another place in GB/T 2260 (see tests/test_region_codes.py); the hint gives 遵义市's.
    assert "行政区划代码 530300 在 GB/T 2260 中是曲靖市，不是遵义市" in problem["message"]
    assert "贵州省 › 遵义市（520300）" in problem["hint"]


def test_same_practice_id_in_two_vocabulary_files(sandbox: Path) -> None:
    rel = "cases/vocab/practices/zz-extra.yaml"  # sorts after practices.yaml, so it is the duplicate
    (sandbox / rel).write_text(
        "# 与 practices.yaml 中的 yijiantiao 重复。\n"
        "- id: yijiantiao\n"
        "  name: 书记主任一肩挑（重复）\n"
        "  category: ganbu-duiwu\n"
        "  definition: 与 practices.yaml 中已有的一项重复，用来测试重复编号。\n",
        encoding="utf-8")
    result, report = validate_json(sandbox)
    assert result.code == 1
    assert [(p["file"], p["line"], p["column"], p["code"], p["field"]) for p in report["problems"]] == [
        (rel, 2, 7, "duplicate-id", "[0].id")]
    assert "编号 yijiantiao 重复：cases/vocab/practices/practices.yaml 里已有同一编号" in (
        report["problems"][0]["message"])


def test_an_everyday_word_for_two_forms_is_reported_where_it_is_repeated(sandbox: Path) -> None:
    rel = "vocab/synonyms/synonyms.yaml"
    text = edit_vocab(sandbox, rel, "  words: [党员活动日, 固定党日]\n", "  words: [党员活动日, 工资]\n")
    line, column = locate(text, "  words: [党员活动日, 工资]", "工资")
    problem = only_problem(sandbox, f"cases/{rel}", line, column)
    assert problem["code"] == "synonym"
    assert problem["field"] == f"[{entry_index(text, line)}].words[1]"
    assert problem["message"] == "日常说法“工资”已在条目 gongzi 中对应到“报酬”"


def test_an_everyday_word_needs_a_form_to_stand_for(sandbox: Path) -> None:
    rel = "vocab/synonyms/synonyms.yaml"
    text = edit_vocab(sandbox, rel, "  means: 主题党日\n", "  mean: 主题党日\n")
    line, _ = locate(text, "- id: dangyuan-huodongri", "-")
    result, report = validate_json(sandbox)
    assert result.code == 1
    messages = [p["message"] for p in report["problems"]]
    assert "缺少必填字段 [6].means（规范说法）" in messages, messages
    assert all(p["file"] == f"cases/{rel}" for p in report["problems"])
    assert any(p["line"] == line for p in report["problems"]), report["problems"]

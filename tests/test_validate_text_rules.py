"""The text and number rules (records/characters.py, records/numbers.py) through the real CLI.

Each variant is the minimal valid case of tests/examples/valid/ with one change. The stored
invalid examples (tests/examples/invalid/) hold one error each; these are the variants that need
something a stored example cannot show: a warning that lets validation pass, a character typed
into the file rather than escaped, two cases at once.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from test_validate_cli import VALID, cli, make_sandbox

MINIMAL = (VALID / "zunyi-minimal-example.yaml").read_text("utf-8")


def variant(case_id: str, title: str, *changes: tuple[str, str]) -> str:
    """The minimal case as `case_id` with `title`, and each (old, new) text replaced once."""
    text = MINIMAL.replace("id: zunyi-minimal-example", f"id: {case_id}", 1)
    text = text.replace("title: 遵义市最小示例案例（测试用）", f"title: {title}", 1)
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def validate(tmp_path: Path, files: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    """Exit status, JSON report and text report of `casebook validate` over the seed library plus
    `files` (name → text) in cases/."""
    sandbox = make_sandbox(tmp_path / "repo")
    for name, text in files.items():
        (sandbox / "cases" / name).write_text(text, encoding="utf-8")
    as_json = cli("validate", "--root", sandbox, "--format", "json")
    as_text = cli("validate", "--root", sandbox)
    assert as_json.code == as_text.code
    return as_json.code, as_json.json(), as_text.stdout


def problems_of(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [p for p in report["problems"] if p["file"] == f"cases/{name}"]


def test_zero_width_space_in_prose_is_a_warning_and_validation_passes(tmp_path: Path) -> None:
    text = variant("prose-zero-width", "正文里夹着零宽空格",
                   ("background: 测试用背景：", 'background: "测试用背景\\u200B：'),
                   ("本段只为满足背景字段的要求。", '本段只为满足背景字段的要求。"'))
    code, report, stdout = validate(tmp_path, {"prose-zero-width.yaml": text})
    assert code == 0, stdout
    [problem] = problems_of(report, "prose-zero-width.yaml")
    assert problem["severity"] == "warning"
    assert problem["code"] == "character-invisible"
    assert (problem["field"], problem["line"], problem["column"]) == ("background", 24, 13)
    assert "U+200B 零宽空格" in problem["message"]
    assert "cases/prose-zero-width.yaml:24:13: 警告：background：含有看不见的字符 U+200B 零宽空格" in stdout
    assert "全部通过，1 个警告。" in stdout


def test_zero_width_space_in_a_title_is_an_error(tmp_path: Path) -> None:
    code, report, _ = validate(tmp_path, {"title-zero-width.yaml": variant(
        "title-zero-width", "标题里\u200b藏着零宽空格")})
    assert code == 1
    [problem] = problems_of(report, "title-zero-width.yaml")
    assert (problem["severity"], problem["field"], problem["line"], problem["column"]) == (
        "error", "title", 4, 11)  # typed into the file: at the character itself


def test_a_direction_override_typed_into_the_file_is_found_at_its_column(tmp_path: Path) -> None:
    code, report, stdout = validate(tmp_path, {"typed-override.yaml": variant(
        "typed-override", "遵义市\u202e织组强五")})
    assert code == 1
    [problem] = problems_of(report, "typed-override.yaml")
    assert (problem["code"], problem["line"], problem["column"]) == ("character-bidi", 4, 11)
    assert "cases/typed-override.yaml:4:11: title：含有改变文字方向的控制字符 U+202E 从右到左覆盖" in stdout


def test_private_use_characters_are_errors_in_names_and_warnings_in_prose(tmp_path: Path) -> None:
    text = variant("private-use", "标题里有私用区字\ue000符",
                   ("  - text: 村级组织带头人队伍需要加强。", "  - text: 村级组织带头人队伍需要加强\ue123。"))
    code, report, _ = validate(tmp_path, {"private-use.yaml": text})
    assert code == 1
    found = {(p["field"], p["severity"], p["code"]) for p in problems_of(report, "private-use.yaml")}
    assert found == {("title", "error", "character-private"),
                     ("problems[0].text", "warning", "character-private")}


def test_a_lone_carriage_return_is_refused_and_cr_lf_is_not(tmp_path: Path) -> None:
    text = variant("carriage-return", "回车符的写法",
                   ("    publisher: 测试单位", '    publisher: "测试\\r单位"'),
                   ("    rights: 测试数据，仅用于检查校验器", '    rights: "测试数据\\r\\n仅用于检查校验器"'))
    code, report, _ = validate(tmp_path, {"carriage-return.yaml": text})
    assert code == 1
    [problem] = problems_of(report, "carriage-return.yaml")
    assert problem["field"] == "sources[0].publisher"
    assert "U+000D 回车符（CR）" in problem["message"]


def test_a_lone_surrogate_escape_is_a_syntax_error_in_chinese(tmp_path: Path) -> None:
    code, report, _ = validate(tmp_path, {"surrogate.yaml": variant("surrogate", '"孤立的代理码位\\uD800"')})
    assert code == 1
    [problem] = problems_of(report, "surrogate.yaml")
    assert problem["code"] == "yaml-syntax" and problem["line"] == 4
    assert "双引号里的“\\u”转义不是有效的字符" in problem["message"]


def test_look_alike_titles_are_caught_by_the_duplicate_check(tmp_path: Path) -> None:
    """U+F90A is a CJK compatibility ideograph: it looks like 金 and is 金 in NFC form."""
    first = variant("jinse-zuzhi", "创建金色组织助推振兴", ("start: 2021", "start: 2021"))
    second = variant("jinse-zuzhi-copy", "创建\uf90a色组织助推振兴")
    assert unicodedata.normalize("NFC", "\uf90a") == "金"
    code, report, _ = validate(tmp_path, {"jinse-zuzhi.yaml": first, "jinse-zuzhi-copy.yaml": second})
    assert code == 1
    copy = {p["code"]: p for p in problems_of(report, "jinse-zuzhi-copy.yaml")}
    assert set(copy) == {"character-not-nfc", "possible-duplicate"}
    assert copy["character-not-nfc"]["severity"] == "error"
    assert copy["character-not-nfc"]["hint"].endswith("请改写为标准形式：创建金色组织助推振兴")
    [warning] = problems_of(report, "jinse-zuzhi.yaml")
    assert warning["code"] == "possible-duplicate" and "jinse-zuzhi-copy" in warning["message"]


@pytest.mark.parametrize(("value", "message"), [
    ("2.5", "单位是“人”的数是个数，应为整数，实际为 2.5"),
    ("-3", "单位是“人”的数是个数，不能是负数，实际为 -3"),
    ("16800.0", "单位是“人”的数是个数，应为整数，实际为 16800.0"),
])
def test_counts_are_whole_numbers(tmp_path: Path, value: str, message: str) -> None:
    text = variant("count-variant", "村干部人数的写法",
                   ("indicator: yijiantiao-rate", "indicator: village-cadres-total"),
                   ("value: 98.73", f"value: {value}"), ('unit: "%"', "unit: 人"))
    code, report, _ = validate(tmp_path, {"count-variant.yaml": text})
    assert code == 1
    [problem] = problems_of(report, "count-variant.yaml")
    assert (problem["code"], problem["field"], problem["line"], problem["column"]) == (
        "count", "indicators[0].value", 36, 12)
    assert message in problem["message"]


def test_dates_name_years_from_1949_to_2100(tmp_path: Path) -> None:
    text = variant("old-source", "来源日期过早的写法", ('date: "2022-07"', 'date: "1900-07"'))
    code, report, _ = validate(tmp_path, {"old-source.yaml": text})
    assert code == 1
    [problem] = problems_of(report, "old-source.yaml")
    assert (problem["field"], problem["code"]) == ("sources[0].date", "date")
    assert "年份 1900 不在 1949–2100 之间" in problem["message"]


def test_the_quick_look_never_misses_what_the_careful_one_refuses() -> None:
    """The joined-text pre-check lets a record through only if no value holds a refused character."""
    from casebook.records.characters import _FOUND, _SUSPECT

    missed = [hex(c) for c in range(0x110000) if _FOUND.match(chr(c)) and not _SUSPECT.match(chr(c))]
    assert missed == []


def test_vocabulary_names_and_aliases_follow_the_naming_rules(tmp_path: Path) -> None:
    sandbox = make_sandbox(tmp_path / "repo")
    vocab = sandbox / "cases" / "vocab" / "practices" / "practices.yaml"
    text = vocab.read_text("utf-8")
    text = text.replace("  name: 严密农村基层组织体系", '  name: "严密农村\\u200D基层组织体系"', 1)
    text = text.replace("[组织体系贯到底,", "[组织体系\ue000贯到底,", 1)
    vocab.write_text(text, encoding="utf-8")
    result = cli("validate", "--root", sandbox, "--format", "json")
    assert result.code == 1
    found = {(p["field"], p["line"], p["column"], p["code"], p["severity"])
             for p in result.json()["problems"]}
    assert found == {("[0].name", 7, 9, "character-invisible", "error"),
                     ("[0].aliases[0]", 8, 17, "character-private", "error")}


def test_a_field_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    """What the report prints never carries an escape sequence or a direction override to the terminal."""
    text = variant("odd-key", "字段名里有转义符", ("status: draft", 'status: draft\n"no\\e[31mte\\u202e": x'))
    code, report, stdout = validate(tmp_path, {"odd-key.yaml": text})
    assert code == 1
    [problem] = problems_of(report, "odd-key.yaml")
    assert problem["code"] == "unknown-field"
    assert problem["message"] == "不认识的字段 'no\\x1b[31mte\\u202e'"
    assert "\x1b" not in stdout and "\u202e" not in stdout


def test_a_number_too_long_for_python_is_refused_and_shown_cut_short(tmp_path: Path) -> None:
    """Python reads at most 4,300 digits as a number: the loader keeps the rest as text."""
    text = variant("long-number", "五千位数字的写法", ("value: 98.73", "value: " + "9" * 5000))
    code, report, _ = validate(tmp_path, {"long-number.yaml": text})
    assert code == 1
    [problem] = problems_of(report, "long-number.yaml")
    assert (problem["code"], problem["field"], problem["line"]) == ("schema-type", "indicators[0].value", 36)
    assert problem["message"].endswith("……（共 5000 个字符）")
    assert len(problem["message"]) < 120

"""Hostile and broken record files, run through the real `casebook validate` command line.

Every file in tests/examples/invalid/ (plus a few binary inputs generated below) is placed in one
sandbox copy of the repository as cases/<name>.yaml, next to the untouched seed cases. The CLI runs
once in text and once in JSON over that sandbox; each example must then get exactly one problem,
at the line and column that tests/examples/invalid/expected.yaml names, with its code and a
distinctive part of its Chinese message. The seed cases must come through unharmed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import COPIED, ROOT, CliResult, run_cli

EXAMPLES = Path(__file__).resolve().parent / "examples"
INVALID = EXAMPLES / "invalid"
VALID = EXAMPLES / "valid"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((INVALID / "expected.yaml").read_text("utf-8"))
SEED_CASES = sorted(p.name for p in (ROOT / "cases").glob("*.yaml"))
SEED_FILES = sorted((ROOT / "cases").rglob("*.yaml"))

# Inputs that are bytes rather than text, generated here instead of stored in the folder.
GENERATED: dict[str, tuple[bytes, dict[str, Any]]] = {
    # Chinese text saved as GBK, the default of Windows Notepad and WPS in mainland China.
    "gbk-encoded.yaml": (
        "id: gbk-encoded\ntitle: 贵州遵义市：创建五强组织\n".encode("gbk"),
        {"line": 2, "column": 8, "code": "encoding", "field": "",
         "message": "文件不是 UTF-8 编码：第 2 行有无法按 UTF-8 读取的字节。看起来是 GBK/GB18030 编码",
         "hint": "只接受 UTF-8 编码"},
    ),
    # UTF-16 with its byte order mark, as "Unicode" in Notepad's save dialog produces.
    "utf16-bom.yaml": (
        "id: utf16-bom\ntitle: 贵州遵义市：创建五强组织\n".encode("utf-16"),
        {"line": 1, "column": 1, "code": "encoding", "field": "",
         "message": "文件是 UTF-16 编码，本库只接受 UTF-8 编码"},
    ),
    # Well-formed YAML, but 300 KiB: over the 256 KiB limit, refused before it is parsed.
    "over-large.yaml": (
        ("id: over-large\nabstract: |\n" + "  遵义市创建五强组织。\n" * 10_000).encode("utf-8")[: 300 * 1024]
        .rsplit(b"\n", 1)[0] + b"\n",
        {"line": 1, "column": 1, "code": "too-large", "field": "",
         "message": "上限是 256 KB", "hint": "误粘贴了整篇原文"},
    ),
    # A BEL character pasted from a web page, in the middle of line 2 (column 10).
    "control-character.yaml": (
        "id: control-character\ntitle: 遵义\x07市的案例\n".encode(),
        {"line": 2, "column": 10, "code": "control-character", "field": "",
         "message": "文件里有不可见的控制字符"},
    ),
    # UTF-8 text with a GBK fragment pasted into it: the bad byte is the 11th character of line 2.
    "mixed-encoding.yaml": (
        "id: mixed-encoding\ntitle: 遵义市".encode() + "五强".encode("gbk") + b"\n",
        {"line": 2, "column": 11, "code": "encoding", "field": "", "message": "文件不是 UTF-8 编码"},
    ),
}

ALL_EXAMPLES: dict[str, dict[str, Any]] = {**EXPECTED, **{n: e for n, (_, e) in GENERATED.items()}}


def make_sandbox(dest: Path) -> Path:
    """The same copy of the repository as conftest's `sandbox` fixture, for a module-wide run."""
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.exists():
            shutil.copy2(source, dest / name)
    return dest


def cli(*args: str | Path, cwd: Path = ROOT) -> CliResult:
    """The real CLI; whatever the input, no Python traceback may reach the contributor."""
    result = run_cli(*args, cwd=cwd)
    assert "Traceback" not in result.output, result.output
    return result


@dataclass
class FolderRun:
    sandbox: Path
    text: CliResult
    json: CliResult
    report: dict[str, Any]


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory: pytest.TempPathFactory) -> FolderRun:
    """All invalid examples in one sandbox; the CLI is run in it (as cwd) once per format."""
    sandbox = make_sandbox(tmp_path_factory.mktemp("invalid-examples"))
    for name in EXPECTED:
        shutil.copyfile(INVALID / name, sandbox / "cases" / name)
    for name, (content, _) in GENERATED.items():
        (sandbox / "cases" / name).write_bytes(content)
    text = cli("validate", "--root", sandbox, cwd=sandbox)
    json_result = cli("validate", "--root", sandbox, "--format", "json", cwd=sandbox)
    return FolderRun(sandbox, text, json_result, json_result.json())


def _param(name: str) -> Any:
    reason = ALL_EXAMPLES[name].get("xfail")
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(name, id=name.removesuffix(".yaml"), marks=marks)


def test_every_example_file_has_an_expectation() -> None:
    stored = {p.name for p in INVALID.glob("*.yaml")} - {"expected.yaml"}
    assert stored == set(EXPECTED)
    assert not set(GENERATED) & stored
    for name, expectation in ALL_EXAMPLES.items():
        assert {"line", "column", "code", "field", "message"} <= set(expectation), name


@pytest.mark.parametrize("name", [_param(n) for n in ALL_EXAMPLES])
def test_example_is_reported_where_expected(folder_run: FolderRun, name: str) -> None:
    expected = ALL_EXAMPLES[name]
    rel = f"cases/{name}"

    # JSON: exactly one problem for this file, with the expected code, place, field and message.
    mine = [p for p in folder_run.report["problems"] if p["file"] == rel]
    assert len(mine) == 1, mine
    problem = mine[0]
    assert problem["code"] == expected["code"], problem
    assert (problem["line"], problem["column"]) == (expected["line"], expected["column"]), problem
    assert problem["field"] == expected["field"], problem
    assert expected["message"] in problem["message"], problem
    assert expected.get("hint", "") in problem["hint"], problem
    assert problem["severity"] == "error"

    # Text: one line for this file, starting with the exact location prefix, then its hint.
    lines = folder_run.text.stdout.splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith(f"{rel}:")]
    assert len(at) == 1, [lines[i] for i in at]
    line = lines[at[0]]
    prefix = f"{rel}:{expected['line']}:{expected['column']}: "
    assert line.startswith(prefix), line
    assert expected["message"] in line.removeprefix(prefix), line
    if "hint" in expected:
        assert lines[at[0] + 1].startswith("    提示："), lines[at[0] + 1]
        assert expected["hint"] in lines[at[0] + 1]


def test_unclosed_quote_is_refused_with_a_chinese_message(folder_run: FolderRun) -> None:
    """The part of the unclosed-quote expectation that holds today (its location is a known bug)."""
    mine = [p for p in folder_run.report["problems"] if p["file"] == "cases/unclosed-quote.yaml"]
    assert [p["code"] for p in mine] == ["yaml-syntax"]
    assert "引号或括号没有闭合" in mine[0]["message"]


def test_bad_files_never_stop_the_others(folder_run: FolderRun) -> None:
    report = folder_run.report
    assert folder_run.text.code == 1 and folder_run.json.code == 1
    assert report["valid"] is False
    # Every file was looked at, and every seed case still made it into the library.
    assert report["files"] == len(SEED_FILES) + len(ALL_EXAMPLES)
    assert report["cases"] == len(SEED_CASES) + sum(1 for e in ALL_EXAMPLES.values() if e.get("case"))
    # The problems all belong to the examples, one file each, sorted by file.
    files = [p["file"] for p in report["problems"]]
    assert files == sorted(f"cases/{n}" for n in ALL_EXAMPLES)
    assert report["errors"] == len(report["problems"])
    assert folder_run.text.stdout.rstrip().endswith(
        f"检查了 {report['files']} 个文件：发现 {report['errors']} 个错误，0 个警告。")


def test_tags_are_never_constructed(folder_run: FolderRun) -> None:
    """`!!python/object/apply:os.system` was refused as a tag, and the command never ran."""
    codes = {p["file"]: p["code"] for p in folder_run.report["problems"]}
    assert codes["cases/python-object.yaml"] == "tag"
    # The CLI ran with the sandbox as its working directory: that is where `echo > PWNED` would land.
    assert not list(folder_run.sandbox.rglob("PWNED"))
    assert not (ROOT / "PWNED").exists()


def test_valid_example_passes(sandbox: Path) -> None:
    valid = sorted(VALID.glob("*.yaml"))
    assert valid
    for path in valid:
        shutil.copyfile(path, sandbox / "cases" / path.name)
    result = cli("validate", "--root", sandbox)
    assert result.code == 0, result.output
    # Counted as a case, so it really was checked and linked, not skipped.
    cases = len(SEED_CASES) + len(valid)
    assert result.stdout.rstrip().endswith(f"（{cases} 个案例）：全部通过。"), result.stdout
    assert result.stderr == ""

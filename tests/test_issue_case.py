"""`casebook issue-case` on sample issue bodies, as GitHub writes them from the issue form.

Each body is made the way GitHub renders .github/ISSUE_TEMPLATE/new-case.yml (a `### 标签` section
per field, `render: yaml` fields in a code fence, "_No response_" for an empty one), then run
through the real CLI in a sandbox: a pasted case, a case from a new county with its regions, a
workbook attachment, and bodies that must be refused with the validator's own lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from casebook.contribute.issue import ATTACHMENT_LABEL, CASE_LABEL, REGIONS_LABEL
from conftest import ROOT, run_cli

SEED = (ROOT / "cases" / "zunyi-wuqiang-zuzhi.yaml").read_text("utf-8")
FORM = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "new-case.yml").read_text("utf-8"))
NEW_ID = "zunyi-wuqiang-zuzhi-xinban"


def body(case: str = "", regions: str = "", attachments: str = "") -> str:
    """An issue body as GitHub makes it from the form's answers."""
    def answer(text: str, fenced: bool) -> str:
        if not text.strip():
            return "_No response_"
        return f"```yaml\n{text.rstrip()}\n```" if fenced else text

    sections = [
        (CASE_LABEL, answer(case, True)), (REGIONS_LABEL, answer(regions, True)),
        (ATTACHMENT_LABEL, answer(attachments, False)), ("说明", "_No response_"),
        ("确认", "- [X] 材料是公开发布的，可以摘录使用（或已取得单位同意公开）\n"
                 "- [X] 填写的内容中没有群众的身份证号、手机号和脱贫户、困难家庭的姓名\n- [X] 每个数字都来自所填的来源"),
    ]
    return "\n\n".join(f"### {label}\n\n{text}" for label, text in sections) + "\n"


def new_case(**changes: str) -> str:
    text = SEED.replace("id: zunyi-wuqiang-zuzhi\n", f"id: {NEW_ID}\n", 1)
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def submit(sandbox: Path, text: str, *args: str | Path) -> tuple[int, str, str]:
    issue = sandbox / "issue.md"
    issue.write_text(text, encoding="utf-8")
    report = sandbox / "report.md"
    result = run_cli("issue-case", issue, "--root", sandbox, "--report", report, *args, cwd=sandbox)
    assert "Traceback" not in result.output
    return result.code, report.read_text("utf-8") if report.exists() else "", result.output


def test_the_issue_form_labels_are_those_the_command_reads() -> None:
    labels = {item["id"]: item["attributes"]["label"] for item in FORM["body"] if item.get("id")}
    assert labels["case-yaml"] == CASE_LABEL and labels["regions-yaml"] == REGIONS_LABEL
    assert labels["attachments"] == ATTACHMENT_LABEL
    rendered = {item["id"]: item["attributes"].get("render") for item in FORM["body"] if item.get("id")}
    assert rendered["case-yaml"] == rendered["regions-yaml"] == "yaml"


def test_a_pasted_case_becomes_its_file_and_passes(sandbox: Path) -> None:
    code, report, output = submit(sandbox, body(new_case()))
    assert code == 0, report + output
    written = sandbox / "cases" / f"{NEW_ID}.yaml"
    assert written.read_text("utf-8") == new_case()
    assert report.startswith("## 检查通过") and f"cases/{NEW_ID}.yaml" in report
    assert run_cli("validate", "--root", sandbox, cwd=sandbox).code == 0


def test_a_body_with_a_browser_s_line_ends_is_read_the_same(sandbox: Path) -> None:
    code, report, output = submit(sandbox, body(new_case()).replace("\n", "\r\n"))
    assert code == 0, report + output
    assert (sandbox / "cases" / f"{NEW_ID}.yaml").read_text("utf-8") == new_case()


def test_a_case_from_a_new_county_brings_its_regions(sandbox: Path) -> None:
    regions = ("- id: zhejiang\n  name: 浙江省\n  code: \"330000\"\n  level: province\n"
               "- id: huzhou\n  name: 湖州市\n  code: \"330500\"\n  level: prefecture\n  parent: zhejiang\n"
               "- id: anji\n  name: 安吉县\n  code: \"330523\"\n  level: county\n  parent: huzhou\n")
    case = new_case(**{"region: zunyi": "region: anji"})
    code, report, output = submit(sandbox, body(case, regions))
    assert code == 0, report + output
    vocabulary = yaml.safe_load((sandbox / "cases" / "vocab" / "regions" / "regions.yaml").read_text("utf-8"))
    assert [r["id"] for r in vocabulary[-3:]] == ["zhejiang", "huzhou", "anji"]
    assert "cases/vocab/regions/regions.yaml" in report


def test_a_wrong_division_code_is_refused_with_the_right_one_and_nothing_kept(sandbox: Path) -> None:
    vocabulary = sandbox / "cases" / "vocab" / "regions" / "regions.yaml"
    before = vocabulary.read_bytes()
    regions = "- id: anji\n  name: 安吉县\n  code: \"330599\"\n  level: county\n  parent: zunyi\n"
    code, report, _ = submit(sandbox, body(new_case(**{"region: zunyi": "region: anji"}), regions))
    assert code == 1
    assert "行政区划代码 330599 不在 GB/T 2260 代码表中" in report and "330523" in report
    assert vocabulary.read_bytes() == before
    assert not (sandbox / "cases" / f"{NEW_ID}.yaml").exists()


def test_an_invalid_case_gets_the_validators_lines_and_is_not_kept(sandbox: Path) -> None:
    case = new_case(**{"value: 98.73": "value: 很多"})
    code, report, _ = submit(sandbox, body(case))
    assert code == 1
    line = next(n for n, text in enumerate(case.splitlines(), start=1) if "value: 很多" in text)
    assert re.search(rf"^cases/{NEW_ID}\.yaml:{line}:\d+: indicators\[\d+\]\.value（数值）：应为数字，实际为 '很多'$",
                     report, re.MULTILINE), report
    assert report.startswith("## 检查未通过：1 个错误")
    assert not (sandbox / "cases" / f"{NEW_ID}.yaml").exists()


def test_broken_yaml_is_explained_at_its_line(sandbox: Path) -> None:
    code, report, _ = submit(sandbox, body("id: x\ntitle: \"没有闭合\n"))
    assert code == 1
    assert "提交的案例文件:2:8: YAML 语法错误" in report


def test_an_existing_id_is_refused(sandbox: Path) -> None:
    code, report, _ = submit(sandbox, body(SEED))
    assert code == 1 and "案例编号 zunyi-wuqiang-zuzhi 已经存在" in report


def test_a_body_without_a_case_is_a_usage_error(sandbox: Path) -> None:
    code, _, output = submit(sandbox, body())
    assert code == 2 and "问题正文里没有案例" in output


def test_an_attached_workbook_is_found_downloaded_by_the_workflow_and_converted(sandbox: Path) -> None:
    from test_excel_import import fill

    template = sandbox / "template.xlsx"
    assert run_cli("excel-template", "--root", sandbox, "--out", template, cwd=sandbox).code == 0
    workbook = load_workbook(template)
    case = yaml.safe_load(new_case())
    fill(workbook, case)
    attachment = sandbox / "downloaded" / "my-case.xlsx"
    attachment.parent.mkdir()
    workbook.save(attachment)
    url = "https://github.com/user-attachments/files/123456/my-case.xlsx"
    text = body(attachments=f"填好的表格：[my-case.xlsx]({url})")
    issue = sandbox / "issue.md"
    issue.write_text(text, encoding="utf-8")
    found = run_cli("issue-case", issue, "--root", sandbox, "--attachment-url", cwd=sandbox)
    assert found.code == 0 and found.stdout.strip() == url
    code, report, output = submit(sandbox, text, "--attachment", attachment)
    assert code == 0, report + output
    written = yaml.safe_load((sandbox / "cases" / f"{NEW_ID}.yaml").read_text("utf-8"))
    assert written["title"] == case["title"] and written["indicators"][0]["value"] == case["indicators"][0]["value"]


def test_an_attached_case_file_renamed_txt_is_read_as_yaml(sandbox: Path) -> None:
    url = "https://github.com/user-attachments/files/7/case.txt"
    text = body(attachments=f"[case.txt]({url})")
    issue = sandbox / "issue.md"
    issue.write_text(text, encoding="utf-8")
    assert run_cli("issue-case", issue, "--root", sandbox, "--attachment-url", cwd=sandbox).stdout.strip() == url
    attachment = sandbox / "case.txt"
    attachment.write_text(new_case(), encoding="utf-8")
    code, report, output = submit(sandbox, text, "--attachment", attachment)
    assert code == 0, report + output


def test_a_body_without_an_attachment_says_so(sandbox: Path) -> None:
    issue = sandbox / "issue.md"
    issue.write_text(body(new_case()), encoding="utf-8")
    found = run_cli("issue-case", issue, "--root", sandbox, "--attachment-url", cwd=sandbox)
    assert found.code == 1 and found.stdout == ""


@pytest.mark.parametrize("name", ["value-1e25.yaml", "duplicate-key.yaml"])
def test_the_library_s_invalid_examples_are_refused_from_an_issue_too(sandbox: Path, name: str) -> None:
    code, report, _ = submit(sandbox, body((ROOT / "tests" / "examples" / "invalid" / name).read_text("utf-8")))
    expected = yaml.safe_load((ROOT / "tests" / "examples" / "invalid" / "expected.yaml").read_text("utf-8"))[name]
    assert code == 1 and expected["message"] in report
    assert sorted(p.name for p in (sandbox / "cases").glob("*.yaml")) == sorted(
        p.name for p in (ROOT / "cases").glob("*.yaml"))

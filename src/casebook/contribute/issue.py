"""`casebook issue-case`: a "提交新案例" issue → a case file and the validator's report.

The issue form (.github/ISSUE_TEMPLATE/new-case.yml) takes the case as pasted YAML (what the case
form on the site downloads) or as an attached file (that YAML, or the filled Excel template), and
optionally new regions as YAML. The issue body GitHub makes from it is a run of `### 标签` sections;
this reads them, writes cases/<id>.yaml (and the new regions) into the repository, checks the
library with them, and writes the report as Markdown for a comment. The workflow
(.github/workflows/issue-case.yml) only downloads an attachment with the host's own tools
(`--attachment-url` says which) and opens the pull request; nothing here uses the network.

Exit status: 0 the case passes (files kept), 1 it does not (nothing kept, the report says why),
2 the body holds no case at all.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from casebook.contribute.scaffold import ID_PATTERN, REGIONS_FILE, UsageError, suggest_id
from casebook.library.check import check_library
from casebook.records.load import load_document
from casebook.records.problems import Problem

# The labels of the issue form's fields, as GitHub writes them into the body (tests check the form).
CASE_LABEL = "案例文件（YAML）"
REGIONS_LABEL = "新增地区（YAML）"
ATTACHMENT_LABEL = "附件"
NO_RESPONSE = "_No response_"
_SECTION = re.compile(r"^###[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
# An upload: the workbook, or the case file (as .yaml, or renamed .txt where a host refuses .yaml).
_LINK = re.compile(r"\((https://[^\s)]+?\.(?:xlsx|ya?ml|txt))\)|<(https://[^\s>]+?\.(?:xlsx|ya?ml|txt))>|"
                   r"(?<![(<])\b(https://\S+?\.(?:xlsx|ya?ml|txt))\b", re.IGNORECASE)


@dataclass
class Outcome:
    """What became of one issue: the files written, the problems, the report for the comment."""

    passed: bool
    written: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    report: str = ""


def sections(body: str) -> dict[str, str]:
    """`### 标签` → the text under it, code fences removed; GitHub's "_No response_" is empty."""
    body = _lines(body)
    found: dict[str, str] = {}
    marks = list(_SECTION.finditer(body))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        text = body[mark.end():following.start() if following else len(body)].strip()
        fence = _FENCE.search(text)
        text = fence.group(2) if fence else text
        found[mark.group(1).strip()] = "" if text.strip() == NO_RESPONSE else text.strip("\n")
    return found


def _lines(text: str) -> str:
    """Issue bodies come with CR LF line ends (a browser's form); records use LF."""
    return text.replace("\r\n", "\n")


def attachment_url(body: str) -> str | None:
    """The first link to an .xlsx, .yaml or .txt file in the body (GitHub writes uploads as links)."""
    part = sections(body).get(ATTACHMENT_LABEL, body)
    for text in (part, body):
        match = _LINK.search(text)
        if match:
            return next(group for group in match.groups() if group)
    return None


def convert_issue(body: str, root: Path, attachment: Path | None = None) -> Outcome:
    """Write the case the issue holds into `root` and check the library with it."""
    body = _lines(body)
    parts = sections(body)
    case_text = parts.get(CASE_LABEL, "")
    if attachment is not None and attachment.suffix.lower() == ".xlsx":
        return _finish(root, *_from_workbook(attachment, root), parts.get(REGIONS_LABEL, ""))
    if attachment is not None:
        case_text = attachment.read_bytes().decode("utf-8-sig", errors="replace")
    if not case_text.strip():
        fenced = _FENCE.search(body)
        case_text = fenced.group(2) if fenced else ""
    if not case_text.strip():
        raise UsageError(f"问题正文里没有案例：请把案例文件粘贴在“{CASE_LABEL}”一栏，或把 YAML 文件或 Excel 模板作为附件上传。")
    return _finish(root, case_text, [], parts.get(REGIONS_LABEL, ""))


def _from_workbook(path: Path, root: Path) -> tuple[str, list[Problem]]:
    """The workbook read as `casebook import` reads it, then written as YAML text."""
    from casebook.contribute.excel_import import WorkbookError, read_workbook, schema_problems
    from casebook.records.casefile import case_yaml

    library = check_library(root).library
    try:
        reading = read_workbook(path, library)
    except WorkbookError as error:
        return "", [Problem(path.name, 1, 1, "", str(error), code="workbook")]
    problems = reading.problems + schema_problems(reading)
    if problems:
        return "", [Problem(path.name, 1, 1, p.title, f"{p.sheet}!{p.cell}: {p.message}", p.hint,
                            code="workbook") for p in problems]
    case = reading.case
    if "id" not in case and "title" in case and "region" in case.get("place", {}):
        case = {"id": suggest_id(case["title"], case["place"]["region"], library,
                                 lambda cid: cid in library.cases), **case}
    header = [f"由 Excel 表格 {path.name} 转换（casebook issue-case）。以 # 开头的是说明，可以删去。"]
    return case_yaml(case, root / "macros", guide=False, header=header), []


def _finish(root: Path, case_text: str, problems: list[Problem], regions_text: str) -> Outcome:
    if problems:
        return _report(Outcome(False, problems=problems))
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "case.yaml"
        probe.write_text(case_text, encoding="utf-8")
        doc, refused = load_document(probe, "提交的案例文件")
    if doc is None:
        return _report(Outcome(False, problems=refused))
    case_id = doc.data.get("id") if isinstance(doc.data, dict) else None
    if not isinstance(case_id, str) or not ID_PATTERN.match(case_id) or len(case_id) > 80:
        return _report(Outcome(False, problems=[Problem(
            "提交的案例文件", 1, 1, "id", f"案例编号不合要求：{case_id!r}",
            "只能用小写英文字母、数字和连字符，以字母开头，如 zunyi-wuqiang-zuzhi。", "id")]))
    target = root / "cases" / f"{case_id}.yaml"
    if target.exists():
        return _report(Outcome(False, problems=[Problem(
            f"cases/{case_id}.yaml", 1, 1, "id", f"案例编号 {case_id} 已经存在",
            "要修改已有的案例，请在拉取请求里直接编辑那个文件；新案例请换一个编号。", "id")]))
    vocabulary = root / REGIONS_FILE
    before = vocabulary.read_bytes()
    written = [target.relative_to(root).as_posix()]
    target.write_text(case_text if case_text.endswith("\n") else case_text + "\n", encoding="utf-8")
    if regions_text.strip():
        vocabulary.write_text(before.decode("utf-8").rstrip("\n") + "\n# 随“提交新案例”问题新增的地区。\n"
                              + regions_text.strip("\n") + "\n", encoding="utf-8")
        written.append(REGIONS_FILE.as_posix())
    result = check_library(root)
    mine = [p for p in result.problems if p.file in written]
    passed = not [p for p in mine if p.severity == "error"] and not result.errors
    if not passed:  # nothing is kept from a submission that does not pass
        target.unlink()
        vocabulary.write_bytes(before)
        mine = mine or result.errors
    return _report(Outcome(passed, written if passed else [], mine))


def _report(outcome: Outcome) -> Outcome:
    """The comment: a verdict, then the validator's lines as `casebook validate` prints them."""
    errors = [p for p in outcome.problems if p.severity == "error"]
    if outcome.passed:
        head = "## 检查通过\n\n已转换为 " + "、".join(f"`{w}`" for w in outcome.written) + "，检查器（casebook validate）没有发现错误。"
        head += "审核人员会对照来源逐条核对后合并。"
    else:
        head = (f"## 检查未通过：{len(errors)} 个错误\n\n请按下面的提示修改后，编辑本问题（或重新提交）；"
                "也可以在网站的“在线填写案例”页打开下载的文件继续修改。")
    lines = []
    for p in outcome.problems:
        level = "" if p.severity == "error" else "警告："
        lines.append(f"{p.file}:{p.line}:{p.column}: {level}{p.message}")
        if p.hint:
            lines.append(f"    提示：{p.hint}")
    body = "\n\n```text\n" + "\n".join(lines) + "\n```\n" if lines else "\n"
    outcome.report = head + body
    return outcome


def attachment_usage(body: str) -> tuple[int, str]:
    """For `--attachment-url`: the link and 0, or a note and 1 when there is none."""
    url = attachment_url(body)
    return (0, url) if url else (1, "")


def check_attachment(path: Path) -> None:
    if not path.is_file():
        raise UsageError(f"找不到附件 {path}。")
    if path.suffix.lower() not in (".xlsx", ".yaml", ".yml", ".txt"):
        raise UsageError(f"附件 {path.name} 不是 .xlsx、.yaml 或 .txt 文件。")

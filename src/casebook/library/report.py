"""Report stage for problems: plain text for people, JSON for machines."""

from __future__ import annotations

import json

from casebook.library.check import CheckResult


def text_report(result: CheckResult) -> str:
    """`file:line:col: field：message` lines, each with its hint, then a summary line."""
    lines = []
    for p in result.problems:
        where = f"{p.file}:{p.line}:{p.column}"
        level = "" if p.severity == "error" else "警告："
        lines.append(f"{where}: {level}{p.message}")
        if p.hint:
            lines.append(f"    提示：{p.hint}")
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    if errors:
        lines.append(f"检查了 {result.files} 个文件：发现 {errors} 个错误，{warnings} 个警告。")
    else:
        cases = len(result.library.cases)
        lines.append(f"检查了 {result.files} 个文件（{cases} 个案例）：全部通过"
                     + (f"，{warnings} 个警告。" if warnings else "。"))
    return "\n".join(lines)


def json_report(result: CheckResult) -> str:
    return json.dumps({
        "valid": not result.errors,
        "files": result.files,
        "cases": len(result.library.cases),
        "errors": len(result.errors),
        "warnings": len(result.problems) - len(result.errors),
        "problems": [p.as_dict() for p in result.problems],
    }, ensure_ascii=False, indent=2)

"""The contributor commands of the CLI: new-case, import, excel-template, field-reference.

Kept apart from cli.py, which only registers them (`add_commands`) and hands them over (`run`).
Exit status as everywhere: 0 done, 1 the data (the workbook, the record) has problems, 2 usage.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from casebook.contribute.scaffold import UsageError, new_case_command, suggest_id
from casebook.library.check import check_library
from casebook.records.casefile import write_case

if TYPE_CHECKING:  # openpyxl and the site outputs load only for the commands that use them
    from casebook.contribute.excel_import import CellProblem, Reading

GUIDE_FILE = "CONTRIBUTING.md"
COMMANDS = ("new-case", "import", "excel-template", "field-reference", "issue-case")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the contributor commands on the CLI's sub-command parser."""
    new = commands.add_parser(
        "new-case", help="新建一个案例文件：每个字段都带中文说明和例子，必填处写着“【待填写】”。",
        description="在 cases/ 下新建 <案例编号>.yaml。缺少的选项在终端里会逐项询问；已有的编号不会被覆盖。")
    new.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    new.add_argument("--region", help="地区：地区词表中的编号或名称，如 zunyi 或 遵义。")
    new.add_argument("--title", help="案例标题，通常取自来源文章的标题。")
    new.add_argument("--level", help="实践主体层级：province、prefecture、county、township 或 village"
                                     "（默认按地区的层级）。")
    new.add_argument("--id", dest="case_id", help="案例编号（默认由地区编号和标题拼音生成）。")
    new.add_argument("--add-region", action="store_true",
                     help="地区不在词表里时，按 GB/T 2260 把它和缺少的上级地区加入 cases/vocab/regions/regions.yaml"
                          "（地区写全称或六位代码；在终端里直接运行时会询问）。")
    imp = commands.add_parser(
        "import", help="把填好的 Excel 模板转成案例文件；有问题时逐格指出（工作表!单元格）。",
        description="读取按本库模板填写的 .xlsx，检查后写入 cases/<案例编号>.yaml。有问题时不写文件，退出码为 1。")
    imp.add_argument("file", type=Path, help="填好的 Excel 文件（.xlsx）。")
    imp.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    imp.add_argument("--out", type=Path, help="写入的文件夹（默认 ROOT/cases）。")
    imp.add_argument("--force", action="store_true", help="案例文件已存在时用表格的内容覆盖。")
    template = commands.add_parser(
        "excel-template", help="生成案例填写模板（Excel），栏目、说明和下拉列表都来自格式说明和词表。",
        description="把案例填写模板写入 --out 指定的 .xlsx 文件。")
    template.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    template.add_argument("--out", type=Path, default=Path("case-template.xlsx"),
                          help="输出文件（默认 case-template.xlsx）。")
    issue = commands.add_parser(
        "issue-case", help="把“提交新案例”问题的正文（粘贴的 YAML，或下载的附件）转成案例文件，并写出检查报告。",
        description="读取问题正文，写入 cases/<案例编号>.yaml（和新增地区），整库检查；通过时退出码 0，"
                    "未通过时 1（不保留任何文件），正文里没有案例时 2。报告是 Markdown，供工作流贴为评论。")
    issue.add_argument("body", type=Path, help="保存问题正文的文本文件（- 表示从标准输入读）。")
    issue.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    issue.add_argument("--attachment", type=Path, help="已下载的附件（.yaml、改名为 .txt 的案例文件，或 .xlsx），代替正文中粘贴的 YAML。")
    issue.add_argument("--attachment-url", action="store_true",
                       help="只打印正文中第一个 .xlsx、.yaml 或 .txt 附件的网址（没有时退出码 1），供工作流下载。")
    issue.add_argument("--report", type=Path, help="把报告写入这个文件（默认打印到标准输出）。")
    reference = commands.add_parser(
        "field-reference", help=f"根据格式说明更新 {GUIDE_FILE} 中的字段说明表。",
        description=f"把字段说明表写入 {GUIDE_FILE} 的标记之间；加 --check 时只检查是否过期（过期时退出码为 1）。")
    reference.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    reference.add_argument("--check", action="store_true", help="只检查，不修改文件。")


def run(args: argparse.Namespace, root: Path) -> int:
    try:
        if args.command == "new-case":
            return _new_case(args, root)
        if args.command == "import":
            return _import(args, root)
        if args.command == "excel-template":
            return _excel_template(args, root)
        if args.command == "issue-case":
            return _issue_case(args, root)
        return _field_reference(args, root)
    except UsageError as error:
        print(f"用法错误：{error}", file=sys.stderr)
        return 2


def _new_case(args: argparse.Namespace, root: Path) -> int:
    library = check_library(root).library
    path, added = new_case_command(root, library, region=args.region, title=args.title, level=args.level,
                                   case_id=args.case_id, add_region=args.add_region)
    rel = path.relative_to(root).as_posix()
    if added:
        names = "、".join(f"{r['name']}（{r['id']}，{r['code']}）" for r in added)
        print(f"已按 GB/T 2260 把 {names} 加入 cases/vocab/regions/regions.yaml。")
    print(f"已创建 {rel}。\n下一步：\n"
          f"  1. 打开 {rel}，把每个“【待填写】”换成内容（# 开头的注释说明了每个字段）；\n"
          "  2. 运行 make validate，按提示修改，直到检查通过；\n"
          f"  3. 运行 make serve，在 http://127.0.0.1:8000/cases/{path.stem}/ 预览。")
    return 0


def _excel_template(args: argparse.Namespace, root: Path) -> int:
    from casebook.contribute.workbook import excel_template

    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"输出文件应以 .xlsx 结尾：{args.out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(excel_template(check_library(root).library))
    print(f"已生成案例填写模板 {args.out}。")
    return 0


def _issue_case(args: argparse.Namespace, root: Path) -> int:
    from casebook.contribute.issue import attachment_usage, check_attachment, convert_issue

    if str(args.body) == "-":
        body = sys.stdin.read()
    elif args.body.is_file():
        body = args.body.read_bytes().decode("utf-8-sig", errors="replace")
    else:
        raise UsageError(f"找不到问题正文文件 {args.body}。")
    if args.attachment_url:
        code, url = attachment_usage(body)
        print(url) if url else print("正文中没有 .xlsx、.yaml 或 .txt 附件。", file=sys.stderr)
        return code
    if args.attachment is not None:
        check_attachment(args.attachment)
    outcome = convert_issue(body, root, args.attachment)
    if args.report:
        args.report.write_text(outcome.report, encoding="utf-8")
    else:
        print(outcome.report)
    for written in outcome.written:
        print(f"已写入 {written}", file=sys.stderr)
    return 0 if outcome.passed else 1


def _field_reference(args: argparse.Namespace, root: Path) -> int:
    from casebook.contribute.guide import update_guide

    if not (root / GUIDE_FILE).is_file():
        raise UsageError(f"{root} 下没有 {GUIDE_FILE}。")
    try:
        current = update_guide(root, check=args.check)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if current:
        print(f"{GUIDE_FILE} 的字段说明与格式说明一致。")
        return 0
    if args.check:
        print(f"{GUIDE_FILE} 的字段说明已过期：请运行 make contributing（casebook field-reference）更新。",
              file=sys.stderr)
        return 1
    print(f"已更新 {GUIDE_FILE} 的字段说明。")
    return 0


def _import(args: argparse.Namespace, root: Path) -> int:
    from casebook.contribute.excel_import import WorkbookError, read_workbook, schema_problems

    source: Path = args.file
    if not source.is_file():
        raise UsageError(f"找不到文件 {source}。")
    if source.suffix.lower() != ".xlsx":
        raise UsageError(f"{source.name} 不是 .xlsx 文件；请用 Excel 或 WPS 另存为“Excel 工作簿（*.xlsx）”。")
    library = check_library(root).library
    try:
        reading = read_workbook(source, library)
    except WorkbookError as error:
        print(f"{source.name}: {error}", file=sys.stderr)
        return 1
    problems = reading.problems + schema_problems(reading)
    if problems:
        _report(source.name, problems)
        print(f"表格中有 {len(problems)} 处问题，没有生成案例文件；改好后请再导入一次。", file=sys.stderr)
        return 1
    case = reading.case
    if "id" not in case:
        place = case.get("place", {})
        if "region" not in place or "title" not in case:
            raise UsageError("“案例信息”表里没有填写案例编号，也没有地区和标题，无法生成编号。")
        case = {"id": suggest_id(case["title"], place["region"], library,
                                 lambda cid: cid in library.cases), **case}
        reading.origins[("id",)] = reading.origins.get(("place", "region"), ("案例信息", "B2", "案例编号"))
    return _write_checked(args, root, source, case, reading)


def _write_checked(args: argparse.Namespace, root: Path, source: Path, case: dict,
                   reading: Reading) -> int:
    """Write the record, check the library with it, and keep it only if it passes."""
    from casebook.contribute.excel_import import as_cell_problem

    out_dir = (args.out or root / "cases").resolve()
    target = out_dir / f"{case['id']}.yaml"
    if target.exists() and not args.force:
        raise UsageError(f"{target} 已存在。要用表格的内容覆盖它，请加 --force（make import … ARGS=--force）。")
    with tempfile.TemporaryDirectory() as scratch:
        check_root = root if out_dir == (root / "cases").resolve() else _records_copy(root, Path(scratch))
        check_path = check_root / "cases" / target.name
        previous = check_path.read_bytes() if check_path.exists() else None
        header = [f"由 Excel 表格 {source.name} 导入（casebook import）。以 # 开头的是说明，可以删去。"]
        write_case(check_path, case, root / "macros", guide=False, header=header)
        result = check_library(check_root)
        rel = check_path.relative_to(check_root).as_posix()
        mine = [as_cell_problem(reading, p) for p in result.problems if p.file == rel]
        errors = [p for p in mine if p.severity == "error"]
        _report(source.name, mine)
        if errors:
            if previous is None:
                check_path.unlink()
            else:
                check_path.write_bytes(previous)
            print(f"案例未通过检查（{len(errors)} 个错误），没有生成案例文件；改好表格后请再导入一次。", file=sys.stderr)
            return 1
        if check_path != target:
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(check_path, target)
    shown = target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target)
    print(f"已从 {source.name} 导入 {shown}（{len(case.get('practices', []))} 条做法、"
          f"{len(case.get('indicators', []))} 条数据），检查通过。\n"
          "下一步：运行 make serve 预览，然后按贡献者指南提交拉取请求。")
    return 0


def _records_copy(root: Path, scratch: Path) -> Path:
    shutil.copytree(root / "cases", scratch / "cases")
    return scratch


def _report(name: str, problems: list[CellProblem]) -> None:
    """`文件.xlsx:工作表!B7: 字段：消息`, each with its hint, as the validator reports lines."""
    for p in problems:
        level = "" if p.severity == "error" else "警告："
        print(f"{name}:{p.sheet}!{p.cell}: {level}{p.title}：{p.message}", file=sys.stderr)
        if p.hint:
            print(f"    提示：{p.hint}", file=sys.stderr)

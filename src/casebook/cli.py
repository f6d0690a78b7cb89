"""Command line: `casebook validate`, `casebook render`, for contributors and for CI.

Exit status: 0 valid, 1 invalid data, 2 usage error. No traceback reaches a contributor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from casebook.pipeline import check_library
from casebook.report import json_report, text_report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"用法错误：{message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="casebook", description="乡村振兴党建案例库的命令行工具。")
    commands = parser.add_subparsers(dest="command", metavar="命令", required=True)
    validate = commands.add_parser("validate", help="检查全部案例和词表，列出所有问题（位置、字段、原因、提示）。",
                                   description="检查全部案例和词表。通过时退出码为 0，有错误时为 1。")
    validate.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="输出格式：text 给人读，json 给程序读。")
    render = commands.add_parser("render", help="把记录生成的全部网站文件（页面 Markdown、记录副本等）写入指定文件夹，便于检查。",
                                 description="生成全部网站文件，写入 --out 指定的文件夹。")
    render.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    render.add_argument("--out", type=Path, required=True, help="输出文件夹。")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except Exception as error:  # a bug of ours must still not show a traceback to a contributor
        print(f"casebook 内部错误：{type(error).__name__}: {error}\n"
              "这不是您的数据的问题；请把这段信息报告给维护者。", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    if not (root / "cases").is_dir():
        print(f"用法错误：{root} 下没有 cases/ 文件夹；请在仓库根目录运行，或用 --root 指定。", file=sys.stderr)
        return 2
    result = check_library(root)
    if args.command == "validate":
        print(json_report(result) if args.format == "json" else text_report(result))
        return 1 if result.errors else 0
    if result.errors:
        print(text_report(result), file=sys.stderr)
        return 1
    from casebook.outputs import site_outputs

    for page in site_outputs(result.library, root):
        target = args.out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        content = page.content
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Command line: `casebook validate`, `render`, `export`, `pdf`, `offline`, for contributors and CI.

Exit status: 0 valid, 1 invalid data, 2 usage error. No traceback reaches a contributor.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from casebook.contribute import commands as contributor_commands
from casebook.library.check import check_library
from casebook.library.link import Library
from casebook.library.report import json_report, text_report
from casebook.site.vendor import MissingVendorFile


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
    export = commands.add_parser("export", help="导出可下载的数据（CSV、Excel 工作簿、JSON），与网站 downloads/ 中的文件相同。",
                                 description="把案例、指标数据和做法导出为 CSV（带 BOM 的 UTF-8）、Excel 工作簿和 JSON，"
                                             "写入 --out 指定的文件夹。")
    export.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    export.add_argument("--out", type=Path, default=Path("downloads"), help="输出文件夹（默认 downloads）。")
    pdf = commands.add_parser("pdf", help="为每个案例和课程生成 A4 打印讲义（PDF），写入已构建网站的 handouts/ 下。",
                              description="在 mkdocs build 之后运行：把讲义 PDF 写入 SITE/handouts/<cases|courses>/<编号>.pdf。")
    pdf.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    pdf.add_argument("--site", type=Path, required=True, help="已构建的网站文件夹（如 site）。")
    pdf.add_argument("--config", type=Path, help="网站配置文件，读取网站名称和地址（默认 ROOT/mkdocs.yml）。")
    pdf.add_argument("--jobs", type=int, help="同时排版的进程数（默认 CPU 核数）。")
    pdf.add_argument("--cache", type=Path, help="缓存文件夹：内容没变的讲义直接复用，不再排版。")
    offline = commands.add_parser("offline", help="构建离线版：整个网站（含搜索和讲义）放在一个文件夹里，不联网双击 index.html 即可使用，并打成 zip。",
                                  description="构建离线版网站到 --out，打包为 --zip。网站下次构建时会在“数据下载”页提供这个 zip。")
    offline.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    offline.add_argument("--out", type=Path, default=Path("offline"), help="离线版文件夹（默认 offline，会被整个替换）。")
    offline.add_argument("--zip", type=Path, help="zip 文件（默认 ROOT/casebook-offline.zip）。")
    offline.add_argument("--cache", type=Path, help="讲义缓存文件夹（与 casebook pdf 的相同）：内容没变的讲义直接复用。")
    offline.add_argument("--jobs", type=int, help="同时排版讲义的进程数（默认 CPU 核数）。")
    contributor_commands.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except MissingVendorFile as error:  # a set-up step not taken: say which, as for a usage error
        print(error, file=sys.stderr)
        return 2
    except Exception as error:  # a bug of ours must still not show a traceback to a contributor
        print(f"casebook 内部错误：{type(error).__name__}: {error}\n"
              "这不是您的数据的问题；请把这段信息报告给维护者。", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    if not (root / "cases").is_dir():
        print(f"用法错误：{root} 下没有 cases/ 文件夹；请在仓库根目录运行，或用 --root 指定。", file=sys.stderr)
        return 2
    if args.command in contributor_commands.COMMANDS:
        return contributor_commands.run(args, root)
    result = check_library(root)
    if args.command == "validate":
        print(json_report(result) if args.format == "json" else text_report(result))
        return 1 if result.errors else 0
    if result.errors:
        print(text_report(result), file=sys.stderr)
        return 1
    if args.command == "export":
        return _export(args, result.library)
    if args.command == "pdf":
        return _pdf(args, result.library, root)
    if args.command == "offline":
        return _offline(args, result.library, root)
    from casebook.handover.outputs import site_outputs

    for page in site_outputs(result.library, root):
        target = args.out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        content = page.content
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return 0


def _export(args: argparse.Namespace, library: Library) -> int:
    """Write the downloads, the same files the site serves under downloads/."""
    from casebook.files.export import download_files

    files = download_files(library)
    for name, data in files.items():
        target = args.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"导出了 {len(files)} 个文件到 {args.out}（{len(library.cases)} 个案例）。")
    return 0


def _pdf(args: argparse.Namespace, library: Library, root: Path) -> int:
    """Typeset every handout into the built site at --site."""
    from casebook.files.handouts import STYLE_SHEET, build_date, handouts, site_settings
    from casebook.files.pdf import write_pdfs

    site = args.site.resolve()
    config = (args.config or root / "mkdocs.yml").resolve()
    if not site.is_dir():
        print(f"用法错误：网站文件夹 {site} 不存在；请先运行 mkdocs build（或 make build）。", file=sys.stderr)
        return 2
    settings = site_settings(config) if config.is_file() else {}
    jobs = handouts(library, root, settings, build_date(root, library))
    css = (root / "macros" / STYLE_SHEET).read_text(encoding="utf-8")
    written, reused = write_pdfs(jobs, site, css, jobs=args.jobs, cache_dir=args.cache)
    note = f"；其中 {reused} 份内容未变，取自缓存" if reused else ""
    print(f"生成了 {len(written)} 份 A4 讲义（{len(library.cases)} 个案例、{len(library.courses)} 门课程"
          f"{note}），在 {site / 'handouts'}。")
    return 0


def _offline(args: argparse.Namespace, library: Library, root: Path) -> int:
    """Build the offline copy and its zip (see offline.py)."""
    from casebook.files.offline import ZIP_NAME, make_offline_copy

    out = args.out.resolve()
    zip_path = (args.zip or root / ZIP_NAME).resolve()
    try:
        made = make_offline_copy(root, library, out, zip_path, cache=args.cache, jobs=args.jobs)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"离线版：{out}（{made.files} 个文件，含 {made.handouts} 份讲义；搜索索引 "
          f"{made.index_bytes / 1024:.0f} KB），打包为 {zip_path}（{made.zip_bytes / 1048576:.1f} MB）。")
    return 0


def command() -> None:
    """The `casebook` command: `main`, then exit at once.

    Exiting normally would free a large library object by object first (about a second at
    10,000 cases) for nothing; the output is flushed, and no command leaves a file open.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    command()

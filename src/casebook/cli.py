"""Command line: `casebook validate`, `build`, `serve`, `render`, `export`, `pdf`, `offline`,
`publish` (the three publishing steps at once, as `make build` runs them), for contributors,
maintainers and CI.

Exit status: 0 valid, 1 invalid data, 2 usage error. No traceback reaches a contributor.
"""

from __future__ import annotations

import argparse
import os
import sys
from itertools import chain
from pathlib import Path
from typing import NoReturn

from casebook.contribute import commands as contributor_commands
from casebook.handover.build import DataError, build, checked, serve
from casebook.handover.engines import DEFAULT_ENGINE, ENGINES, EngineError, engine_named
from casebook.handover.engines import ENVIRONMENT as ENGINE_ENVIRONMENT
from casebook.handover.finish import FinishError
from casebook.handover.stage import StageError, stage_site, write_engine_config
from casebook.library.check import check_library
from casebook.library.link import Library
from casebook.library.report import json_report, text_report
from casebook.site.vendor import MissingVendorFile
from casebook.timings import part, timed


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
    engines = "、".join(ENGINES)
    build = commands.add_parser("build", help="校验数据、准备页面、用网站引擎严格构建网站，再建搜索索引（make build 即此命令加讲义）。",
                                description="校验全部记录，把手写页面和生成的页面写入暂存文件夹（casebook render 的同一步），"
                                            f"由网站引擎（{engines}）构建到 --site-dir，然后放回预渲染的内容并建搜索索引。")
    build.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    build.add_argument("--site-dir", type=Path, default=Path("site"), help="网站文件夹（默认 site，会被整个替换）。")
    build.add_argument("--engine", choices=sorted(ENGINES), help=f"网站引擎（默认 {DEFAULT_ENGINE}，或环境变量 {ENGINE_ENVIRONMENT}）。")
    build.add_argument("--stage", type=Path, help="暂存文件夹（默认 ROOT/.cache/stage）。")
    build.add_argument("--no-strict", action="store_true", help="引擎的警告和无法打开的站内链接不使构建失败。")
    serve = commands.add_parser("serve", help="本地预览：构建网站并用网站引擎在本机提供，改动案例、模板或手写页面后自动更新。",
                                description="预览网站；改动 cases/、macros/、content/ 后自动重新准备页面，浏览器自动刷新。")
    serve.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    serve.add_argument("--engine", choices=sorted(ENGINES), help=f"网站引擎（默认 {DEFAULT_ENGINE}）。")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="地址和端口（默认 127.0.0.1:8000）。")
    render = commands.add_parser("render", help="把网站引擎要构建的暂存文件夹（手写页面、生成的页面、数据文件、引擎配置）写入指定文件夹，便于检查。",
                                 description="准备网站引擎构建的全部文件，写入 --out 指定的文件夹（docs/ 是页面，engine.yml 是引擎配置）。")
    render.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    render.add_argument("--out", type=Path, required=True, help="输出文件夹。")
    render.add_argument("--engine", choices=sorted(ENGINES), help=f"为哪个网站引擎写 engine.yml（默认 {DEFAULT_ENGINE}）。")
    render.add_argument("--whole-pages", action="store_true",
                        help="生成的页面保留完整的 HTML（构建时为了快，先把 HTML 取出、引擎构建后再放回）。")
    export = commands.add_parser("export", help="导出可下载的数据（CSV、Excel 工作簿、JSON），与网站 downloads/ 中的文件相同。",
                                 description="把案例、指标数据和做法导出为 CSV（带 BOM 的 UTF-8）、Excel 工作簿和 JSON，"
                                             "写入 --out 指定的文件夹。")
    export.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    export.add_argument("--out", type=Path, default=Path("downloads"), help="输出文件夹（默认 downloads）。")
    pdf = commands.add_parser("pdf", help="为每个案例和课程生成 A4 打印讲义（PDF），写入已构建网站的 handouts/ 下。",
                              description="在 casebook build 之后运行：把讲义 PDF 写入 SITE/handouts/<cases|courses>/<编号>.pdf。")
    pdf.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    pdf.add_argument("--site", type=Path, required=True, help="已构建的网站文件夹（如 site）。")
    pdf.add_argument("--config", type=Path, help="网站配置文件，读取网站名称和地址（默认 ROOT/mkdocs.yml）。")
    pdf.add_argument("--jobs", type=int, help="同时排版的进程数（默认 CPU 核数）。")
    pdf.add_argument("--cache", type=Path, help="缓存文件夹：内容没变的讲义直接复用，不再排版。")
    offline = commands.add_parser("offline", help="由已构建的网站（含讲义）生成离线版：整个网站放在一个文件夹里，不联网双击 index.html 即可使用；打成 zip，并放到网站的“数据下载”页。",
                                  description="在 casebook build 和 casebook pdf 之后运行：把 --site 的网站复制为离线版到 --out"
                                              "（指向文件夹的链接改为 index.html，换用离线版自己的搜索索引），打包为 --zip，"
                                              "再把 zip 放到网站的 downloads/ 并在“数据下载”页写明大小。")
    offline.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    offline.add_argument("--site", type=Path, default=Path("site"), help="已构建的网站文件夹（默认 site）。")
    offline.add_argument("--out", type=Path, default=Path("offline"), help="离线版文件夹（默认 offline，会被整个替换）。")
    offline.add_argument("--zip", type=Path, help="zip 文件（默认 ROOT/casebook-offline.zip）。")
    publish = commands.add_parser("publish", help="make build 即此命令：只校验一次，依次构建网站、生成讲义、由网站生成离线版并打包。",
                                  description="与依次运行 casebook build、casebook pdf、casebook offline 结果相同，"
                                              "但只读取和校验一次案例数据。")
    publish.add_argument("--root", type=Path, default=Path("."), help="仓库根目录（默认当前目录）。")
    publish.add_argument("--site-dir", type=Path, default=Path("site"), help="网站文件夹（默认 site，会被整个替换）。")
    publish.add_argument("--engine", choices=sorted(ENGINES), help=f"网站引擎（默认 {DEFAULT_ENGINE}，或环境变量 {ENGINE_ENVIRONMENT}）。")
    publish.add_argument("--stage", type=Path, help="暂存文件夹（默认 ROOT/.cache/stage）。")
    publish.add_argument("--cache", type=Path, help="讲义缓存文件夹：内容没变的讲义直接复用，不再排版。")
    publish.add_argument("--out", type=Path, default=Path("offline"), help="离线版文件夹（默认 offline，会被整个替换）。")
    publish.add_argument("--zip", type=Path, help="离线版 zip 文件（默认 ROOT/casebook-offline.zip）。")
    publish.set_defaults(no_strict=False)  # a publish is always strict
    contributor_commands.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with part(args.command):  # each command's stages are its own in the timings
            return _run(args)
    except MissingVendorFile as error:  # a set-up step not taken: say which, as for a usage error
        print(error, file=sys.stderr)
        return 2
    except (DataError, StageError, EngineError, FinishError) as error:
        print(error, file=sys.stderr)
        return 1
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
    if args.command == "serve":
        return serve(root, engine_named(args.engine), args.dev_addr,
                     say=lambda line: print(line, file=sys.stderr, flush=True))
    if args.command == "build":
        return _build(args, root)
    if args.command == "publish":
        return _publish(args, root)
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
        return _pdf(result.library, root, args.site, config=args.config, jobs=args.jobs,
                    cache=args.cache)
    if args.command == "offline":
        return _offline(result.library, root, args.site, args.out, args.zip)
    out = args.out.resolve()
    staged = stage_site(result.library, root, out, set_aside=not args.whole_pages)
    write_engine_config(root, out, engine_named(args.engine))
    print(f"暂存了 {len(staged.generated)} 个生成的文件和 content/ 的手写页面到 {out / 'docs'}；"
          f"引擎配置 {staged.config}。")
    return 0


def _publish(args: argparse.Namespace, root: Path) -> int:
    """`casebook build`, `pdf` and `offline` in one process, on one validated library; each
    step's stages are timed under its own command's name, as when they run one by one."""
    with part("build"):
        library = checked(root, _stderr)
        _build(args, root, library=library)
    with part("pdf"):
        code = _pdf(library, root, args.site_dir, cache=args.cache)
    if code:
        return code
    with part("offline"):
        return _offline(library, root, args.site_dir, args.out, args.zip)


def _build(args: argparse.Namespace, root: Path, library: Library | None = None) -> int:
    """Validate, stage, build with the engine, finish; then say what was made."""
    say = _stderr
    engine = engine_named(args.engine)
    site = args.site_dir.resolve()
    built = build(root, site, engine, library=library,
                  stage_dir=args.stage.resolve() if args.stage else None,
                  strict=not args.no_strict, say=say)
    search = built.finished.search
    note = (f"；搜索索引 {search.pages} 个页面，{search.files} 个文件，共 {search.bytes / 1024:.0f} KB"
            if search else "")
    print(f"{engine.label} 构建了网站到 {site}（{built.pages} 个生成的文件，引擎用时 "
          f"{built.engine_seconds:.1f} 秒{note}）。")
    return 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


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


def _pdf(library: Library, root: Path, site: Path, *, config: Path | None = None,
         jobs: int | None = None, cache: Path | None = None) -> int:
    """Typeset every handout into the built site at `site`."""
    from casebook.files.handouts import build_date, handout_batches, site_settings
    from casebook.files.pdf import write_pdfs

    site = site.resolve()
    config = (config or root / "mkdocs.yml").resolve()
    if not site.is_dir():
        print(f"用法错误：网站文件夹 {site} 不存在；请先运行 make build（或 casebook build）。", file=sys.stderr)
        return 2
    settings = site_settings(config) if config.is_file() else {}
    with timed("handouts"):
        made = chain.from_iterable(handout_batches(library, root, settings, build_date(root, library)))
        written, typeset = write_pdfs(made, site, root / "macros", jobs=jobs, cache_dir=cache)
    reused = len(written) - len(typeset)
    note = f"；其中 {reused} 份内容未变，取自缓存" if reused else ""
    print(f"生成了 {len(written)} 份 A4 讲义（{len(library.cases)} 个案例、{len(library.courses)} 门课程"
          f"{note}），在 {site / 'handouts'}。")
    return 0


def _offline(library: Library, root: Path, site: Path, out: Path, zip_file: Path | None) -> int:
    """Derive the offline copy from the built site, zip it, publish the zip (handover.offline)."""
    from casebook.files.offline import ZIP_NAME, OfflineError
    from casebook.handover.offline import make_offline_copy

    out = out.resolve()
    zip_path = (zip_file or root / ZIP_NAME).resolve()
    try:
        made = make_offline_copy(root, library, site.resolve(), out, zip_path)
    except OfflineError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"离线版：{out}（{made.pages} 个页面、{made.files} 个文件，含 {made.handouts} 份讲义；"
          f"搜索索引 {made.index_bytes / 1024:.0f} KB），打包为 {zip_path}"
          f"（{made.zip_bytes / 1048576:.1f} MB），已放到网站的“数据下载”页。")
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

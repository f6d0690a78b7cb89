"""MkDocs adapter (a `hooks:` file): the only code that knows about MkDocs.

It runs the engine-neutral pipeline once per build, fails the build with the validator's own
messages when the data is invalid, explains glossary terms on hand-written pages too, and adds
the rendered pages as generated files. Moving to another engine means rewriting this file only.
"""

from __future__ import annotations

import html
import logging
import os
import subprocess
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from casebook.offline import finish_offline_copy
from casebook.offline_search import INDEX_PATH as OFFLINE_INDEX
from casebook.outputs import site_outputs
from casebook.pipeline import check_library
from casebook.prerendered import put_back_html, set_aside_html
from casebook.preview import problem_pages
from casebook.report import text_report
from casebook.search_index import index_site

log = logging.getLogger("mkdocs.casebook")
GLOSSARY_EXTENSION = "casebook.text"
_state: dict = {}


def on_startup(command: str, dirty: bool) -> None:
    _state["serving"] = command == "serve"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = Path(config.config_file_path).parent
    _pin_build_date(root)
    result = check_library(root)
    _state["problem_pages"] = []
    if result.errors and not _state.get("serving"):
        raise PluginError("案例数据未通过校验，网站没有构建：\n" + text_report(result))
    if result.errors:
        # A preview keeps serving the other cases, so one broken case never hides the rest; the
        # problems stay on the terminal until fixed. A broken vocabulary affects every page, so
        # it stops the preview like a build.
        broken = {p.file for p in result.errors}
        if any(Path(rel).parent.as_posix() not in ("cases", "cases/courses") for rel in broken):
            raise PluginError("词表未通过校验，预览没有更新：\n" + text_report(result))
        for rel in broken:
            record = result.library.courses if "courses" in rel else result.library.cases
            record.pop(Path(rel).stem, None)
        _state["problem_pages"] = problem_pages(result.library, root, result.errors)
        log.info("以下案例未通过校验，预览中显示为问题清单：\n%s", text_report(result))
    else:
        for problem in result.problems:  # warnings inform; they never fail a strict build
            log.info("警告：%s:%s:%s: %s", problem.file, problem.line, problem.column, problem.message)
    glossary = {name: term["definition"] for term in result.library.glossary.values()
                for name in [term["term"], *term.get("aliases", [])]}
    if GLOSSARY_EXTENSION in config.markdown_extensions:
        config.mdx_configs[GLOSSARY_EXTENSION] = {"glossary": glossary}
    settings = dict(config.extra.get("casebook", {}))
    settings.update(site_url=config.site_url or "", site_name=config.site_name)
    if settings.get("offline"):
        # The offline copy is opened from a folder, where a link to `cases/x/` shows a file list:
        # every page becomes a file (`cases/x.html`), and the search box gets its own index.
        config.use_directory_urls = False
        config.extra["casebook"]["offline_index"] = OFFLINE_INDEX
    _state.update(root=root, library=result.library, settings=settings)
    return config


def _pin_build_date(root: Path) -> None:
    """Date the build by the last commit, so one commit always gives the same files (sitemap)."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                          text=True, check=False)
    if done.returncode == 0 and done.stdout.strip().isdigit():
        os.environ["SOURCE_DATE_EPOCH"] = done.stdout.strip()


def on_files(files: Files, config: MkDocsConfig) -> Files:
    outputs = site_outputs(_state["library"], _state["root"], _state["settings"])
    _state["html"] = {}
    for page in outputs + _state["problem_pages"]:
        if files.get_file_from_path(page.path) is not None:
            raise PluginError(f"content/{page.path} 与生成的页面同名；请改名或删除这个手写页面。")
        content = page.content
        if page.prerendered and isinstance(content, str):
            # Markdown gets the headings only; the rendered HTML goes back in on_page_content.
            content, _state["html"][page.path] = set_aside_html(content)
        files.append(File.generated(config, page.path, content=content))
    return files


def on_page_content(content: str, page: Page, **_: object) -> str:
    """Put a generated page's HTML back, and pin the page title, escaped once.

    Material writes `page.title | striptags` into <title>; `striptags` also un-escapes entities, so
    a record titled `</title><script>…` would break out of the element. The theme prints
    `page.meta.title` as it is, so an escaped copy there keeps any title inert.
    """
    if page.title:
        page.meta["title"] = html.escape(html.unescape(page.title), quote=False)
    blocks = _state.get("html", {}).get(page.file.src_uri)
    return put_back_html(content, blocks) if blocks else content


def on_post_build(config: MkDocsConfig) -> None:
    """Index the built site for search (Pagefind), in every build and every `serve` rebuild.

    The offline copy gets its own index and the script twins of its data files instead.
    """
    if _state["settings"].get("offline"):
        finish_offline_copy(Path(config.site_dir), _state["library"])
        return
    try:
        summary = index_site(Path(config.site_dir), _state["library"], _state["root"] / "macros")
    except RuntimeError as error:
        raise PluginError(str(error)) from None
    log.info("搜索索引：%d 个页面，%d 个文件，共 %.0f KB，用时 %.1f 秒", summary.pages, summary.files,
             summary.bytes / 1024, summary.seconds)

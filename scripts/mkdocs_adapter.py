"""MkDocs adapter (a `hooks:` file): the only code that knows about MkDocs.

It runs the engine-neutral pipeline once per build, fails the build with the validator's own
messages when the data is invalid, explains glossary terms on hand-written pages too, and adds
the rendered pages as generated files. Moving to another engine means rewriting this file only.
"""

from __future__ import annotations

import html
import logging
import shutil
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from casebook.files.offline import finish_offline_copy
from casebook.files.offline_search import INDEX_PATH as OFFLINE_INDEX
from casebook.handover.outputs import staged_site_outputs
from casebook.handover.prerendered import put_back_staged_html, stage
from casebook.handover.preview import changed_case_outputs, changed_cases, problem_pages
from casebook.library.check import check_library
from casebook.library.link import Library
from casebook.library.report import text_report
from casebook.parallel import release_memory
from casebook.records.history import NO_HISTORY, has_history, pin_build_epoch
from casebook.site.search_index import SHARD_CHARS, PageTokens, index_site
from casebook.site.vendor import MissingVendorFile

log = logging.getLogger("mkdocs.casebook")
GLOSSARY_EXTENSION = "casebook.site.text"
_state: dict = {}


def on_startup(command: str, dirty: bool) -> None:
    _state["serving"] = command == "serve"
    _state["dirty"] = dirty
    _state["checked"] = {}  # a preview reads again only the record files that changed


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = Path(config.config_file_path).parent
    result = check_library(root, workers=_workers(),
                           cache=_state["checked"] if _state.get("serving") else None)
    _pin_build_date(root, result.library)
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
        # The site has no `cases/x.html`: no canonical link to one. Citations and handouts keep
        # the site's address (in `settings`), where the same case is online.
        config.site_url = None
    _state.update(root=root, library=result.library, settings=settings)
    return config


def _workers() -> int | None:
    """All cores for a build; none for `serve`, whose live-reload threads make forking unsafe."""
    return 1 if _state.get("serving") else None


def _pin_build_date(root: Path, library: Library) -> None:
    """Date the build as every other step does (casebook.records.history.build_epoch), so one tree
    always gives the same files (sitemap); say once that a copy without git has no history."""
    pin_build_epoch(root, library)
    if not _state.get("history_noted") and not has_history(root):
        log.info(NO_HISTORY)
        _state["history_noted"] = True


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated files, written to a folder of their own so they are never all in memory.

    A preview after an edit to cases only renders those cases' pages again (see
    casebook.handover.preview.changed_cases); MkDocs's --dirty mode then rebuilds just those pages.
    """
    library, root, settings = _state["library"], _state["root"], _state["settings"]
    changed = _changed_cases_only()
    if changed is None:
        _remove_stage()
        _state["stage"] = Path(tempfile.mkdtemp(prefix="casebook-site-"))
        try:
            _state["staged"] = staged_site_outputs(library, root, _state["stage"], settings,
                                                   workers=_workers())
        except MissingVendorFile as error:
            raise PluginError(str(error)) from None
        _state["staged"] += stage(_state["problem_pages"], _state["stage"])
        _state["blocks"] = {}
        fresh = _state["staged"]
    else:
        fresh = stage(changed_case_outputs(library, root, settings, changed), _state["stage"])
        log.info("预览只更新了改动的 %d 个案例的页面；列表、汇总、下载和搜索索引在完整构建时更新。", len(changed))
    for staged in fresh:
        if staged.blocks:  # Markdown gets the headings only; the HTML goes back in on_post_page
            _state["blocks"][staged.path] = staged.blocks
    _state["incremental"] = changed is not None
    _state["rendered"] = (library, _templates_digest(root), settings, bool(_state["problem_pages"]))
    for staged in _state["staged"]:
        if files.get_file_from_path(staged.path) is not None:
            raise PluginError(f"content/{staged.path} 与生成的页面同名；请改名或删除这个手写页面。")
        files.append(File.generated(config, staged.path, abs_src_path=str(staged.file)))
    return files


def _changed_cases_only() -> set[str] | None:
    """The cases to render again for a quick preview, or None when the whole site must be."""
    if not (_state.get("serving") and _state.get("dirty") and _state.get("rendered")):
        return None
    library, templates, settings, had_problems = _state["rendered"]
    if had_problems or _state["problem_pages"] or settings != _state["settings"]:
        return None
    if templates != _templates_digest(_state["root"]):
        return None
    return changed_cases(library, _state["library"])


def _templates_digest(root: Path) -> list[tuple[str, int, int]]:
    return sorted((p.relative_to(root).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in (root / "macros").rglob("*") if p.is_file())


def on_page_content(content: str, page: Page, **_: object) -> str:
    """Pin the page title, escaped once, so the theme never un-escapes it.

    Material writes `page.title | striptags` into <title>; `striptags` also un-escapes entities, so
    a record titled `</title><script>…` would break out of the element. The theme prints
    `page.meta.title` as it is, so an escaped copy there keeps any title inert.
    """
    if page.title:
        page.meta["title"] = html.escape(html.unescape(page.title), quote=False)
    return content


def on_post_page(output: str, page: Page, **_: object) -> str:
    """Put a generated page's HTML back, as the page is written (so it is held one at a time).

    The page's Markdown and converted body are not needed once it is written; MkDocs would keep
    them for every page until the build ends.
    """
    blocks = _state.get("blocks", {}).get(page.file.src_uri)
    page.markdown, page.content = None, None
    return put_back_staged_html(output, blocks) if blocks else output


def _remove_stage() -> None:
    if _state.get("stage"):
        shutil.rmtree(_state.pop("stage"), ignore_errors=True)


def on_shutdown() -> None:
    _remove_stage()


def on_post_build(config: MkDocsConfig) -> None:
    """Index the built site for search (Pagefind), in every build and every `serve` rebuild.

    The offline copy gets its own index and the script twins of its data files instead.
    """
    if not _state.get("serving"):
        _remove_stage()  # everything generated is in the site now (a preview keeps it for edits)
    if _state.get("incremental"):
        return  # the search index of the last full rendering stays (--dirty keeps the site)
    if _state["settings"].get("offline"):
        finish_offline_copy(Path(config.site_dir), _state["library"])
        return
    tokens = PageTokens(_state["library"])
    if not _state.get("serving"):
        # A build has no more use for the records: the indexer runs in the memory they held.
        _state.pop("library")
        _state.pop("rendered", None)
        release_memory()
    try:
        summary = index_site(Path(config.site_dir), tokens, _state["root"] / "macros",
                             workers=_workers(),
                             shard_chars=_state["settings"].get("search_shard_chars", SHARD_CHARS))
    except RuntimeError as error:
        raise PluginError(str(error)) from None
    log.info("搜索索引：%d 个页面，分 %d 份，%d 个文件，共 %.0f KB，用时 %.1f 秒", summary.pages,
             summary.shards, summary.files, summary.bytes / 1024, summary.seconds)

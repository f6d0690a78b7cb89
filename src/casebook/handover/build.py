"""`casebook build` and `casebook serve`: validate, stage, run the engine, finish. One path for
every engine (casebook.handover.engines); the engine never sees a record, only files.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from casebook.handover.engines import (
    Engine,
    EngineError,
    command,
    engine_environment,
    run_build,
)
from casebook.handover.finish import Finished, FinishError, finish_site
from casebook.handover.links import broken_links
from casebook.handover.preview import changed_case_outputs, changed_cases, problem_pages
from casebook.handover.stage import (
    DEFAULT_STAGE,
    GLOSSARY,
    GLOSSARY_ENVIRONMENT,
    SITE,
    StageError,
    restage,
    stage_site,
    write_engine_config,
)
from casebook.library.check import CheckResult, check_library
from casebook.library.link import Library
from casebook.library.report import text_report
from casebook.parallel import BUILD_MEMORY_MB
from casebook.records.history import NO_HISTORY, build_epoch, has_history, pin_build_epoch
from casebook.site.search_index import BUNDLE, SEARCH_INDEX_RUNS, SHARD_CHARS
from casebook.timings import timed

log = logging.getLogger("casebook")
Say = Callable[[str], None]


class DataError(RuntimeError):
    """The records did not pass validation: the validator's report, for people."""


@dataclass(frozen=True)
class Built:
    site: Path
    stage: Path
    pages: int
    engine_seconds: float
    finished: Finished


def default_stage(root: Path) -> Path:
    return root / DEFAULT_STAGE


def checked(root: Path, say: Say, *, workers: int | None = None) -> Library:
    """The valid library, with the build dated; DataError with the report when it is not."""
    result = check_library(root, workers=workers)
    if result.errors:
        raise DataError("案例数据未通过校验，网站没有构建：\n" + text_report(result))
    for problem in result.problems:  # warnings inform; they never fail a strict build
        say(f"警告：{problem.file}:{problem.line}:{problem.column}: {problem.message}")
    _date(root, result.library, say)
    return result.library


def _date(root: Path, library: Library, say: Say) -> None:
    """Date the build as every other step does (casebook.records.history.build_epoch), so one
    tree always gives the same files; say that a copy without git has no history."""
    pin_build_epoch(root, library)
    if not has_history(root):
        say(NO_HISTORY)


def build(root: Path, site_dir: Path, engine: Engine, *, library: Library | None = None,
          stage_dir: Path | None = None, strict: bool = True,
          workers: int | None = None, say: Say = print) -> Built:
    """The whole site into `site_dir`, by `engine`."""
    library = library or checked(root, say, workers=workers)
    folder = stage_dir or default_stage(root)
    with timed("pages"):
        staged = stage_site(library, root, folder, workers=workers)
        config = write_engine_config(root, folder, engine)
    started = time.monotonic()
    shutil.rmtree(folder / SITE, ignore_errors=True)
    with timed("engine"):
        run_build(engine, config, strict=strict,
                  env={GLOSSARY_ENVIRONMENT: str(folder / GLOSSARY)})
    seconds = time.monotonic() - started
    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(folder / SITE, site_dir)
    finished = finish_site(site_dir, folder, library, engine, root / "macros",
                           site_url=staged.settings.get("site_url", ""),
                           epoch=build_epoch(root, library), workers=workers,
                           shard_chars=int(staged.settings.get("search_shard_chars", SHARD_CHARS)),
                           search_runs=int(staged.settings.get("search_index_runs", SEARCH_INDEX_RUNS)),
                           memory_mb=int(staged.settings.get("build_memory_mb", BUILD_MEMORY_MB)))
    with timed("links"):
        broken = broken_links(site_dir, root_path=urlsplit(staged.settings.get("site_url", "")).path
                              or "/")
    if broken and strict:
        raise FinishError(f"{engine.label} 构建的网站有 {len(broken)} 个站内链接无法打开：\n"
                          + "\n".join(broken[:40]))
    for line in broken:
        say(f"警告：链接无法打开：{line}")
    return Built(site_dir, folder, len(staged.generated), seconds, finished)


# --- the preview ---------------------------------------------------------------------------

WATCHED = ("cases", "macros", "content", "CONTRIBUTING.md", "mkdocs.yml")


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for name in WATCHED:
        path = root / name
        for item in ([path] if path.is_file() else path.rglob("*") if path.is_dir() else []):
            if item.is_file():
                stat = item.stat()
                found[item.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def _preview_library(root: Path, cache: dict, say: Say) -> tuple[Library, list] | None:
    """The library a preview shows: broken cases dropped (each gets a page listing its problems),
    or None when a vocabulary is broken (every page would be wrong; the preview waits)."""
    result: CheckResult = check_library(root, workers=1, cache=cache)
    if not result.errors:
        for problem in result.problems:
            say(f"警告：{problem.file}:{problem.line}:{problem.column}: {problem.message}")
        return result.library, []
    broken = {p.file for p in result.errors}
    if any(Path(rel).parent.as_posix() not in ("cases", "cases/courses") for rel in broken):
        say("词表未通过校验，预览没有更新：\n" + text_report(result))
        return None
    for rel in broken:
        records = result.library.courses if "courses" in rel else result.library.cases
        records.pop(Path(rel).stem, None)
    say("以下案例未通过校验，预览中显示为问题清单：\n" + text_report(result))
    return result.library, problem_pages(result.library, root, result.errors)


def serve(root: Path, engine: Engine, dev_addr: str, *, say: Say = print,
          poll: float = 0.5, stop: Callable[[], bool] = lambda: False) -> int:
    """Preview: the engine's own server on a staged tree that follows every edit.

    The stage keeps each page's HTML in place (the engine's preview writes pages we never see),
    and the search index of a first full build is handed over as files. After an edit to cases
    only, just those cases' pages are staged again; anything else stages everything.
    """
    folder = root / ".cache" / "preview"
    stage_dir = folder / "stage"
    site_dir = stage_dir / SITE
    cache: dict = {}
    first = _preview_library(root, cache, say)
    if first is None:
        return 1
    library, problems = first
    _date(root, library, say)
    try:
        stage_site(library, root, stage_dir, extra_pages=problems, workers=1)
        config = write_engine_config(root, stage_dir, engine)
        env = {GLOSSARY_ENVIRONMENT: str(stage_dir / GLOSSARY)}
        shutil.rmtree(site_dir, ignore_errors=True)
        run_build(engine, config, strict=False, env=env)
        finish_site(site_dir, stage_dir, library, engine, root / "macros", workers=1)
    except (EngineError, StageError) as error:
        say(str(error))
        return 1
    keep = _hand_over_search(site_dir, stage_dir)
    settings = stage_site(library, root, stage_dir, extra_pages=problems, set_aside=False,
                          keep=keep, workers=1).settings
    config = write_engine_config(root, stage_dir, engine)
    line = command(engine, config, (*engine.serve_args, "--dev-addr", dev_addr), strict=False)
    server = subprocess.Popen(line, cwd=stage_dir, env={**engine_environment(), **env})
    say(f"预览：http://{dev_addr}/ （{engine.label}；改动案例、模板或手写页面后自动更新，Ctrl+C 结束）")
    seen = _snapshot(root)
    try:
        while server.poll() is None and not stop():
            time.sleep(poll)
            now = _snapshot(root)
            if now == seen:
                continue
            edited = {path for path in now.keys() | seen.keys() if now.get(path) != seen.get(path)}
            seen = now
            found = _preview_library(root, cache, say)
            if found is None:
                continue
            before, had_problems = library, problems
            library, problems = found
            cases = None if had_problems or problems or any(
                not path.startswith("cases/") for path in edited) else changed_cases(before, library)
            try:
                if cases is not None:
                    restage_cases(library, root, stage_dir, settings, cases)
                    say(f"预览只更新了改动的 {len(cases)} 个案例的页面；列表、汇总、下载和搜索索引在完整构建时更新。")
                else:
                    stage_site(library, root, stage_dir, extra_pages=problems, set_aside=False,
                               keep=keep, workers=1)
            except StageError as error:
                say(str(error))
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)
    return 0


def restage_cases(library: Library, root: Path, stage_dir: Path, settings: dict,
                  cases: set[str]) -> None:
    restage(stage_dir, changed_case_outputs(library, root, settings, cases), set_aside=False)


def _hand_over_search(site_dir: Path, stage_dir: Path) -> frozenset[str]:
    """Copy the first build's search index into the stage, where the engine serves it as files."""
    kept = []
    for name in (BUNDLE,):
        source = site_dir / name
        if source.is_dir():
            target = stage_dir / "docs" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
            kept += [p.relative_to(stage_dir / "docs").as_posix() for p in _files(target)]
    return frozenset(kept)


def _files(folder: Path) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file())

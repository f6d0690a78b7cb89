"""Everything the site serves that is made from the records, for any site engine to publish."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from casebook.contribute.case_form import case_form_outputs
from casebook.contribute.guide import contributor_outputs
from casebook.files.export import record_copies
from casebook.files.trainer_pages import trainer_outputs
from casebook.handover.prerendered import StagedFile, stage
from casebook.library.link import Library
from casebook.parallel import BUILD_MEMORY_MB, affordable_workers, cores, run_jobs
from casebook.records.history import record_history
from casebook.site.courses import course_pages
from casebook.site.finder import finder_outputs
from casebook.site.render import Page, render_site
from casebook.site.search_terms import search_outputs
from casebook.site.vendor import vendored_outputs

# Below this many cases, worker processes cost more than they save.
PARALLEL_FROM = 200
RUNS_PER_PROCESS = 8


def site_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None,
                 *, workers: int | None = None) -> list[Page]:
    """Pages, record copies and downloads, each with the path it is served at.

    The parts are independent, so a large library renders them on every core (`workers`,
    default all; 1 renders here). The result is the same, in the same order, either way.
    """
    return _outputs(library, root, settings, workers, list)


def staged_site_outputs(library: Library, root: Path, folder: Path,
                        settings: dict[str, Any] | None = None,
                        *, workers: int | None = None, set_aside: bool = True) -> list[StagedFile]:
    """The same files written under `folder` (see prerendered.stage), by the workers that made
    them, so no process ever holds the whole site: what a site engine builds."""
    return _outputs(library, root, settings, workers,
                    partial(stage, folder=folder, set_aside=set_aside))


def _outputs(library: Library, root: Path, settings: dict[str, Any] | None, workers: int | None,
             keep: Callable[[Iterable[Page]], list[Any]]) -> list[Any]:
    settings = {"history": record_history(root, library), **(settings or {})}
    if len(library.cases) < PARALLEL_FROM:
        workers = 1
    else:  # fewer workers for a library too large to copy into each (parallel.affordable_workers)
        workers = affordable_workers(workers, int(settings.get("build_memory_mb", BUILD_MEMORY_MB)))
    # The pages are made in runs of the site's order, the heavy ones (practices, indicators: each
    # lists hundreds of cases) at its end; runs small enough to spread those over all processes.
    parts = RUNS_PER_PROCESS * (workers or cores())
    jobs = [partial(trainer_outputs, library, root, settings)]  # the longest job first
    jobs += [partial(render_site, library, root, settings, part, parts) for part in range(parts)]
    jobs += [partial(course_pages, library, root, settings), partial(record_copies, library, root),
             partial(search_outputs, library, root), partial(finder_outputs, library, root, settings)]
    trainer, *rest = run_jobs([_then(job, keep) for job in jobs], workers)
    rendered = [page for result in rest[:parts] for page in result]
    courses, records, search, finder = rest[parts:]
    made = rendered + courses + records + trainer + search + finder
    form = case_form_outputs(library, root, settings)  # before the guide, which links to it
    extra = contributor_outputs(library, root, [Page(f.path, b"") for f in [*made, *form]])
    extra += vendored_outputs(root) + form
    return made + keep(extra)


def _then(job: Callable[[], Iterable[Page]], keep: Callable[[Iterable[Page]], list[Any]]) -> Callable[[], list[Any]]:
    return lambda: keep(job())

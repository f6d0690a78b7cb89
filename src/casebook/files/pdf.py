"""Typeset handouts into A4 PDFs with WeasyPrint, in parallel, into a built site.

Why WeasyPrint: Chromium's PDF printing embeds CJK fonts so that copied text comes back as
radical look-alikes (人 → ⼈); WeasyPrint with Noto Sans CJK SC keeps the real characters.
Output is deterministic (no dates but the build's, casebook.records.history.build_epoch, pinned in
SOURCE_DATE_EPOCH for the font subsetter before the workers start; a content-derived identifier),
so an unchanged handout can be taken from a cache keyed by its input, and two runs of one tree
give identical bytes. WeasyPrint fetches nothing: every URL it meets is refused.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from casebook.files.handouts import Handout
from casebook.site.render import HANDOUTS_DIR


def write_pdfs(handouts: list[Handout], site_dir: Path, css: str, *, jobs: int | None = None,
               cache_dir: Path | None = None) -> tuple[list[Path], int]:
    """Write each handout's PDF under `site_dir`; return the files and how many came from cache.

    PDFs under `site_dir`/handouts/ that no handout produces any more are removed.
    """
    salt = f"weasyprint {version('weasyprint')}\n{css}\n"
    keys = [hashlib.sha256((salt + h.html).encode("utf-8")).hexdigest() for h in handouts]
    cached = {i for i, key in enumerate(keys) if cache_dir and (cache_dir / f"{key}.pdf").is_file()}
    todo = [(h.html, css) for i, h in enumerate(handouts) if i not in cached]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if workers == 1:
        made = [_typeset(item) for item in todo]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            made = list(pool.map(_typeset, todo))
    fresh = iter(made)
    written = []
    for i, handout in enumerate(handouts):
        target = site_dir / handout.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if i in cached:
            shutil.copyfile(cache_dir / f"{keys[i]}.pdf", target)  # type: ignore[operator]
        else:
            data = next(fresh)
            target.write_bytes(data)
            if cache_dir:
                cache_dir.mkdir(parents=True, exist_ok=True)
                (cache_dir / f"{keys[i]}.pdf").write_bytes(data)
        written.append(target)
    _remove_stale(site_dir / HANDOUTS_DIR, set(written))
    return written, len(cached)


def _typeset(item: tuple[str, str]) -> bytes:
    """One handout's HTML and style sheet → PDF bytes (runs in a worker process)."""
    import weasyprint  # here, so that only the handout step needs Pango

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html, css = item
    refuse_all = weasyprint.URLFetcher(allowed_protocols=[])
    document = weasyprint.HTML(string=html, url_fetcher=refuse_all)
    style = weasyprint.CSS(string=css, url_fetcher=refuse_all)
    return document.write_pdf(stylesheets=[style], pdf_identifier=True)


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    for old in sorted(folder.rglob("*.pdf")) if folder.is_dir() else []:
        if old not in keep:
            old.unlink()

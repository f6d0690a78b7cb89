"""Everything the site serves that is made from the records, for any engine adapter to publish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casebook.contributing import contributor_outputs
from casebook.courses import course_pages
from casebook.export import record_copies
from casebook.finder import finder_outputs
from casebook.history import record_history
from casebook.link import Library
from casebook.offline import offline_download
from casebook.render import Page, render_site
from casebook.search_terms import search_outputs
from casebook.trainer_pages import trainer_outputs


def site_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None) -> list[Page]:
    """Pages, record copies and downloads, each with the path it is served at."""
    settings = {"history": record_history(root), **(settings or {})}
    download = offline_download(root, settings)  # the offline copy's zip, once `make offline` ran
    settings["offline_zip_size"] = len(download.content) if download else 0
    pages = (render_site(library, root, settings) + course_pages(library, root, settings)
             + record_copies(library, root) + trainer_outputs(library, root, settings)
             + search_outputs(library, root) + finder_outputs(library, root, settings))
    return pages + contributor_outputs(library, root, pages) + ([download] if download else [])

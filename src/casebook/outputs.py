"""Everything the site serves that is made from the records, for any engine adapter to publish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casebook.export import record_copies
from casebook.link import Library
from casebook.render import Page, render_site


def site_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None) -> list[Page]:
    """Pages, record copies and downloads, each with the path it is served at."""
    return render_site(library, root, settings) + record_copies(library, root)

"""Export stage: the records as files people take away (raw records now; tables and workbooks later)."""

from __future__ import annotations

from pathlib import Path

from casebook.link import Library
from casebook.render import Page

RECORDS_DIR = "records"


def record_copies(library: Library, root: Path) -> list[Page]:
    """Each record file as published, at `records/<its path>`, so every page can link its source."""
    sources = sorted(set(library.files.values()))
    return [Page(f"{RECORDS_DIR}/{rel}", (root / rel).read_bytes(), rel) for rel in sources]

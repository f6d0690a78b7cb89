"""The contributor guide: CONTRIBUTING.md at the repository root, and the same text on the site.

CONTRIBUTING.md is the one hand-written source (GitHub shows it when a pull request is opened).
Its field reference, between two markers, is generated from the schema by `casebook
field-reference`, and a test fails when it is out of date. The site's guide page
(guide/contributors/) is published from the same file: links written as repository paths are
pointed at the site's copies (content/guide/x.md → x.md, cases/… → the published record), links
to files the site does not serve keep only their text, and lines written as `<!-- site: … -->`
(hidden on GitHub) are shown, for things only the site has, such as the template download.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from casebook.contribute.workbook import TEMPLATE_PATH, excel_template
from casebook.files.export import RECORDS_DIR
from casebook.library.link import Library
from casebook.records.casefile import example
from casebook.records.fields import case_fields
from casebook.site.render import Page

GUIDE_FILE = "CONTRIBUTING.md"  # also named in contributor_commands, which must stay light
GUIDE_PAGE = "guide/contributors.md"
START = "<!-- field-reference:start -->"
END = "<!-- field-reference:end -->"
_SITE_ONLY = re.compile(r"^<!-- site: (.*) -->$", re.MULTILINE)
_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)\)")


def _cell(text: object) -> str:
    """Text safe in a Markdown table cell, on GitHub and in MkDocs alike."""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def field_reference(macros: Path) -> str:
    """The field reference table, rendered by macros/field_reference.md.j2 from the schema."""
    env = SandboxedEnvironment(loader=FileSystemLoader(str(macros)), autoescape=False,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True,
                               comment_start_string="{##", comment_end_string="##}")
    env.filters.update(cell=_cell, example=example)
    return env.get_template("field_reference.md.j2").render(fields=case_fields())


def with_field_reference(text: str, reference: str) -> str:
    """`text` with the part between the markers replaced by `reference`."""
    if START not in text or END not in text or text.index(START) > text.index(END):
        raise ValueError(f"{GUIDE_FILE} 里找不到字段说明的标记 {START} … {END}")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{START}\n{reference.strip()}\n{END}{tail}"


def update_guide(root: Path, *, check: bool) -> bool:
    """Bring CONTRIBUTING.md's field reference up to date (or, with `check`, only compare).

    True when the file was already current.
    """
    path = root / GUIDE_FILE
    text = path.read_text(encoding="utf-8")
    wanted = with_field_reference(text, field_reference(root / "macros"))
    if wanted == text:
        return True
    if not check:
        path.write_text(wanted, encoding="utf-8")
    return False


def site_guide(text: str, published: set[str], content: Path) -> str:
    """CONTRIBUTING.md's text as the site's guide page (see the module docstring)."""
    here = posixpath.dirname(GUIDE_PAGE)
    text = _SITE_ONLY.sub(r"\1", text)

    def relink(match: re.Match[str]) -> str:
        label, target = match.groups()
        path, _, anchor = target.partition("#")
        if not path or re.match(r"^[a-z]+:", path):
            return match.group(0)
        if path.startswith("content/") and (content / path.removeprefix("content/")).is_file():
            site_path = path.removeprefix("content/")
        elif f"{RECORDS_DIR}/{path}" in published:
            site_path = f"{RECORDS_DIR}/{path}"
        elif path in published:
            site_path = path
        else:
            return label  # a repository file the site does not serve: keep the words only
        relative = posixpath.relpath(site_path, here)
        return f"[{label}]({relative}{'#' + anchor if anchor else ''})"

    return _LINK.sub(relink, text)


def contributor_outputs(library: Library, root: Path, published: list[Page]) -> list[Page]:
    """The Excel template download and the contributor guide page."""
    template = Page(TEMPLATE_PATH, excel_template(library))
    outputs = [template]
    guide = root / GUIDE_FILE
    if guide.is_file():
        known = {page.path for page in published} | {template.path}
        text = site_guide(guide.read_text(encoding="utf-8"), known, root / "content")
        outputs.append(Page(GUIDE_PAGE, text, GUIDE_FILE))
    return outputs

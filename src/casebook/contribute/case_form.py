"""The case form on the site (contribute/): a new case without a terminal, git or a code host.

The page is a frame; javascripts/case-form.js builds the form from contribute/form.json, made
here at build time from the same sources as everything else a contributor sees: the fields and
their Chinese titles, help and examples (casebook.records.fields), the schema itself (checked in
the browser by the vendored Ajv, draft-07 like the schemas), the validator's message catalogue
(records/messages.json), the vocabularies, and the Excel template's layout (workbook.layout), so
the workbook the form writes is one `casebook import` reads. GB/T 2260 divisions, for a place the
library does not have yet, are in contribute/divisions.json, loaded only when asked for.

A pull-request link is offered only when the site names a code host (`edit_base` in mkdocs.yml's
extra.casebook, e.g. https://github.com/org/repo/edit/main/): its "new file" page, prefilled.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from casebook.contribute.workbook import DEFAULTS, INFO_SHEET, layout, note
from casebook.library.link import Library
from casebook.records.catalogue import messages
from casebook.records.divisions import divisions, pinyin_id
from casebook.records.fields import case_fields
from casebook.records.numbers import COUNT_UNITS
from casebook.records.validate import choices, load_schema, schema_node
from casebook.site.render import Page, Renderer

PAGE = "contribute/index.md"
DATA = "contribute/form.json"
DIVISIONS = "contribute/divisions.json"
SCHEMA_LINE = "# yaml-language-server: $schema=../src/casebook/schemas/case.schema.json"
REGIONS_FILE = "cases/vocab/regions/regions.yaml"


def new_file_url(edit_base: str) -> str:
    """The code host's "new file in cases/" address from its edit address, or '' if unknown.

    GitHub and Gitea-style hosts write `…/edit/<branch>/` and `…/new/<branch>/`; GitLab writes
    `…/-/edit/<branch>/` and `…/-/new/<branch>/`, which the same replacement turns into each other.
    """
    if "/edit/" not in edit_base:
        return ""
    base = edit_base.replace("/edit/", "/new/", 1)
    return (base if base.endswith("/") else base + "/") + "cases"


def _vocabularies(library: Library) -> dict[str, list[dict[str, Any]]]:
    def entry(rid: str, record: dict[str, Any], *keys: str) -> dict[str, Any]:
        found = {"id": rid, "name": record.get("name") or record.get("title", "")}
        found.update({k: record[k] for k in keys if k in record})
        return found

    return {
        "regions": [entry(rid, r, "aliases", "code", "level", "parent")
                    for rid, r in sorted(library.regions.items(), key=lambda item: item[1]["code"])],
        "practices": [entry(pid, p, "aliases") for pid, p in library.practices.items()],
        "indicators": [entry(iid, i, "aliases", "unit", "minimum", "maximum")
                       for iid, i in library.indicators.items()],
        "themes": [entry(tid, t, "aliases") for tid, t in library.themes.items()],
        "periods": [entry(pid, p) for pid, p in library.periods.items()],
        "case": [entry(cid, c) for cid, c in sorted(library.cases.items())],
    }


def _workbook() -> list[dict[str, Any]]:
    """The template's sheets as the form writes them: the importer reads titles, not positions."""
    return [{"name": sheet.name, "kind": sheet.kind, "path": sheet.path,
             "fields": [{"path": f.path, "key": f.key, "title": f.title, "note": note(f)}
                        for f in sheet.fields]}
            for sheet in layout()]


def form_data(library: Library, settings: dict[str, Any]) -> dict[str, Any]:
    fields = []
    for item in case_fields():
        shown = asdict(item)
        shown["parts"] = list(item.parts)
        shown["key"] = item.key
        shown["pattern"] = schema_node("case", item.parts).get("pattern", "")
        fields.append(shown)
    return {
        "fields": fields,
        "schema": load_schema("case"),
        "messages": messages(),
        "vocabularies": _vocabularies(library),
        "region_levels": dict(choices(schema_node("regions", (0, "level")))),
        "count_units": sorted(COUNT_UNITS),
        "defaults": DEFAULTS,
        "workbook": {"info_sheet": INFO_SHEET, "sheets": _workbook()},
        "schema_line": SCHEMA_LINE,
        "regions_file": REGIONS_FILE,
        "new_file": new_file_url(str(settings.get("edit_base") or "")),
    }


def divisions_data() -> list[list[str]]:
    """[code, name, short name, parent code, id from its pinyin, level] for every GB/T 2260 division."""
    return [[d.code, d.name, d.short_name, d.parent or "", pinyin_id(d.short_name), d.level]
            for d in divisions().values()]


def case_form_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None) -> list[Page]:
    settings = settings or {}
    renderer = Renderer(library, root / "macros", settings)
    data = form_data(library, renderer.settings)
    page = renderer.render("case_form.md.j2", PAGE, python_only=messages()["python_only"],
                           has_host=bool(data["new_file"]))
    dump = {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": False}
    return [page, Page(DATA, json.dumps(data, **dump)), Page(DIVISIONS, json.dumps(divisions_data(), **dump))]

"""The case finder: every case with the facets it can be filtered by, for a page that needs no server.

The finder page (finder/) is rendered from the vocabularies, so its checkboxes work as plain HTML;
javascripts/finder.js filters the cases in finder/cases.json, counts the matches for every choice
and keeps the choices in the page address (finder/?region=guizhou&practice=yijiantiao), so a link
reproduces them. To stay small on a phone the file refers to vocabulary entries by position in
its lists, not by id; a thousand cases make about 500 KB, 55 KB when gzip-compressed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from casebook.library.link import Library
from casebook.records.validate import choices, schema_node
from casebook.site.render import Page, Renderer, page_url, record_path

PAGE = "finder/index.md"
DATA = "finder/cases.json"
# Facets in the order the page shows them: URL parameter, heading, and whether it starts open.
FACETS = (("region", "地区", True), ("level", "层级", True), ("period", "政策阶段", True),
          ("theme", "主题", True), ("practice", "做法", False), ("indicator", "报告的指标", False))


def facet_values(library: Library) -> dict[str, list[dict[str, Any]]]:
    """Every choice of every facet: id, label, and what the page groups or nests it under.

    Only regions that have a case, in themselves or below: a choice that finds nothing is a dead end.
    """
    found = {r["id"] for case in library.cases.values()
             for r in library.region_chain(case["place"]["region"])}
    regions = sorted((r for r in library.regions.values() if r["id"] in found), key=lambda r: r["code"])
    categories = {tid: theme["name"] for tid, theme in library.themes.items()}
    return {
        "region": [{"id": r["id"], "name": r["name"], "parent": r.get("parent")} for r in regions],
        "level": [{"id": value, "name": label}
                  for value, label in choices(schema_node("case", ("place", "level")))],
        "period": [{"id": pid, "name": p["name"]} for pid, p in library.periods.items()],
        "theme": [{"id": tid, "name": t["name"]} for tid, t in library.themes.items()],
        "practice": [{"id": pid, "name": p["name"], "group": categories.get(p["category"], "")}
                     for pid, p in library.practices.items()],
        "indicator": [{"id": iid, "name": i["name"], "group": categories.get(i["category"], "")}
                      for iid, i in library.indicators.items()],
    }


def case_facets(library: Library, case: dict[str, Any]) -> dict[str, list[str]]:
    """The choices one case answers to; a region counts with every region above it."""
    return {
        "region": [r["id"] for r in library.region_chain(case["place"]["region"])],
        "level": [case["place"]["level"]],
        "period": list(case["time"]["periods"]),
        "theme": list(case["themes"]),
        "practice": list(dict.fromkeys(e["practice"] for e in case["practices"])),
        "indicator": list(dict.fromkeys(v["indicator"] for v in case["indicators"])),
    }


def years(time: dict[str, Any]) -> str:
    """2018–2021, or 2016 for a case that began and ended in one year (as macros' c.years)."""
    start, end = time["start"], time["end"]
    return str(start) if start == end else f"{start}–{end}"


def finder_data(library: Library) -> dict[str, Any]:
    """The finder's data: the facets' choices, and each case with the positions of its choices.

    Case URLs are the site's (`cases/x/`); in the offline copy the finder's script turns them into
    files (casebookData.page).
    """
    values = facet_values(library)
    position = {facet: {v["id"]: i for i, v in enumerate(choices_)} for facet, choices_ in values.items()}
    cases = []
    for case in library.sorted_cases():
        chain = library.region_chain(case["place"]["region"])
        entry: dict[str, Any] = {
            "id": case["id"], "title": case["title"],
            "url": page_url(record_path("case", case["id"])),
            "place": " › ".join(r["name"] for r in chain),
            "years": years(case["time"]),
        }
        for facet, ids in case_facets(library, case).items():
            entry[facet] = [position[facet][i] for i in ids if i in position[facet]]
        cases.append(entry)
    return {"facets": values, "cases": cases}


def finder_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None) -> list[Page]:
    """The finder page and its data file."""
    renderer = Renderer(library, root / "macros", settings)
    values = facet_values(library)
    children: dict[str | None, list[dict[str, Any]]] = {}
    for region in values["region"]:
        children.setdefault(region["parent"], []).append(region)
    groups = {facet: _grouped(values[facet]) for facet in ("practice", "indicator")}
    page = renderer.render("finder.md.j2", PAGE, facets=FACETS, values=values, regions=children,
                           groups=groups, total=len(library.cases))
    data = json.dumps(finder_data(library), ensure_ascii=False, separators=(",", ":"))
    return [page, Page(DATA, data)]


def _grouped(entries: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(entry["group"], []).append(entry)
    return list(groups.items())

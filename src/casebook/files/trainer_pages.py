"""What trainers take away and compare: downloads, the data dictionary, the compare page, charts.

`trainer_outputs` is the one call `outputs.site_outputs` makes: the download files under
`downloads/`, the downloads page with a data dictionary generated from the column definitions
(and through them the schema), the compare page, and each indicator's chart as an SVG file for
slides. The compare page holds the choice of cases and the tables' frames; each case's part of
the comparison is a file of its own (compare/cases/<id>.json), which a small script
(content/javascripts/compare.js) loads for the cases named in the address. So the page, and what
a reader downloads, stays the same size however large the library grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casebook.files.export import (
    DOWNLOADS_DIR,
    RECORDS_JSON,
    WORKBOOK,
    data_date,
    record_files,
    table_files,
)
from casebook.files.tables import all_tables
from casebook.library.compare import caveats, facets, indicator_comparison, who
from casebook.library.link import VOCABULARIES, Library
from casebook.site.charts import bar_chart
from casebook.site.render import Page, Renderer, record_path

MAX_COMPARED = 4


def trainer_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None) -> Iterator[Page]:
    """Downloads, the downloads page, the compare page and the chart files, in a stable order.

    Made one at a time, so that a caller writing each away (prerendered.stage) never holds the
    downloads and compare parts of a large library all at once.
    """
    renderer = Renderer(library, root / "macros", settings)
    sizes: dict[str, int] = {}
    yield from _download_pages(record_files(library), sizes)  # the largest file, before the tables
    tables = all_tables(library)
    yield from _download_pages(table_files(library, tables), sizes)
    yield renderer.render("downloads.md.j2", record_path("downloads"), tables=tables, sizes=sizes,
                          workbook=WORKBOOK, records_json=RECORDS_JSON, vocabularies=VOCABULARIES,
                          data_date=data_date(library).date(), cases=library.sorted_cases())
    del tables
    yield from compare_outputs(library, renderer)
    for iid in sorted(library.indicators):
        chart = bar_chart(library.indicators[iid], indicator_comparison(library, iid),
                          renderer.settings["list_limit"])
        if chart:
            yield renderer.render("chart.svg.j2", f"charts/{iid}.svg", chart=chart,
                                  indicator=library.indicators[iid])


def _download_pages(files: Iterator[tuple[str, bytes]], sizes: dict[str, int]) -> Iterator[Page]:
    """The download files as pages under downloads/, noting each one's size in `sizes`."""
    for name, data in files:
        sizes[name] = len(data)
        yield Page(f"{DOWNLOADS_DIR}/{name}", data)
        del data  # written away by now; not kept while the next file is made


# The rows of the compare page's first table, in order: (key, label); compare_case.html.j2 fills them.
FIELDS = (("case", "案例"), ("region", "地区"), ("body", "实践主体"), ("time", "时间"), ("themes", "主题"),
          ("status", "审核状态"), ("summary", "摘要"), ("size", "规模"))


def compare_outputs(library: Library, renderer: Renderer) -> Iterator[Page]:
    """The compare page, and each case's part of it as compare/cases/<id>.json.

    A case's part: its cells of the case table, its practices (with each entry's position, for
    the case page's `#p-N` anchor), its values by indicator with what decides comparability (each
    value's facets and caveats, which the page grades by the rules of `compare.grade`), and its
    outcomes.
    """
    cases = library.sorted_cases()
    path = record_path("compare")
    yield renderer.render("compare.md.j2", path, maximum=MAX_COMPARED, cases=cases,
                          fields=FIELDS, order={"practices": list(library.practices),
                                                "indicators": list(library.indicators)})
    for case in cases:
        yield compare_part(library, renderer, case)


def compare_part(library: Library, renderer: Renderer, case: dict[str, Any]) -> Page:
    """One case's part of the compare page (compare/cases/<id>.json)."""
    practices: dict[str, list] = {}
    for position, entry in enumerate(case["practices"], 1):
        practices.setdefault(entry["practice"], []).append((position, entry))
    indicators: dict[str, list] = {}
    for value in case["indicators"]:
        indicators.setdefault(value["indicator"], []).append(value)
    level = case["place"]["level"]
    info = {value["id"]: {"grading": {"facets": [[f.name, f.key, f.label, f.blocking, f.years]
                                                 for f in facets(value, level)],
                                      "caveats": caveats(value)}}
            for value in case["indicators"]}
    units = {iid: indicator["unit"] for iid, indicator in library.indicators.items()}
    part = renderer.render("compare_case.html.j2", record_path("compare"), case=case,
                           who=who(library, case), chain=library.region_chain(case["place"]["region"]),
                           practices=list(practices.items()), indicators=list(indicators.items()),
                           names_units=units, value_info=info)
    return Page(f"compare/cases/{case['id']}.json", json.dumps({"html": part.content}, ensure_ascii=False))

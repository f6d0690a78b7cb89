"""What trainers take away and compare: downloads, the data dictionary, the compare page, charts.

`trainer_outputs` is the one call `outputs.site_outputs` makes: the download files under
`downloads/`, the downloads page with a data dictionary generated from the column definitions
(and through them the schema), the compare page, and each indicator's chart as an SVG file for
slides. The compare page holds every case's column, row and note precomputed; a small script
(content/javascripts/compare.js) shows those of the cases named in the address.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

from casebook.charts import bar_chart
from casebook.compare import compare_values, pair_note, reported, who
from casebook.export import DOWNLOADS_DIR, RECORDS_JSON, WORKBOOK, data_date, download_files
from casebook.link import VOCABULARIES, Library
from casebook.render import Page, Renderer, record_path
from casebook.tables import all_tables

MAX_COMPARED = 4


def trainer_outputs(library: Library, root: Path, settings: dict[str, Any] | None = None) -> list[Page]:
    """Downloads, the downloads page, the compare page and the chart files, in a stable order."""
    renderer = Renderer(library, root / "macros", settings)
    tables = all_tables(library)
    files = download_files(library, tables)
    pages = [Page(f"{DOWNLOADS_DIR}/{name}", data) for name, data in files.items()]
    pages.append(renderer.render("downloads.md.j2", record_path("downloads"), tables=tables,
                                 sizes={name: len(data) for name, data in files.items()},
                                 workbook=WORKBOOK, records_json=RECORDS_JSON,
                                 vocabularies=VOCABULARIES, data_date=data_date(library).date(),
                                 cases=library.sorted_cases()))
    pages.append(renderer.render("compare.md.j2", record_path("compare"), maximum=MAX_COMPARED,
                                 **compare_view(library)))
    for iid in sorted(library.indicators):
        chart = bar_chart(library.indicators[iid], compare_values(reported(library, iid)))
        if chart:
            pages.append(renderer.render("chart.svg.j2", f"charts/{iid}.svg", chart=chart,
                                         indicator=library.indicators[iid]))
    return pages


def compare_view(library: Library) -> dict[str, Any]:
    """Everything the compare page can show, for every case; the page script picks the columns.

    Practices: each one any case uses, with each case's entries (and their position, for the
    case page's `#p-N` anchor). Indicators: those at least two cases report (only these can be
    common to a selection), with each case's values and a note for every pair of cases.
    """
    cases = library.sorted_cases()
    practices = []
    for pid, practice in library.practices.items():
        uses = {case["id"]: [(position, entry) for position, entry in enumerate(case["practices"], 1)
                             if entry["practice"] == pid] for case in cases}
        uses = {cid: entries for cid, entries in uses.items() if entries}
        if uses:
            practices.append({"practice": practice, "uses": uses})
    indicators = []
    for iid, indicator in library.indicators.items():
        values = reported(library, iid)
        by_case: dict[str, list] = {}
        for item in values:
            by_case.setdefault(item.case_id, []).append(item)
        if len(by_case) < 2:
            continue
        sets = compare_values(values).set_label
        pairs = [{"cases": (a, b), "names": (by_case[a][0].who, by_case[b][0].who),
                  "comparable": note[0], "note": note[1]}
                 for a, b in combinations(sorted(by_case), 2)
                 for note in [pair_note(by_case[a], by_case[b])]]
        indicators.append({"indicator": indicator, "by_case": by_case, "sets": sets, "pairs": pairs})
    return {"cases": cases, "who": {c["id"]: who(library, c) for c in cases},
            "chains": {c["id"]: library.region_chain(c["place"]["region"]) for c in cases},
            "practices": practices, "indicators": indicators}

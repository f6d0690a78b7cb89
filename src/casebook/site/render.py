"""Render stage: the library → Markdown pages, through Jinja templates and macros in `macros/`.

Python here only gathers plain data for each page and calls one template. The Jinja environment
is sandboxed, autoescaped and strict about undefined names; record text is passed in as data and
never becomes template source. The output is engine-neutral Markdown with HTML blocks, addressed
by stable paths (`cases/<id>.md` is served at `cases/<id>/`).
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from casebook.library.compare import indicator_comparison, reported
from casebook.library.link import Library
from casebook.library.references import Target, names_only, resolve
from casebook.records.validate import choices, schema_node
from casebook.site.charts import bar_chart, drawn_sets
from casebook.site.text import Refer, TextRenderer, markdown_inline

SECTIONS = {"case": "cases", "practice": "practices", "indicator": "indicators", "theme": "themes",
            "region": "regions", "course": "courses", "compare": "compare", "downloads": "downloads"}
HANDOUTS_DIR = "handouts"


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes, its Markdown, and the record file it comes from."""

    path: str
    content: str | bytes
    source: str | None = None
    # Markdown only in its headings, the rest rendered HTML (see casebook.handover.prerendered).
    prerendered: bool = False


# How many cases a vocabulary page lists by default (mkdocs.yml: extra.casebook.list_limit).
LIST_LIMIT = 30


def template_environment(macros: Path) -> SandboxedEnvironment:
    """The sandboxed, autoescaping, strict environment every page template is rendered in."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(macros)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # `{#id}` is Markdown's attribute-list syntax for heading ids, so comments use `{## ##}`.
        comment_start_string="{##", comment_end_string="##}",
    )
    # `tojson` keeps Chinese as UTF-8, not as \uXXXX (twice the bytes in every page and data
    # file); it still escapes <, >, & and ' so that its output is safe inside HTML.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def page_url(path: str) -> str:
    """Site URL (relative to the site root) of the page at `path`, with directory URLs.

    The offline copy keeps these paths; it only adds `index.html` to its links
    (casebook.files.offline.file_link).
    """
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/" if stem.endswith("/index") else stem + "/"


def record_path(kind: str, rid: str | None = None) -> str:
    """Source path of a generated page: `record_path("case", "x")` → `cases/x.md`."""
    if kind == "home":
        return "index.md"
    if kind == "glossary":
        return "glossary.md"
    return f"{SECTIONS[kind]}/{rid or 'index'}.md"


def handout_path(kind: str, rid: str) -> str:
    """Where the printable handout of a case or course is served: `handouts/cases/<id>.pdf`."""
    return f"{HANDOUTS_DIR}/{SECTIONS[kind]}/{rid}.pdf"


# Every page links hundreds of others; the same (target, page folder) pairs recur across pages.
_relpath = lru_cache(maxsize=1 << 16)(posixpath.relpath)


@pass_context
def _url(context: Context, kind: str, rid: str | None = None, anchor: str | None = None) -> str:
    return _doc_url(context, record_path(kind, rid), anchor)


@pass_context
def _doc_url(context: Context, path: str, anchor: str | None = None) -> str:
    """Relative URL of the page made from `path` (`guide/cadres.md`), for pages without a kind."""
    here = page_url(context["page_path"])
    relative = _relpath(page_url(path) or ".", here or ".")
    url = "./" if relative == "." else relative + "/"
    return f"{url}#{anchor}" if anchor else url


@pass_context
def _file_url(context: Context, path: str) -> str:
    """Relative URL of a file the site serves (`downloads/x.csv`, `javascripts/x.js`)."""
    return _relpath(path, page_url(context["page_path"]) or ".")


def format_number(value: float | int) -> str:
    """16800 → 16,800; 41.73 → 41.73; 3.0 → 3."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


class Renderer:
    """Holds the template environment and the library; renders every page of the site."""

    def __init__(self, library: Library, macros: Path, settings: dict[str, Any] | None = None):
        self.library = library
        self.settings = {"edit_base": "", "site_url": "", "site_name": "乡村振兴党建案例库",
                         "list_limit": LIST_LIMIT,
                         **(settings or {})}
        glossary = {}
        for term in library.glossary.values():
            for name in [term["term"], *term.get("aliases", [])]:
                glossary[name] = names_only(library, term["definition"])  # a tooltip: no links
        self.text = TextRenderer(glossary)
        self.env = template_environment(macros)
        self.env.filters.update(prose=self._prose, plain=self._plain, md=markdown_inline,
                                number=format_number)
        self.env.globals.update(url=_url, doc_url=_doc_url, file_url=_file_url, labels=_labels(),
                                status_notes=status_notes(), settings=self.settings,
                                names=self._names())

    @pass_context
    def _prose(self, context: Context, text: str) -> Any:
        return self.text.prose(text, self._refer(context))

    @pass_context
    def _plain(self, context: Context, text: str) -> Any:
        return self.text.plain(text, self._refer(context))

    def _refer(self, context: Context) -> Refer:
        """References in text on this page: the record's name, linked except in print.

        A `[[value:…]]` names a figure of the page's own case (`case` in the context)."""
        printed = str(context["page_path"]).startswith(HANDOUTS_DIR + "/")
        case = context.get("case")

        def refer(inner: str) -> tuple[str, str | None] | None:
            target = resolve(self.library, inner, case if isinstance(case, dict) else None)
            if not isinstance(target, Target):
                return None  # the validator reports it; a page shows what was written
            if printed or target.kind is None:
                return target.name, None
            return target.name, _url(context, target.kind, target.id, target.anchor)

        return refer

    def _names(self) -> dict[str, dict[str, str]]:
        lib = self.library
        return {
            "case": {k: v["title"] for k, v in lib.cases.items()},
            "practice": {k: v["name"] for k, v in lib.practices.items()},
            "indicator": {k: v["name"] for k, v in lib.indicators.items()},
            "theme": {k: v["name"] for k, v in lib.themes.items()},
            "region": {k: v["name"] for k, v in lib.regions.items()},
            "period": {k: v["name"] for k, v in lib.periods.items()},
            "course": {k: v["title"] for k, v in lib.courses.items()},
        }

    def render(self, template: str, path: str, source: str | None = None, **context: Any) -> Page:
        content = self.env.get_template(template).render(page_path=path, source_file=source,
                                                         **context)
        return Page(path, content, source, prerendered=template.endswith(".md.j2"))

    def pages(self, part: int = 0, parts: int = 1) -> Iterator[Page]:
        """Every page, in a stable order; or the `part`-th of `parts` equal runs of that order.

        Made one at a time, so that a caller writing each away never holds them all."""
        lib = self.library
        plan: list[tuple[Callable[..., Any], tuple[str, ...]]] = [(self.home, ()), (self.glossary, ())]
        plan += [(self.case, (cid,)) for cid in sorted(lib.cases)]
        plan += [(self.practice, (pid,)) for pid in sorted(lib.practices)]
        plan += [(self.indicator, (iid,)) for iid in sorted(lib.indicators)]
        plan += [(self.theme, (tid,)) for tid in sorted(lib.themes)]
        plan += [(self.region, (rid,)) for rid in sorted(lib.regions)]
        size = -(-len(plan) // parts)
        for make, args in plan[part * size:(part + 1) * size]:
            yield make(*args)
        if part == parts - 1:
            yield from self.indexes()

    def glossary(self) -> Page:
        return self.render("glossary.md.j2", "glossary.md",
                           terms=sorted(self.library.glossary.values(), key=lambda t: t["term"]))

    def _source(self, kind: str, rid: str) -> str:
        return self.library.files[(kind, rid)]

    def case(self, cid: str) -> Page:
        lib = self.library
        case = lib.cases[cid]
        values = {v["id"]: v for v in case["indicators"]}
        evidence = Counter(v["evidence"] for v in case["indicators"])
        return self.render(
            "case.md.j2", record_path("case", cid), self._source("case", cid), case=case,
            chain=lib.region_chain(case["place"]["region"]), values=values,
            indicators=lib.indicators, practices=lib.practices, evidence=sorted(evidence.items()),
            related=lib.related_cases(cid), courses=lib.courses_using("case", cid),
            handout=handout_path("case", cid),
        )

    def practice(self, pid: str) -> Page:
        lib = self.library
        practice = lib.practices[pid]
        uses = lib.uses_of_practice(pid)
        # Each use with the place of its section on the case page (`#p-2`), which the table links to.
        placed = [(case, entry, _position(case, entry)) for case, entry in uses]
        measured = {iid for iid, ind in lib.indicators.items() if pid in ind.get("practices", [])}
        values = []
        for case in sorted({c["id"]: c for c, _ in uses}.values(), key=lambda c: c["id"]):
            cited = {ref for finding in case["outcomes"] + case["lessons"]
                     if pid in finding.get("practices", []) for ref in finding.get("indicators", [])}
            values += [(case, v) for v in case["indicators"]
                       if v["indicator"] in measured or v["id"] in cited]
        co_used = Counter(e["practice"] for c, _ in uses for e in c["practices"] if e["practice"] != pid)
        related = list(dict.fromkeys(practice.get("related", []) + [p for p, _ in co_used.most_common(8)]))
        return self.render("practice.md.j2", record_path("practice", pid),
                           self._source("practices", pid), practice=practice, uses=placed,
                           values=values, related=[lib.practices[r] for r in related if r in lib.practices],
                           theme=lib.themes[practice["category"]],
                           courses=lib.courses_using("practice", pid))

    def indicator(self, iid: str) -> Page:
        lib = self.library
        indicator = lib.indicators[iid]
        values = [(case, value, lib.region_chain(case["place"]["region"]))
                  for case, value in lib.values_of_indicator(iid)]
        comparison = indicator_comparison(lib, iid)
        return self.render("indicator.md.j2", record_path("indicator", iid),
                           self._source("indicators", iid), indicator=indicator, values=values,
                           comparison=comparison,
                           chart=bar_chart(indicator, comparison, self.settings["list_limit"]),
                           theme=lib.themes[indicator["category"]],
                           practices=[lib.practices[p] for p in indicator.get("practices", [])])

    def theme(self, tid: str) -> Page:
        lib = self.library
        cases = lib.cases_with_theme(tid)
        return self.render("theme.md.j2", record_path("theme", tid), self._source("themes", tid),
                           theme=lib.themes[tid], cases=cases, anchors=_theme_anchors(lib, tid, cases),
                           practices=[p for p in lib.practices.values() if p["category"] == tid],
                           indicators=[i for i in lib.indicators.values() if i["category"] == tid])

    def region(self, rid: str) -> Page:
        lib = self.library
        return self.render("region.md.j2", record_path("region", rid), self._source("regions", rid),
                           region=lib.regions[rid], chain=lib.region_chain(rid),
                           children=lib.region_children(rid), cases=lib.cases_in_region(rid))

    def _shared_indicators(self) -> list[dict[str, Any]]:
        """Indicators two or more cases report, most cases first: how many, and whether charted."""
        lib = self.library
        rows = []
        for iid, indicator in lib.indicators.items():
            values = reported(lib, iid)
            cases = len({v.case_id for v in values})
            if cases < 2:
                continue
            comparison = indicator_comparison(lib, iid)
            grades = Counter(g.grade for g in comparison.grades.values())
            rows.append({"indicator": indicator, "cases": cases, "count": len(values), "grades": grades,
                         "chart": bool(drawn_sets(indicator, comparison))})
        return sorted(rows, key=lambda r: (-r["cases"], -r["chart"], -r["count"]))

    def indexes(self) -> list[Page]:
        lib = self.library
        cases = lib.sorted_cases()
        practice_counts = Counter(e["practice"] for c in cases for e in c["practices"])
        value_counts = Counter(v["indicator"] for c in cases for v in c["indicators"])
        themes = list(lib.themes.values())
        roots = sorted((r for r in lib.regions.values() if "parent" not in r), key=lambda r: r["code"])
        return [
            self.render("cases_index.md.j2", "cases/index.md", cases=cases,
                        chains={c["id"]: lib.region_chain(c["place"]["region"]) for c in cases}),
            self.render("practices_index.md.j2", "practices/index.md", themes=themes,
                        practices=list(lib.practices.values()), counts=practice_counts),
            self.render("indicators_index.md.j2", "indicators/index.md", themes=themes,
                        indicators=list(lib.indicators.values()), counts=value_counts,
                        shared=self._shared_indicators()),
            self.render("themes_index.md.j2", "themes/index.md", themes=themes,
                        counts=Counter(t for c in cases for t in c["themes"])),
            self.render("regions_index.md.j2", "regions/index.md", roots=roots,
                        tree=self._region_tree(), counts={r: len(lib.cases_in_region(r))
                                                          for r in lib.regions}),
        ]

    def _region_tree(self) -> dict[str, list[dict[str, Any]]]:
        return {rid: self.library.region_children(rid) for rid in self.library.regions}

    def home(self) -> Page:
        lib = self.library
        cases = lib.sorted_cases()
        figures = sum(len(c["indicators"]) for c in cases)
        provinces = {lib.region_chain(c["place"]["region"])[0]["id"] for c in cases}
        shared = [p for p in lib.practices.values() if len(lib.uses_of_practice(p["id"])) > 1]
        headline = {
            "cases": len(cases), "figures": figures, "practices": len(lib.practices),
            "shared_practices": len(shared), "indicators": len(lib.indicators),
            "provinces": len(provinces), "terms": len(lib.glossary),
        }
        five = [t for t in lib.themes.values() if t["group"] == "five-revitalisations"]
        most_used = sorted(lib.practices.values(),
                           key=lambda p: (-len(lib.uses_of_practice(p["id"])), p["id"]))[:8]
        # The home page shows the latest cases, not all: it must stay light on a phone however
        # large the library grows (the case list and the finder hold them all).
        history = self.settings.get("history", {})
        latest = sorted(cases, key=lambda c: (_first_added(history, lib, c["id"]), c["id"]),
                        reverse=True)[:HOME_CASES]
        return self.render("home.md.j2", "index.md", headline=headline, cases=latest, themes=five,
                           practices=most_used,
                           problems=[(c, p) for c in latest for p in c["problems"][:2]])


def _position(case: dict[str, Any], entry: dict[str, Any]) -> int:
    """1-based place of a practice entry in its case, the N of the case page's `#p-N`."""
    return next(i for i, e in enumerate(case["practices"], 1) if e is entry)


def _theme_anchors(library: Library, theme_id: str, cases: list[dict[str, Any]]) -> dict[str, str]:
    """Where a theme page sends a reader in each of its cases: the first practice of the theme
    (`p-N`), else the case's facts, where its themes are listed (`info`)."""
    anchors = {}
    for case in cases:
        first = next((i for i, e in enumerate(case["practices"], 1)
                      if library.practices.get(e["practice"], {}).get("category") == theme_id), None)
        anchors[case["id"]] = f"p-{first}" if first else "info"
    return anchors


def _labels() -> dict[str, dict[str, str]]:
    """Chinese labels of every labelled choice in the schemas, e.g. labels.evidence['self-reported']."""
    def pick(kind: str, *path: str | int) -> dict[str, str]:
        return dict(choices(schema_node(kind, tuple(path))))

    return {
        "status": pick("case", "status"),
        "level": pick("case", "place", "level"),
        "evidence": pick("case", "indicators", 0, "evidence"),
        "qualifier": pick("case", "indicators", 0, "qualifier"),
        "date_basis": pick("case", "indicators", 0, "date_basis"),
        "region_level": pick("regions", 0, "level"),
        "theme_group": pick("themes", 0, "group"),
        "course_format": pick("course", "sessions", 0, "format"),
    }


def status_notes() -> dict[str, str]:
    """What each review status tells a reader (the schema's words), e.g. for the badge's tooltip."""
    return {o["const"]: o.get("description", "") for o in schema_node("case", ("status",))["oneOf"]}


HOME_CASES = 12


def _first_added(history: dict[str, Any], library: Library, cid: str) -> str:
    record = history.get(library.files.get(("case", cid), ""))
    return (record.first or record.last) if record else ""


def render_site(library: Library, root: Path, settings: dict[str, Any] | None = None,
                part: int = 0, parts: int = 1) -> Iterator[Page]:
    """Every generated page of the site, in a stable order (or one of `parts` runs of it), made
    one at a time."""
    return Renderer(library, root / "macros", settings).pages(part, parts)

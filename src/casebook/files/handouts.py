"""Printable handouts: the HTML of one A4 handout per case and per course, from print templates.

Handouts are fed the same plain data as the pages (a course through `course_view`) and rendered
by the same sandboxed Renderer from their own templates (macros/handout_*.html.j2; the print
layout is macros/handout.typ). Typesetting them into PDF is a separate step (`casebook pdf`, see
pdf.py), run after the site is built, so that `casebook build` stays as fast as the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from casebook.library.link import Library
from casebook.parallel import run_jobs
from casebook.records.history import pin_build_epoch
from casebook.site.courses import course_view
from casebook.site.render import Renderer, handout_path, page_url, record_path


@dataclass(frozen=True)
class Handout:
    """One handout to typeset: where its PDF goes (relative to the site root) and its HTML."""

    path: str
    html: str
    title: str


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as plain data: `!ENV` as MkDocs reads it (the site's address comes from
    CASEBOOK_SITE_URL), other tags (`!!python/…`) as None."""


_ConfigLoader.add_constructor("!ENV", construct_env_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
_ConfigLoader.add_multi_constructor("!", lambda *_: None)


def site_settings(config_file: Path) -> dict[str, Any]:
    """The site's name and address from its config file, read without the site engine.

    The handout step runs outside MkDocs, but must print the same addresses as the pages: none
    when the site has none (the handouts then name the record instead).
    """
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    settings = dict((config.get("extra") or {}).get("casebook") or {})
    if config.get("site_name"):
        settings["site_name"] = config["site_name"]
    site_url = str(config.get("site_url") or "").strip()
    settings["site_url"] = site_url if not site_url or site_url.endswith("/") else site_url + "/"
    return settings


def build_date(root: Path, library: Library) -> str | None:
    """The build's date (casebook.records.history.build_epoch) as a W3C date for the PDF's
    metadata; None leaves the date out.

    Either way one tree gives the same bytes: the date is the commit's or the records', never
    today's. It is pinned for the font subsetter too, which dates the fonts it embeds.
    """
    epoch = pin_build_epoch(root, library)
    if epoch is None:
        return None
    when = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def handouts(library: Library, root: Path, settings: dict[str, Any] | None = None,
             created: str | None = None, workers: int | None = None) -> list[Handout]:
    """The HTML of every handout (see `handout_batches`), all at once."""
    return [made for batch in handout_batches(library, root, settings, created, workers)
            for made in batch]


# Handouts rendered at a time: at 10,000 cases all their HTML would be over a gigabyte.
BATCH = 256


def handout_batches(library: Library, root: Path, settings: dict[str, Any] | None = None,
                    created: str | None = None, workers: int | None = None,
                    batch: int = BATCH) -> Iterator[list[Handout]]:
    """The HTML of every handout, `batch` at a time: each case, then each course, in id order,
    rendered on every core (casebook.parallel); the typesetting cache keys on this HTML, so it
    is made even for handouts that turn out unchanged."""
    renderer = Renderer(library, root / "macros", settings)
    base = renderer.settings["site_url"]

    def address(kind: str, rid: str) -> str:
        return base + page_url(record_path(kind, rid))

    def render(template: str, kind: str, rid: str, source_kind: str, title: str,
               **context: Any) -> Handout:
        path = handout_path(kind, rid)
        page = renderer.render(template, path, library.files[(source_kind, rid)], title=title,
                               address=address(kind, rid) if base else "", created=created,
                               **context)
        return Handout(path, str(page.content), title)

    def case_handout(cid: str) -> Handout:
        case = library.cases[cid]
        return render(
            "handout_case.html.j2", "case", cid, "case", case["title"], case=case,
            kind_label="案例讲义", chain=library.region_chain(case["place"]["region"]),
            description=case["summary"],
            keywords="，".join(dict.fromkeys(library.practices[e["practice"]]["name"]
                                            for e in case["practices"]
                                            if e["practice"] in library.practices)))

    def course_handout(cid: str) -> Handout:
        course = library.courses[cid]
        return render(
            "handout_course.html.j2", "course", cid, "course", course["title"],
            kind_label="课程讲义", description=course["summary"], keywords=course["audience"],
            **course_view(library, cid))

    jobs = [partial(case_handout, cid) for cid in sorted(library.cases)]
    jobs += [partial(course_handout, cid) for cid in sorted(library.courses)]
    for start in range(0, len(jobs), batch):
        yield run_jobs(jobs[start:start + batch], workers, chunksize=16)

"""Every figure in the five seed source documents is recorded in its case, and nothing more.

The test reads each source text, collects every number written in Arabic digits, removes the
ones excepted by rule (years, months, days, clock times, outline numbering) or listed in
tests/data/figure_exceptions.yaml with a reason, and counts the rest that no indicator entry's
`original` accounts for. That count must be zero. Each `original` must also stand verbatim in
the (simplified-character) source, so the original wording cannot drift from the document.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import opencc
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Numbers that are calendar positions, not figures: named rules, applied to the source text.
RULES = {
    "year": re.compile(r"(?<![\d.])(?:19|20)\d{2}(?=\s*年)"),
    "iso-date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"(?<![\d.])\d{1,2}(?=\s*月)"),
    "day": re.compile(r"(?<![\d.])\d{1,2}(?=\s*日)"),
    "clock": re.compile(r"\d{1,2}:\d{2}"),
    # "1." and "(1)" opening a line number the article's own outline, not a figure.
    "list-number": re.compile(r"(?m)^\s*\(?\d{1,2}(?=\.(?!\d)|\))"),
}

_T2S = opencc.OpenCC("t2s")
SEEDS = yaml.safe_load((DATA / "seed_sources.yaml").read_text(encoding="utf-8"))
EXCEPTIONS = yaml.safe_load((DATA / "figure_exceptions.yaml").read_text(encoding="utf-8")) or []


def source_text(key: str) -> str:
    seed = SEEDS[key]
    text = (DATA / seed["file"]).read_text(encoding="utf-8")
    return _T2S.convert(text) if seed["traditional"] else text


def case_for(key: str) -> dict:
    matches = sorted((ROOT / "cases").glob(f"{key}-*.yaml"))
    assert len(matches) == 1, f"expected one case file cases/{key}-*.yaml, found {matches}"
    return yaml.safe_load(matches[0].read_text(encoding="utf-8"))


def unaccounted_spans(text: str, key: str) -> list[tuple[int, int]]:
    """Spans of the source excepted by rule or by a listed context."""
    spans = [m.span() for rule in RULES.values() for m in rule.finditer(text)]
    for entry in EXCEPTIONS:
        if entry["source"] != key:
            continue
        found = [m.span() for m in re.finditer(re.escape(entry["context"]), text)]
        assert found, f"exception context not in {key} source: {entry['context']!r}"
        spans.extend(found)
    return spans


def source_figures(key: str) -> Counter[str]:
    text = source_text(key)
    excepted = unaccounted_spans(text, key)
    figures: Counter[str] = Counter()
    for m in NUMBER.finditer(text):
        if not any(start <= m.start() and m.end() <= end for start, end in excepted):
            figures[m.group()] += 1
    return figures


def recorded_figures(case: dict) -> Counter[str]:
    figures: Counter[str] = Counter()
    for entry in case["indicators"]:
        figures.update(NUMBER.findall(entry["original"]))
    return figures


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_every_source_figure_is_recorded(key: str) -> None:
    missing = source_figures(key) - recorded_figures(case_for(key))
    assert not missing, (
        f"{sum(missing.values())} figure(s) of the {key} source are in no indicator entry "
        f"and not listed as exceptions: {dict(missing)}"
    )


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_original_wording_stands_in_the_source(key: str) -> None:
    text = source_text(key)
    case = case_for(key)
    absent = [e["original"] for e in case["indicators"] if e["original"] not in text]
    assert not absent, f"original wording not found verbatim in the {key} source: {absent}"


def test_exceptions_give_reasons() -> None:
    for entry in EXCEPTIONS:
        assert entry.get("reason", "").strip(), f"exception without a reason: {entry}"
        assert entry["source"] in SEEDS

"""Related cases: every case's nearest neighbours by shared practices, themes and region.

Scores are weighted counts of shared features, computed for all cases at once as integer matrix
products in blocks, so ranking stays fast at 10,000 cases (a pairwise loop in Python would
take minutes). Ties are broken by case id, so the result is the same on every build.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np


class CaseIndex(Protocol):
    """What ranking reads of the library; the library passes itself (link imports this module)."""

    def sorted_cases(self) -> list[dict[str, Any]]: ...

    def region_chain(self, region_id: str) -> list[dict[str, Any]]: ...


WEIGHTS = {"practice": 3, "theme": 1, "region": 2}
NAMED_BONUS = 10
BLOCK = 512


def rank_related(library: CaseIndex, limit: int) -> dict[str, list[tuple[dict[str, Any], list[str]]]]:
    """For each case id: up to `limit` (other case, reasons) pairs, best first."""
    cases = library.sorted_cases()
    if not cases:
        return {}
    ids = [c["id"] for c in cases]
    position = {cid: i for i, cid in enumerate(ids)}
    features = _features(library, cases)
    columns = {key: i for i, key in enumerate(sorted({k for f in features for k in f}))}
    matrix = np.zeros((len(cases), len(columns)), dtype=np.int32)
    weights = np.array([WEIGHTS[key[0]] for key in sorted(columns, key=columns.get)], dtype=np.int32)
    for row, keys in enumerate(features):
        matrix[row, [columns[k] for k in keys]] = 1
    weighted = matrix * weights
    named = [(position[c["id"]], position[o]) for c in cases for o in c.get("related_cases", [])
             if o in position]
    ranked: dict[str, list[tuple[dict[str, Any], list[str]]]] = {}
    for start in range(0, len(cases), BLOCK):
        scores = weighted[start:start + BLOCK] @ matrix.T
        for a, b in named:
            for x, y in ((a, b), (b, a)):
                if start <= x < start + BLOCK:
                    scores[x - start, y] += NAMED_BONUS
        for offset, row in enumerate(scores):
            i = start + offset
            row[i] = 0
            ranked[ids[i]] = [(cases[j], _reasons(library, cases[i], cases[j]))
                              for j in _top(row, limit)]
    return ranked


def _features(library: CaseIndex, cases: list[dict[str, Any]]) -> list[set[tuple[str, str]]]:
    return [
        {("practice", e["practice"]) for e in case["practices"]}
        | {("theme", t) for t in case["themes"]}
        | {("region", r["id"]) for r in library.region_chain(case["place"]["region"])}
        for case in cases
    ]


def _top(row: np.ndarray, limit: int) -> list[int]:
    """Indices of the highest positive scores, ties broken by position (case id order)."""
    candidates = np.flatnonzero(row > 0)
    if len(candidates) > limit:
        # Keep every candidate scoring at least the limit-th best, then order exactly.
        cutoff = np.partition(row[candidates], -limit)[-limit]
        candidates = candidates[row[candidates] >= cutoff]
    # Highest first; ties stay in position order, since a stable sort keeps the candidates'
    # ascending order among equals (thousands can tie in a large library of similar cases).
    order = candidates[np.argsort(-row[candidates], kind="stable")]
    return [int(j) for j in order[:limit]]


def _reasons(library: CaseIndex, case: dict[str, Any], other: dict[str, Any]) -> list[str]:
    shared = {e["practice"] for e in case["practices"]} & {e["practice"] for e in other["practices"]}
    themes = set(case["themes"]) & set(other["themes"])
    chain = {r["id"] for r in library.region_chain(case["place"]["region"])}
    region = [r for r in library.region_chain(other["place"]["region"]) if r["id"] in chain]
    reasons = [f"共同做法 {len(shared)} 项"] if shared else []
    reasons += [f"共同主题 {len(themes)} 个"] if themes else []
    reasons += [f"同属{region[-1]['name']}"] if region else []
    return reasons

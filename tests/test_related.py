"""Related-case ranking: the block matrix version agrees with a plain pairwise count."""

from __future__ import annotations

import random

from casebook.library.link import Library

PRACTICES = [f"p{i}" for i in range(12)]
THEMES = [f"t{i}" for i in range(5)]


def _library(n: int, seed: int) -> Library:
    rng = random.Random(seed)
    library = Library()
    library.regions = {
        "sheng": {"id": "sheng", "name": "省", "code": "520000", "level": "province"},
        "shi-a": {"id": "shi-a", "name": "甲市", "code": "520100", "level": "prefecture", "parent": "sheng"},
        "shi-b": {"id": "shi-b", "name": "乙市", "code": "520200", "level": "prefecture", "parent": "sheng"},
        "xian": {"id": "xian", "name": "丙县", "code": "520121", "level": "county", "parent": "shi-a"},
    }
    for i in range(n):
        cid = f"case-{i:03d}"
        library.cases[cid] = {
            "id": cid,
            "place": {"region": rng.choice(list(library.regions))},
            "practices": [{"practice": p} for p in rng.sample(PRACTICES, rng.randint(0, 5))],
            "themes": rng.sample(THEMES, rng.randint(1, 3)),
            "related_cases": [f"case-{rng.randrange(n):03d}"] if rng.random() < 0.2 else [],
        }
    return library


def _pairwise(library: Library, case_id: str, limit: int) -> list[str]:
    case = library.cases[case_id]
    mine = {e["practice"] for e in case["practices"]}
    chain = {r["id"] for r in library.region_chain(case["place"]["region"])}
    scored = []
    for other in library.sorted_cases():
        if other["id"] == case_id:
            continue
        shared = mine & {e["practice"] for e in other["practices"]}
        themes = set(case["themes"]) & set(other["themes"])
        region = [r for r in library.region_chain(other["place"]["region"]) if r["id"] in chain]
        named = other["id"] in case["related_cases"] or case_id in other["related_cases"]
        score = 3 * len(shared) + len(themes) + 2 * len(region) + (10 if named else 0)
        if score:
            scored.append((-score, other["id"]))
    return [cid for _, cid in sorted(scored)[:limit]]


def test_matrix_ranking_matches_pairwise_counting() -> None:
    library = _library(700, seed=7)  # more than one block of rows
    for case_id in library.cases:
        got = [other["id"] for other, _ in library.related_cases(case_id, limit=6)]
        assert got == _pairwise(library, case_id, 6), case_id


def test_reasons_name_what_is_shared() -> None:
    library = _library(40, seed=3)
    for case_id in library.cases:
        for other, reasons in library.related_cases(case_id):
            shared = {e["practice"] for e in library.cases[case_id]["practices"]} & {
                e["practice"] for e in other["practices"]}
            assert (f"共同做法 {len(shared)} 项" in reasons) == bool(shared)

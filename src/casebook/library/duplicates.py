"""Cases that look like the same case twice: same region chain, overlapping years, similar title.

A warning, not an error: two cases may honestly share a region, years and wording. Naming the
other case in `related_cases` says "I know, they are different" and silences the warning.
Only cases whose regions lie on one chain (the same place, or one inside the other) and whose
years overlap are compared, so a library of 10,000 cases never compares every pair.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from typing import Any

from casebook.library.link import Library
from casebook.records.load import Document
from casebook.records.problems import Problem

SIMILAR = 0.75
MAX_NAMED = 3  # a warning names at most this many others, the most similar first
_NOISE = re.compile(r"[\s\W_]+")


def _normalised_title(case: dict[str, Any], library: Library) -> str:
    """The title in Unicode's standard form (NFC), without punctuation, invisible characters and
    the names of its own region chain: titles that look alike compare alike."""
    title = unicodedata.normalize("NFC", case["title"])
    names = [unicodedata.normalize("NFC", name) for region in library.region_chain(case["place"]["region"])
             for name in [region["name"], *region.get("aliases", [])]]
    for name in sorted(names, key=len, reverse=True):
        title = title.replace(name, "")
    return _NOISE.sub("", title)


def title_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _characters(title: str) -> frozenset[tuple[str, int]]:
    """The title's characters as a set in which the n-th occurrence of a character is (it, n):
    the size of two such sets' intersection is the number of characters the titles share,
    counting repeats, as difflib's quick_ratio counts them."""
    seen: dict[str, int] = {}
    items = []
    for char in title:
        count = seen.get(char, 0)
        items.append((char, count))
        seen[char] = count + 1
    return frozenset(items)


def _similar(a: str, b: str, chars_a: frozenset[tuple[str, int]],
             chars_b: frozenset[tuple[str, int]]) -> float | None:
    """The similarity of two titles when it reaches SIMILAR, else None.

    Most pairs are far apart, so difflib's two upper bounds (real_quick_ratio: the lengths;
    quick_ratio: the characters in common, here from sets made once per title) rule them out
    before the full comparison.
    """
    total = len(a) + len(b)
    if total and (2 * min(len(a), len(b)) / total < SIMILAR
                  or 2 * len(chars_a & chars_b) / total < SIMILAR):
        return None
    score = title_similarity(a, b)
    return score if score >= SIMILAR else None


def duplicate_warnings(library: Library, documents: dict[str, Document]) -> list[Problem]:
    """One warning on each case that looks like a duplicate, naming the most similar others."""
    by_region: dict[str, list[str]] = defaultdict(list)
    for cid in sorted(library.cases):
        by_region[library.cases[cid]["place"]["region"]].append(cid)
    titles = {cid: _normalised_title(case, library) for cid, case in library.cases.items()}
    chars = {cid: _characters(title) for cid, title in titles.items()}
    matches: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for cid in sorted(library.cases):
        case = library.cases[cid]
        chain = [r["id"] for r in library.region_chain(case["place"]["region"])]
        # Candidates: the same region or one above it; pairs with a region below are found from there.
        for region in chain or [case["place"]["region"]]:
            for other_id in by_region.get(region, []):
                if other_id == cid or (region == case["place"]["region"] and other_id < cid):
                    continue
                other = library.cases[other_id]
                if not _overlap(case, other) or _acknowledged(case, other):
                    continue
                score = _similar(titles[cid], titles[other_id], chars[cid], chars[other_id])
                if score is not None:
                    matches[cid].append((score, other_id))
                    matches[other_id].append((score, cid))
    return [_warning(documents[cid], library, [oid for _, oid in sorted(found, key=lambda m: (-m[0], m[1]))])
            for cid, found in sorted(matches.items()) if cid in documents]


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["time"]["start"] <= b["time"]["end"] and b["time"]["start"] <= a["time"]["end"]


def _acknowledged(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return b["id"] in a.get("related_cases", []) or a["id"] in b.get("related_cases", [])


def _warning(doc: Document, library: Library, others: list[str]) -> Problem:
    line, col = doc.mark(("title",))
    shown = [_describe(library, oid) for oid in others[:MAX_NAMED]]
    more = f"等 {len(others)} 个案例" if len(others) > MAX_NAMED else ""
    return Problem(
        doc.rel, line, col, "title",
        f"可能与案例 {'、'.join(shown)}{more}重复：地区相同或相属、时间重叠、标题相似",
        hint=("如果是同一实践的另一份材料，请把它作为新来源加进已有案例的 sources；如果确是不同的案例，"
              f"请把 {'、'.join(others[:MAX_NAMED])} 写进本案例的 related_cases，这条警告就不再出现。"),
        code="possible-duplicate", severity="warning")


def _describe(library: Library, case_id: str) -> str:
    case = library.cases[case_id]
    place = library.regions.get(case["place"]["region"], {}).get("name", case["place"]["region"])
    return f"{case_id}（{case['title']}，{place}，{case['time']['start']}–{case['time']['end']}）"

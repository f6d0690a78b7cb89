"""A synthetic library of N valid cases, derived from the seed cases, in a repository copy.

Benchmarks (search index size, build time, memory) need a library far larger than the seed, and
one that looks like a real collection to the validator, the segmenter and the search index.
Each synthetic case starts from a seed case and varies its id, title, region (real counties from
GB/T 2260, with their prefectures and provinces, added to a vocabulary file in the copy only),
level, periods, themes, practices (some dropped, some borrowed from other seeds) and figures (scaled, kept within the indicator's
range). The result is deterministic for a given seed and is checked by the real validator.
`scripts/synthesize.py` runs `main` with the checkout's root:

    python scripts/synthesize.py --out /tmp/big --count 1000 --seed 1
"""

from __future__ import annotations

import argparse
import copy
import random
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from casebook.library.check import check_library
from casebook.library.link import Library
from casebook.library.references import names_only
from casebook.library.report import text_report
from casebook.records.divisions import divisions, new_regions

# What a site build does not need from the repository; everything else is copied.
NOT_COPIED = {".git", ".venv", ".cache", ".pytest_cache", ".ruff_cache", "site", "downloads",
              "build", "dist", "src", "tests", "offline", "casebook-offline.zip"}
REGIONS_FILE = "cases/vocab/regions/synthetic.yaml"
PREFIX = "syn"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter: 10,000 cases
    """Plain YAML the project's loader accepts: no anchors or aliases, ever."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def copy_repository(source: Path, target: Path) -> None:
    """Copy what a site build needs (records, templates, pages, theme, config) from `source`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.name in NOT_COPIED or path.name.endswith(".egg-info"):
            continue
        if path.is_dir():
            shutil.copytree(path, target / path.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif path.is_file():
            shutil.copy2(path, target / path.name)


def synthetic_regions(library: Library, rng: random.Random, counties: int) -> list[dict[str, Any]]:
    """Real counties (GB/T 2260) the library has no record of, with the prefectures and provinces
    above them: those in the library's own provinces first (one per prefecture before a second),
    then the rest of the country.

    Real divisions, so that the copy passes the validator's check of codes, names and parents.
    `rng` is not drawn from: the choice is fixed by the library and `counties`.
    """
    used = {r["code"] for r in library.regions.values()}
    provinces = {r["code"][:2] for r in library.regions.values()}
    free = sorted((d for d in divisions().values() if d.level == "county" and d.code not in used),
                  key=lambda d: d.code)
    rank, seen = {}, Counter()  # one county of every prefecture first, then a second of each, …
    for county in free:
        rank[county.code] = seen[county.code[:4]]
        seen[county.code[:4]] += 1
    pool = sorted(free, key=lambda d: (d.code[:2] not in provinces, rank[d.code], d.code))
    known = dict(library.regions)
    regions: list[dict[str, Any]] = []
    for county in pool[:counties]:
        for record in new_regions(county.code, known):
            record["id"] = f"{PREFIX}-{record['level'][0]}{record['code']}"
            if "parent" in record and record["parent"] not in known:
                record["parent"] = regions[-1]["id"]
            known[record["id"]] = record
            regions.append(record)
    return regions


TITLE_FORMS = ("以{}推动乡村振兴", "{}的探索与实践", "抓{}，促脱贫成果同乡村振兴有效衔接",
               "{}：党建引领基层治理的做法", "从{}看基层组织建设", "推行{}，壮大村级集体经济",
               "{}助力巩固拓展脱贫攻坚成果", "党建引领{}的经验")


def derive_case(base: dict[str, Any], number: int, region: dict[str, Any], library: Library,
                donors: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """One synthetic case: the seed `base` moved to `region`, with varied content and figures."""
    case = copy.deepcopy(base)
    case["id"] = f"{PREFIX}{number:04d}-{base['id']}"[:80]
    # Place names in the title and summary follow the move: each level's name becomes the new one.
    new_chain = {r["level"]: r["name"] for r in library.region_chain(region["id"])}
    old_chain = library.region_chain(base["place"]["region"])
    renames = {}
    for old in old_chain:
        new = region["name"] if old is old_chain[-1] else new_chain.get(old["level"], region["name"])
        renames.update({name: new for name in [old["name"], *old.get("aliases", [])]})
    pattern = re.compile("|".join(map(re.escape, sorted(renames, key=len, reverse=True))))
    for key in ("title", "summary"):
        case[key] = pattern.sub(lambda match: renames[match.group(0)], case[key])
    case["place"] = {"region": region["id"], "body": f"中共{region['name']}委组织部",
                     "level": rng.choice(["county", "township", "village"])
                     if region["level"] == "county" else region["level"]}
    start = min(2025, max(2013, base["time"]["start"] + rng.randint(-2, 2)))
    case["time"] = {"start": start, "end": min(2025, max(start, base["time"]["end"] + rng.randint(-1, 2))),
                    "periods": sorted(rng.sample(sorted(library.periods), rng.randint(1, 2)))}
    case.pop("related_cases", None)
    _vary_practices(case, donors, rng)
    # A title of its own, from two of its practices, as a real collection's titles differ: a seed's
    # title with another place name would make every synthetic case a likely duplicate.
    names = [library.practices[e["practice"]]["name"] for e in case["practices"]]
    picked = "、".join(rng.sample(names, k=min(2, len(names))))
    case["title"] = f"{region['name']}：{rng.choice(TITLE_FORMS).format(picked)}"[:80]
    _vary_figures(case, library, rng)
    themes = [t for t in base["themes"] if rng.random() > 0.3] or base["themes"][:1]
    themes += [library.practices[e["practice"]]["category"] for e in case["practices"]]
    case["themes"] = sorted(set(themes) & set(library.themes))
    return case


def _vary_practices(case: dict[str, Any], donors: list[dict[str, Any]], rng: random.Random) -> None:
    kept = [e for e in case["practices"] if rng.random() > 0.3] or case["practices"][:3]
    present = {e["practice"] for e in kept}
    source = case["sources"][0]["id"]
    for donor in rng.sample(donors, k=min(2, len(donors))):
        for entry in rng.sample(donor["practices"], k=min(rng.randint(0, 2), len(donor["practices"]))):
            if entry["practice"] not in present:
                kept.append(dict(copy.deepcopy(entry), source=source))
                present.add(entry["practice"])
    case["practices"] = kept
    for finding in case["outcomes"] + case["lessons"]:
        if "practices" in finding:
            finding["practices"] = [p for p in finding["practices"] if p in present]
            if not finding["practices"]:
                del finding["practices"]


def _vary_figures(case: dict[str, Any], library: Library, rng: random.Random) -> None:
    values = [v for v in case["indicators"] if rng.random() > 0.15]
    for value in values:
        indicator = library.indicators[value["indicator"]]
        factor = rng.uniform(0.5, 1.6)
        low = indicator.get("minimum", 0 if indicator["unit"] == "%" else None)
        high = indicator.get("maximum", 100 if indicator["unit"] == "%" else None)
        for key in ("value", "value_max"):
            if key in value:
                scaled = value[key] * factor
                scaled = min(high, scaled) if high is not None else scaled
                scaled = max(low, scaled) if low is not None else scaled
                value[key] = round(scaled) if isinstance(value[key], int) else round(scaled, 2)
        if value.get("value_max", value["value"]) < value["value"]:
            value["value_max"] = value["value"]
    kept = {v["id"] for v in values}
    for value in values:  # a note naming a dropped figure names it in words instead
        if "[[value:" in value.get("note", ""):
            value["note"] = names_only(library, value["note"], case)
    case["indicators"] = values
    for finding in case["outcomes"] + case["lessons"]:
        if "indicators" in finding:
            finding["indicators"] = [ref for ref in finding["indicators"] if ref in kept]
            if not finding["indicators"]:
                del finding["indicators"]


def synthesize(target: Path, count: int, seed: int = 1, *, source: Path) -> list[str]:
    """Copy `source` to `target` and add `count` synthetic cases; return their ids.

    Raises ValueError with the validator's report if the result is not a valid library.
    """
    copy_repository(source, target)
    seeded = check_library(source)
    if seeded.errors:
        raise ValueError(text_report(seeded))
    library = seeded.library
    rng = random.Random(seed)
    regions = synthetic_regions(library, rng, counties=max(10, count // 8))
    (target / REGIONS_FILE).write_text(
        "# 合成地区：只用于基准测试的临时仓库副本，不是真实的行政区划。\n"
        + yaml.dump(regions, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    library.regions.update({r["id"]: r for r in regions})
    seeds = library.sorted_cases()
    ids = []
    for number in range(count):
        base = seeds[number % len(seeds)]
        donors = [c for c in seeds if c["id"] != base["id"]]
        case = derive_case(base, number, rng.choice(regions), library, donors, rng)
        text = ("# yaml-language-server: $schema=../src/casebook/schemas/case.schema.json\n"
                + yaml.dump(case, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000))
        (target / "cases" / f"{case['id']}.yaml").write_text(text, encoding="utf-8")
        ids.append(case["id"])
    checked = check_library(target)
    if checked.errors:
        raise ValueError(text_report(checked))
    return ids


def main(argv: list[str] | None = None, *, root: Path) -> int:
    """The command line of `scripts/synthesize.py`; `root` is the default seed repository."""
    parser = argparse.ArgumentParser(description="生成合成案例库（用于基准测试）。")
    parser.add_argument("--out", type=Path, required=True, help="写入的仓库副本文件夹。")
    parser.add_argument("--count", type=int, default=1000, help="合成案例数（另加种子案例）。")
    parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子得到同样的文件。")
    parser.add_argument("--root", type=Path, default=root, help="种子仓库根目录。")
    args = parser.parse_args(argv)
    try:
        ids = synthesize(args.out, args.count, args.seed, source=args.root)
    except ValueError as error:
        print(f"合成的案例没有通过校验：\n{error}", file=sys.stderr)
        return 1
    print(f"已在 {args.out} 写入 {len(ids)} 个合成案例（另有种子案例）。")
    return 0


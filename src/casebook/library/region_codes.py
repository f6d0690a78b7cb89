"""Region records against GB/T 2260 (casebook.records.divisions): code, name, level and parent.

A code that is not in the list, a code that names another place, or a parent that is not the
division GB/T 2260 puts the region in, is an error whose hint gives the right code or parent,
looked up by the region's name, so that a contributor copies it instead of guessing.
"""

from __future__ import annotations

from typing import Any

from casebook.records.divisions import Division, by_name, divisions, place_label

_LEVEL_NAMES = {"province": "省级", "prefecture": "地级", "county": "县级"}


def _named(region: dict[str, Any]) -> list[Division]:
    found: list[Division] = []
    for label in [region["name"], *region.get("aliases", [])]:
        found += [d for d in by_name(label) if d not in found]
    return found


def _suggestion(region: dict[str, Any], regions: dict[str, dict[str, Any]]) -> str:
    """The division the region's name points to, under a parent the library has, if any."""
    candidates = _named(region)
    parent = regions.get(region.get("parent") or "")
    if parent and len(candidates) > 1:
        under = [d for d in candidates if d.parent == parent["code"]]
        candidates = under or candidates
    if not candidates:
        return ("GB/T 2260 里没有叫这个名字的地区；请核对名称（写全称，如“遵义市”），"
                "或用 casebook new-case 按名称查找并添加地区。")
    shown = "；".join(place_label(d) for d in candidates[:3])
    return f"按名称，{region['name']}是：{shown}。请照此填写 code 和 parent。"


def check_region_codes(regions: dict[str, dict[str, Any]], origin: dict, problem: Any) -> set[str]:
    """Report every region whose code, name, level or parent disagrees with GB/T 2260; the ids
    of those reported (the library's own checks of their parents would only repeat it)."""
    listed = divisions()
    reported: set[str] = set()

    def report(rid: str, *args: Any) -> None:
        reported.add(rid)
        problem(*args)

    by_code = {r["code"]: rid for rid, r in regions.items()}
    for rid, region in regions.items():
        doc, base = origin[("regions", rid)]
        division = listed.get(region["code"])
        if division is None:
            report(rid, doc, (*base, "code"),
                    f"行政区划代码 {region['code']} 不在 GB/T 2260 代码表中（{region['name']}）",
                    _suggestion(region, regions), "region-code")
            continue
        names = {region["name"], *region.get("aliases", [])}
        if division.name not in names and division.short_name not in names:
            report(rid, doc, (*base, "code"),
                    f"行政区划代码 {region['code']} 在 GB/T 2260 中是{division.name}，不是{region['name']}",
                    _suggestion(region, regions), "region-code")
            continue
        if division.level != region["level"]:
            report(rid, doc, (*base, "level"),
                    f"{region['name']}（{region['code']}）在 GB/T 2260 中是{_LEVEL_NAMES[division.level]}，"
                    f"不是{_LEVEL_NAMES.get(region['level'], region['level'])}",
                    f"请把 level 改为 {division.level}。", "region-level")
            continue
        if division.parent is None:
            continue
        upper = listed[division.parent]
        expected = by_code.get(division.parent)
        if region.get("parent") == expected:
            continue
        if expected:
            hint = f"请把 parent 改为 {expected}（{upper.name}，{upper.code}）。"
        else:
            hint = (f"{upper.name}（{upper.code}）还不在地区词表里：请先加上它（casebook new-case 会按 GB/T 2260 "
                    "填好编号、名称、代码和上级），再把 parent 指向它。")
        report(rid, doc, (*base, "parent"),
                f"{region['name']}的上级在 GB/T 2260 中是{upper.name}（{upper.code}）", hint, "region-parent")
    return reported

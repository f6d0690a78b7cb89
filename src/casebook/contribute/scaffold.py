"""`casebook new-case`: start a case file with every field explained, ready to fill in.

The file is made from the schema: every required field holds the placeholder 【待填写】, every
optional one is shown commented out with an example, and every comment is the schema's own text.
A placeholder left in a record is an error that says which field is still to be filled in, so
an unfinished scaffold never passes for a real case.
"""

from __future__ import annotations

import difflib
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casebook.library.link import Library
from casebook.records.casefile import write_case
from casebook.records.divisions import Division, find, new_regions, place_label
from casebook.records.fields import Field, children, field_by_path
from casebook.records.placeholders import PLACEHOLDER
from casebook.records.validate import schema_node

REGIONS_FILE = Path("cases/vocab/regions/regions.yaml")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Words that say little about what a case did; left out of suggested ids.
_FILLER = {"创建", "推进", "助推", "助力", "实施", "开展", "探索", "实践", "经验", "做法", "推动", "打造",
           "构建", "研究", "案例", "全面", "提升", "坚持", "加强", "深化", "持续", "的", "和", "与", "在",
           "以", "为", "等", "推行", "着力", "聚焦"}


class UsageError(Exception):
    """A wrong or missing option: the CLI prints it and exits with status 2."""


def slug(title: str, drop: set[str]) -> str:
    """An ASCII id part from a Chinese title: pinyin of its key words, quoted words first."""
    import jieba
    from pypinyin import lazy_pinyin

    jieba.setLogLevel(logging.WARNING)
    quoted = re.findall(r"[“\"「『‘]([^”\"」』’]{2,16})[”\"」』’]", title)
    text = quoted[0] if quoted else title
    words = []
    for word in jieba.cut(text):
        if word in drop or word in _FILLER or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", word):
            continue
        ascii_word = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(word)).lower())
        if ascii_word:
            words.append(ascii_word)
    return "-".join(words[:3])[:40].strip("-") or "anli"


def suggest_id(title: str, region_id: str, library: Library, taken: Callable[[str], bool]) -> str:
    """`<region>-<slug>`, with -2, -3 … added while the id is taken."""
    drop = {name for region in library.region_chain(region_id)
            for name in [region["name"], *region.get("aliases", [])]}
    base = f"{region_id}-{slug(title, drop)}"
    candidate, n = base, 2
    while taken(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def resolve_region(text: str, library: Library) -> str:
    """A region id from its id, name or alias; a usage error with a suggestion otherwise."""
    text = text.strip()
    if text in library.regions:
        return text
    for rid, region in library.regions.items():
        if text in [region["name"], *region.get("aliases", [])] or text == region["code"]:
            return rid
    labels = {label: rid for rid, r in library.regions.items()
              for label in [rid, r["name"], *r.get("aliases", [])]}
    close = difflib.get_close_matches(text, labels, n=1, cutoff=0.5)
    hint = f"您是否想写 {labels[close[0]]}（{library.regions[labels[close[0]]]['name']}）？" if close else ""
    listed = _new_places(text, library)
    if listed:
        shown = "；".join(place_label(d) for d in listed[:5])
        raise UsageError(f"地区 {text} 不在地区词表里。GB/T 2260 中有：{shown}。{hint}"
                         "要按国家标准把它（和缺少的上级地区）加入地区词表，请加 --add-region"
                         "（在终端里直接运行时会询问），或用六位代码指定，如 --region "
                         f"{listed[0].code} --add-region。")
    raise UsageError(f"地区 {text} 不在地区词表里，GB/T 2260 代码表中也没有这个名称。{hint}"
                     "请写地区的全称（如“安吉县”）或六位行政区划代码。")


def _new_places(text: str, library: Library) -> list[Division]:
    """GB/T 2260 divisions that `text` may mean and that the library has no record of."""
    known = {r["code"] for r in library.regions.values()}
    return [d for d in find(text) if d.code not in known]


def region_lines(records: list[dict[str, Any]]) -> str:
    """Region records written as the vocabulary file writes them (codes quoted, aliases in [])."""
    lines = []
    for record in records:
        lines.append(f"- id: {record['id']}")
        lines.append(f"  name: {record['name']}")
        if record.get("aliases"):
            lines.append(f"  aliases: [{', '.join(record['aliases'])}]")
        lines.append(f'  code: "{record["code"]}"')
        lines.append(f"  level: {record['level']}")
        if record.get("parent"):
            lines.append(f"  parent: {record['parent']}")
    return "\n".join(lines) + "\n"


def add_regions(root: Path, records: list[dict[str, Any]]) -> None:
    """Append region records to the region vocabulary, after what is there."""
    path = root / REGIONS_FILE
    text = path.read_text(encoding="utf-8")
    note = "# 按 GB/T 2260 添加（casebook new-case）。\n"
    path.write_text(text + ("" if text.endswith("\n") else "\n") + note + region_lines(records),
                    encoding="utf-8")


def offer_region(text: str, library: Library, *, add: bool, asking: bool) -> list[dict[str, Any]]:
    """The region records to add for the place `text` names, from GB/T 2260, if the library
    lacks it: at a terminal when the contributor picks it, else with `add` when the name or code
    points to exactly one division. None are written here (see add_regions): nothing is, until
    every other option has passed.
    """
    if _known(text, library):
        return []
    places = _new_places(text, library)
    if not places or not (add or asking):
        resolve_region(text, library)  # raises, with what GB/T 2260 has
    chosen: Division | None = places[0] if len(places) == 1 else None
    if asking:
        for number, place in enumerate(places[:9], start=1):
            print(f"  {number}. {place_label(place)}")
        answer = _ask(f"地区 {text} 不在地区词表里。按 GB/T 2260 添加哪一个？（填序号，直接回车不添加）")
        if not answer.isdigit() or not 1 <= int(answer) <= min(9, len(places)):
            raise UsageError("没有添加地区，也没有创建文件。")
        chosen = places[int(answer) - 1]
    if chosen is None:
        shown = "；".join(place_label(d) for d in places[:5])
        raise UsageError(f"地区 {text} 在 GB/T 2260 中有几处：{shown}。请用六位代码指定，如 --region {places[0].code} --add-region。")
    return new_regions(chosen.code, library.regions)


def _known(text: str, library: Library) -> bool:
    text = text.strip()
    return text in library.regions or any(
        text in [r["name"], *r.get("aliases", [])] or text == r["code"] for r in library.regions.values())


def placeholder_case(values: dict[str, Any]) -> dict[str, Any]:
    """A case with every required field: the given values, "s1" for sources, else the placeholder."""
    def fill(parent: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in children(parent):
            if item.path in values:
                data[item.key] = values[item.path]
            elif item.required:
                data[item.key] = _placeholder(item, fill)
        return data

    return fill("")


def _placeholder(item: Field, fill: Callable[[str], dict[str, Any]]) -> Any:
    if item.type == "object":
        return fill(item.path)
    if item.type == "array":
        return [PLACEHOLDER] if item.item_type else [fill(f"{item.path}[]")]
    if item.local == "sources" or item.path == "sources[].id":
        return "s1"
    return PLACEHOLDER


def scaffold_hints(library: Library) -> dict[str, str]:
    """Comment lines that list the ids a field may take, where the list is short enough to read."""
    def listing(records: dict[str, dict[str, Any]]) -> str:
        return "、".join(f"{rid}（{r['name']}）" for rid, r in records.items())

    return {
        "time.periods": "可用的编号：" + listing(library.periods),
        "themes": "可用的编号：" + listing(library.themes),
        "practices": (f"共享做法有 {len(library.practices)} 项，编号见 cases/vocab/practices/practices.yaml "
                      "或网站的“做法”页；没有合适的，可以在同一个拉取请求里新增。"),
        "indicators": (f"共享指标有 {len(library.indicators)} 项，编号和单位见 cases/vocab/indicators/ "
                       "或网站的“指标”页。来源中没有数字时写 indicators: []。"),
    }


def create_case(root: Path, library: Library, *, region: str, title: str, level: str | None,
                case_id: str | None) -> Path:
    """Write cases/<id>.yaml for a new case; UsageError for anything the contributor must change."""
    region_id = resolve_region(region, library)
    title = " ".join(title.split())
    spec = schema_node("case", ("title",))
    if not spec["minLength"] <= len(title) <= spec["maxLength"]:
        raise UsageError(f"标题应为 {spec['minLength']}–{spec['maxLength']} 个字，现在 {len(title)} 个。")
    levels = dict(_level_choices())
    level = level or _default_level(library, region_id)
    if level not in levels:
        raise UsageError(f"实践主体层级应为以下之一：{'、'.join(f'{k}（{v}）' for k, v in levels.items())}")
    taken = _taken(root, library)
    case_id = case_id or suggest_id(title, region_id, library, taken)
    if not ID_PATTERN.match(case_id) or len(case_id) > 80:
        raise UsageError(f"案例编号 {case_id} 不合要求：只能用小写英文字母、数字和连字符，"
                         "以字母开头，如 zunyi-wuqiang-zuzhi。")
    if taken(case_id):
        raise UsageError(f"案例编号 {case_id} 已经存在（cases/{case_id}.yaml）。"
                         "请用 --id 换一个编号；要修改已有案例，请直接编辑那个文件。")
    case = placeholder_case({"id": case_id, "title": title, "status": "draft",
                             "place.region": region_id, "place.level": level})
    path = root / "cases" / f"{case_id}.yaml"
    header = [f"新案例：把每个“{PLACEHOLDER}”换成内容，然后运行 make validate 检查。",
              "以 # 开头的是说明，可以保留也可以删去；可选字段默认是注释，需要时删去行首的“# ”再填写。",
              "个人信息（身份证号、手机号、困难群众的姓名）不能写进记录。"]
    write_case(path, case, root / "macros", guide=True, header=header, hints=scaffold_hints(library))
    return path


def _ask(prompt: str, default: str = "") -> str:
    """One answer from the terminal; the default when the answer is empty."""
    shown = f"{prompt}（直接回车用 {default}）：" if default else f"{prompt}："
    try:
        answer = input(shown).strip()
    except (EOFError, KeyboardInterrupt):
        raise UsageError("已取消，没有创建文件。") from None
    return answer or default


def new_case_command(root: Path, library: Library, *, region: str | None, title: str | None,
                     level: str | None, case_id: str | None,
                     add_region: bool = False) -> tuple[Path, list[dict[str, Any]]]:
    """The `new-case` command: options first; what is missing is asked for at a terminal.

    A place the library lacks is offered from GB/T 2260 (`offer_region`); the case file and the
    new region records are written together, once everything else has been checked. Returns the
    case file and the regions added.
    """
    asking = sys.stdin.isatty()
    if not asking and not (region and title):
        missing = "、".join(name for name, value in (("--region", region), ("--title", title))
                           if not value)
        raise UsageError(f"缺少 {missing}。例：casebook new-case --region zunyi --title 创建五强组织助推乡村振兴"
                         "（在终端里直接运行时会逐项询问）。")
    if not region:
        region = _ask("地区（地区词表中的编号或名称，如 zunyi 或 遵义）")
    added = offer_region(region, library, add=add_region, asking=asking)
    for record in added:
        library.regions[record["id"]] = record
    region_id = added[-1]["id"] if added else resolve_region(region, library)
    while not title:  # only reached at a terminal: without one, --title was required above
        title = _ask("案例标题（通常取自来源文章的标题）")
    if asking and not level:
        level = _ask("实践主体层级：" + "、".join(f"{k}（{v}）" for k, v in _level_choices()),
                     _default_level(library, region_id))
    if asking and not case_id:
        taken = _taken(root, library)
        case_id = _ask("案例编号", suggest_id(title, region_id, library, taken))
    path = create_case(root, library, region=region_id, title=title, level=level, case_id=case_id)
    if added:
        add_regions(root, added)
    return path, added


def _level_choices() -> tuple[tuple[str, str], ...]:
    return field_by_path()["place.level"].choices


def _default_level(library: Library, region_id: str) -> str:
    """The region's own level (a prefecture's case is usually run by the prefecture)."""
    level = library.regions[region_id]["level"]
    return level if level in dict(_level_choices()) else "county"


def _taken(root: Path, library: Library) -> Callable[[str], bool]:
    def taken(cid: str) -> bool:
        return cid in library.cases or any((root / "cases" / f"{cid}{ext}").exists()
                                           for ext in (".yaml", ".yml"))
    return taken

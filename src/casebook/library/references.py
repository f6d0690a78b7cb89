"""References in prose: `[[indicator:yijiantiao-villages]]` names a record without its id showing.

Notes, definitions and descriptions often point at another record ("the count is a separate
indicator"). Written as an id, the id reached readers ("另见 yijiantiao-villages"); written as a
reference, the page shows the record's Chinese name linked to its page, a handout the name alone.
The link stage checks every reference (`check_references`), so an unknown one is an error with a
"did you mean", and the render stage can rely on each one resolving (`resolve`).

Forms: `[[种类:编号]]` with 种类 one of `KINDS`, or `[[编号]]` when the id names one record only.
`[[value:编号]]` names a figure of the same case and is allowed only in that case's
`indicators[].note`, the one place shown beside the case's own figures.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Protocol

# `[[…]]` with no brackets or line break inside; Markdown links (`[a](b)`) never match.
REFERENCE = re.compile(r"\[\[([^\[\]\n]{1,120})\]\]")

# Reference kind → (the library's collection, the page kind for links, what to call it).
KINDS: dict[str, tuple[str, str | None, str]] = {
    "case": ("case", "case", "案例"),
    "course": ("course", "course", "课程"),
    "practice": ("practices", "practice", "做法"),
    "indicator": ("indicators", "indicator", "指标"),
    "theme": ("themes", "theme", "主题"),
    "region": ("regions", "region", "地区"),
    "period": ("periods", None, "政策阶段"),  # periods have no page: the name alone
    "term": ("glossary", "glossary", "术语"),
}
VALUE = "value"
# Where a `[[value:…]]` may stand: a figure's note, shown on its own case's page and handout.
VALUE_FIELD = re.compile(r"^indicators\[\d+\]\.note$")


class Records(Protocol):
    def of(self, kind: str) -> dict[str, dict[str, Any]]: ...


@dataclass(frozen=True)
class Target:
    """What a reference names: the page (kind, id, anchor) to link and the name to show."""

    kind: str | None  # None: a record without a page of its own
    id: str | None
    name: str
    anchor: str | None = None


@dataclass(frozen=True)
class Unresolved:
    """Why a reference names nothing, in the contributor's words: message and hint."""

    message: str
    hint: str


def _name(record: dict[str, Any]) -> str:
    return str(record.get("name") or record.get("title") or record.get("term") or record["id"])


def _target(kind: str, rid: str, record: dict[str, Any]) -> Target:
    _, page, _ = KINDS[kind]
    if page == "glossary":
        return Target("glossary", None, _name(record), rid)
    return Target(page, rid, _name(record))


def resolve(library: Records, inner: str, case: dict[str, Any] | None = None,
            allow_values: bool = True) -> Target | Unresolved:
    """The record `[[inner]]` names; `case` is the case whose figures `[[value:…]]` may name."""
    kind, _, rid = inner.strip().rpartition(":")
    kind, rid = kind.strip(), rid.strip()
    if kind == VALUE:
        return _value(library, rid, case if allow_values else None)
    if kind and kind not in KINDS:
        wanted = "、".join([*KINDS, VALUE])
        return Unresolved(f"不认识的引用种类 {kind}（引用写作 [[{inner}]]）",
                          f"可用的种类有：{wanted}；例如 [[indicator:yijiantiao-rate]]。")
    kinds = [kind] if kind else list(KINDS)
    found = [(k, rid) for k in kinds if rid in library.of(KINDS[k][0])]
    if len(found) == 1:
        k, rid = found[0]
        return _target(k, rid, library.of(KINDS[k][0])[rid])
    if found:
        options = "、".join(f"[[{k}:{rid}]]" for k, _ in found)
        return Unresolved(f"引用 [[{inner}]] 不明确：{rid} 是好几种记录的编号",
                          f"请写明种类：{options}。")
    what = KINDS[kind][2] if kind else "记录"
    return Unresolved(f"引用 [[{inner}]] 找不到：没有编号为 {rid} 的{what}",
                      _suggest(library, rid, kinds))


def _value(library: Records, rid: str, case: dict[str, Any] | None) -> Target | Unresolved:
    if case is None:
        return Unresolved(f"[[value:{rid}]] 只能写在案例的指标数据说明（indicators[].note）里",
                          "在别处请引用指标本身，例如 [[indicator:yijiantiao-rate]]。")
    values = {v["id"]: v for v in case.get("indicators", [])}
    if rid not in values:
        close = difflib.get_close_matches(rid, values, n=1, cutoff=0.6)
        hint = (f"您是否想写 [[value:{close[0]}]]？" if close else
                "value 后面写本案例 indicators 中某一条的 id。")
        return Unresolved(f"引用 [[value:{rid}]] 找不到：本案例没有编号为 {rid} 的数据", hint)
    value = values[rid]
    indicator = library.of("indicators").get(value["indicator"])
    name = f"{_name(indicator) if indicator else value['indicator']}（{value['original']}）"
    return Target("case", case["id"], name, f"v-{rid}")


def _suggest(library: Records, ref: str, kinds: list[str]) -> str:
    """'Did you mean' over ids, names and aliases, answered in the reference syntax."""
    by_label: dict[str, tuple[str, str]] = {}
    for kind in kinds:
        for rid, record in library.of(KINDS[kind][0]).items():
            for label in [rid, record.get("name"), record.get("title"), record.get("term"),
                          *record.get("aliases", [])]:
                if label:
                    by_label.setdefault(str(label), (kind, rid))
    match = by_label.get(ref) or next(
        (by_label[m] for m in difflib.get_close_matches(ref, by_label, n=1, cutoff=0.6)), None)
    if match is None:
        return "引用写作 [[种类:编号]]，编号列在 cases/ 和 cases/vocab/ 的记录中。"
    kind, rid = match
    return f"您是否想写 [[{kind}:{rid}]]（{_name(library.of(KINDS[kind][0])[rid])}）？"


def names_only(library: Records, text: str, case: dict[str, Any] | None = None) -> str:
    """The text with each reference replaced by the name it stands for (spreadsheets, tooltips)."""
    def name(match: re.Match[str]) -> str:
        target = resolve(library, match.group(1), case)
        return target.name if isinstance(target, Target) else match.group(0)

    return REFERENCE.sub(name, text) if "[[" in text else text

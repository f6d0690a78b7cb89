"""Load stage: read record files safely into plain data, keeping line and column of every value.

Contributor text is data, never code. The loader accepts a deliberately small YAML: no tags,
no anchors or aliases, no duplicate keys, no implicit dates or yes/no booleans, UTF-8 only,
one document per file, and a size limit. Anything else is refused with a `Problem` that names
the file, line and column; nothing is ever constructed from a tag.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casebook.records import catalogue
from casebook.records.problems import Problem, field_name, yaml_problem

MAX_BYTES = 256 * 1024

Path_ = tuple[str | int, ...]
# Line and column of each top-level key and of its value (see Document.top_marks).
TopMarks = dict[str, tuple[tuple[int, int], tuple[int, int]]]

try:  # libyaml's C parser when present: same behaviour, several times faster.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Resolves only JSON-like scalars: strings stay strings unless they are plainly numbers."""

    yaml_implicit_resolvers: dict = {}


_SCALARS = {
    "tag:yaml.org,2002:null": (re.compile(r"^(?:~|null|Null|NULL|)$"), list("~nN") + [""]),
    "tag:yaml.org,2002:bool": (
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    "tag:yaml.org,2002:int": (re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")),
    "tag:yaml.org,2002:float": (
        re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
        list("-+.0123456789"),
    ),
}
for _tag, (_regexp, _first) in _SCALARS.items():
    _Loader.add_implicit_resolver(_tag, _regexp, _first)

_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", *_SCALARS,
}


@dataclass
class Document:
    """One parsed record file: its data and where each value stands in the text.

    Positions are needed only to report a problem, so a file that loads cleanly is read once, fast,
    without them; they are found by reading the file again the first time `mark` is asked
    (`marks=None`). A document made from other input passes its own (possibly empty) marks.
    """

    path: Path
    rel: str
    data: Any
    marks: dict[Path_, tuple[int, int]] | None = None
    key_marks: dict[Path_, tuple[int, int]] | None = None
    # Every scalar value, in document order, when the fast reader collected them on its way
    # (see `leaves`); checks use them and drop them.
    values: list[Any] | None = None
    # Line and column of each top-level key and of its value, which the fast reader notes on its
    # way: enough to point at a top-level field without reading the file again.
    top_marks: TopMarks | None = None

    def mark(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path`, or of its nearest ancestor that has one."""
        if self.marks is None and self.top_marks and len(path) == 1 and path[0] in self.top_marks:
            return self.top_marks[path[0]][0 if key else 1]  # type: ignore[index]
        if self.marks is None or self.key_marks is None:
            self._find_marks()
        assert self.marks is not None and self.key_marks is not None
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def _find_marks(self) -> None:
        self.marks, self.key_marks = {}, {}
        try:
            text = self.path.read_bytes().decode("utf-8-sig")
            try:
                self.marks, self.key_marks = _event_marks(text)
            except _Unusual:
                node = _compose(text, self.rel)
                if node is not None:
                    _construct(node, (), self, set())
        except (OSError, UnicodeDecodeError, yaml.YAMLError, _Refused):
            pass  # the file changed since it was loaded: report at the nearest known place


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def load_document(path: Path, rel: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read one file; return the document, or None and the problems that stopped it."""
    rel = rel or str(path)
    try:
        return _load(path, rel), []
    except _Refused as refused:
        return None, [refused.problem]


def _load(path: Path, rel: str) -> Document:
    def refuse(code: str, message: str, hint: str = "", line: int = 1, col: int = 1) -> _Refused:
        return _Refused(Problem(rel, line, col, "", message, hint=hint, code=code))

    try:
        if path.is_symlink() or not path.is_file():
            raise refuse("not-a-file", "这不是普通文件（可能是链接或设备）", "请把记录写成普通的文本文件。")
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)  # never more, whatever stat() says
        if len(raw) > MAX_BYTES:
            size = max(path.stat().st_size, len(raw))
            raise refuse("too-large", f"文件太大（{size / 1024:.1f} KB），上限是 {MAX_BYTES // 1024} KB",
                         "一个案例通常不超过 50 KB；请检查是否误粘贴了整篇原文或二进制内容。")
    except OSError as error:
        raise refuse("unreadable", f"无法读取文件：{error.strerror}") from None
    text = _decode(raw, refuse)
    if not text.strip():
        raise refuse("empty", catalogue.text("load.empty"), catalogue.text("load.empty_hint"))
    _check_tabs(text, refuse)
    values: list[Any] = []
    try:
        top_marks: TopMarks = {}
        return Document(path=path, rel=rel, data=_fast_data(text, values, top_marks), values=values,
                        top_marks=top_marks)
    except _Unusual:
        pass  # anything out of the ordinary is read again the careful way, which explains it
    try:
        node = _compose(text, rel)
    except yaml.MarkedYAMLError as error:
        raise _Refused(yaml_problem(rel, error)) from None
    except yaml.reader.ReaderError as error:
        index = error.position
        if _BaseLoader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
            index = len(text.encode("utf-8")[:index].decode("utf-8", errors="ignore"))
        line, col = _position(text, index)
        raise refuse("control-character", f"文件里有不可见的控制字符（U+{error.character:04X}）",
                     "请删去这一处的特殊字符（常见于从网页或 Word 复制的文字）。", line, col) from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise refuse("yaml-syntax", f"YAML 语法错误（{message}）") from None
    if node is None:
        raise refuse("empty", catalogue.text("load.only_comments"), catalogue.text("load.empty_hint"))
    document = Document(path=path, rel=rel, data=None, marks={}, key_marks={})
    document.data = _construct(node, (), document, set())
    return document


def _compose(text: str, rel: str) -> yaml.Node | None:
    """The node tree of the text, refusing anchors, aliases, tags and deep nesting first."""
    loader = _Loader(text)
    try:
        if _needs_event_check(text):
            _check_events(text, rel)
        return loader.get_single_node()
    finally:
        loader.dispose()


class _Unusual(Exception):
    """The fast reader met something it leaves to the careful one (or an error to explain)."""


_PLAIN_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_PLAIN_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
               "FALSE": False}
_RESOLVABLE_FIRST = frozenset("-+.0123456789~nNtTfF")
# Keys, and values up to this many characters (ids, dates, units, source labels), repeat across
# thousands of records. Each is kept once (sys.intern) instead of once per use: at 10,000 cases
# that halves the library's memory, and the copies sent back from worker processes shrink too.
SHARED_UP_TO = 16
_INT = _SCALARS["tag:yaml.org,2002:int"][0]
_FLOAT = _SCALARS["tag:yaml.org,2002:float"][0]


def _plain(value: str) -> Any:
    """A plain (unquoted) scalar resolved exactly as `_Loader` and `_scalar` resolve it."""
    if value in _PLAIN_NULL:
        return None
    if value in _PLAIN_BOOL:
        return _PLAIN_BOOL[value]
    try:  # a number Python cannot hold stays text, as in `_scalar`
        if value[0] in "-+.0123456789":
            if _INT.match(value):
                return int(value)
            if _FLOAT.match(value):
                number = float(value)
                return value if math.isinf(number) else number
    except ValueError:
        return value
    return value


def _fast_data(text: str, values: list[Any] | None = None,
               top_marks: TopMarks | None = None) -> Any:
    """The data of an ordinary record, built straight from libyaml's events without positions.

    Raises `_Unusual` at the first anchor, alias, tag, complex or repeated key, deep nesting,
    second document, empty file or syntax error, all of which the careful reader reports.
    `values`, when given, receives every scalar value (not keys) in document order, and
    `top_marks` the line and column of each top-level key and of its value.
    """
    loader = _Loader(text)
    found = values.append if values is not None else None
    # The open collection, whether it is a mapping, and its key waiting for a value (_NO_KEY when
    # the next scalar is a key); those of the collections around it wait in `around`.
    top: Any = None
    is_map = False
    key: Any = _NO_KEY
    around: list[tuple[Any, bool, Any]] = []
    root: Any = _NO_KEY
    key_mark = (1, 1)
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    intern = sys.intern
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    try:
        get_event = loader.get_event
        while (event := get_event()) is not None:
            kind = type(event)
            if kind is scalar:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                raw = event.value
                if is_map and key is _NO_KEY:
                    if raw in top:
                        raise _Unusual
                    key = intern(raw)
                    if len(around) == 1 and top_marks is not None:
                        key_mark = _where(event)
                    continue
                if len(around) == 1 and top_marks is not None and is_map:
                    top_marks[key] = (key_mark, _where(event))
                # Only a plain scalar that is empty or starts like a number, null or boolean can
                # be anything but text; most values are Chinese text and skip the call.
                value: Any = (_plain(raw) if event.implicit[0]
                              and (not raw or raw[0] in _RESOLVABLE_FIRST)
                              else intern(raw) if len(raw) <= SHARED_UP_TO else raw)
                if found is not None:
                    found(value)
            elif kind is mapping_start or kind is sequence_start:
                if (event.anchor is not None or event.tag is not None or len(around) >= MAX_DEPTH
                        or (is_map and key is _NO_KEY)):
                    raise _Unusual  # … or a collection as a key
                if len(around) == 1 and top_marks is not None and is_map:
                    top_marks[key] = (key_mark, _where(event))
                around.append((top, is_map, key))
                is_map = kind is mapping_start
                top = {} if is_map else []
                key = _NO_KEY
                continue
            elif kind is mapping_end or kind is sequence_end:
                value = top
                top, is_map, key = around.pop()
            elif kind is alias:
                raise _Unusual
            else:
                continue
            if top is None:
                if root is not _NO_KEY:
                    raise _Unusual
                root = value
            elif is_map:
                top[key] = value
                key = _NO_KEY
            else:
                top.append(value)
    except yaml.YAMLError:
        raise _Unusual from None
    finally:
        loader.dispose()
    if root is _NO_KEY or root is None:
        raise _Unusual
    return root


_NO_KEY = object()


def _event_marks(text: str) -> tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]:
    """Line and column of every value and every key of an ordinary record, from libyaml's events
    (the careful reader finds the same, several times slower); `_Unusual` as in `_fast_data`."""
    marks: dict[Path_, tuple[int, int]] = {}
    key_marks: dict[Path_, tuple[int, int]] = {}
    frames: list[list[Any]] = []  # per open collection: [its path, next index or key, mapping?]
    loader = _Loader(text)
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frames.pop()
                continue
            if kind not in (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent):
                if kind is yaml.AliasEvent:
                    raise _Unusual
                continue
            if event.anchor is not None or event.tag is not None or len(frames) >= MAX_DEPTH:
                raise _Unusual
            mark = _where(event)
            if not frames:
                path: Path_ = ()
            elif not frames[-1][2]:
                path = (*frames[-1][0], frames[-1][1])
                frames[-1][1] += 1
            elif frames[-1][1] is _NO_KEY:  # a key
                if kind is not yaml.ScalarEvent:
                    raise _Unusual
                frames[-1][1] = event.value
                key_marks[(*frames[-1][0], event.value)] = mark
                continue
            else:
                path = (*frames[-1][0], frames[-1][1])
                frames[-1][1] = _NO_KEY
            marks[path] = mark
            if kind is yaml.MappingStartEvent:
                frames.append([path, _NO_KEY, True])
            elif kind is yaml.SequenceStartEvent:
                frames.append([path, 0, False])
    except yaml.YAMLError:
        raise _Unusual from None
    finally:
        loader.dispose()
    return marks, key_marks


MAX_DEPTH = 32


def _needs_event_check(text: str) -> bool:
    """Whether the text could hold anchors, aliases, tags or deep nesting, checked before composing.

    libyaml's composer recurses once per level and crashes the process on very deep nesting, so
    depth must be measured on the event stream first; plain records never need that walk.
    """
    if any(c in text for c in "&*!"):
        return True
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return any(len(line) - len(line.lstrip(" ")) > 2 * MAX_DEPTH for line in text.splitlines())


def _where(item: yaml.Event | yaml.Node) -> tuple[int, int]:
    """Line and column (from 1) where a libyaml event or node starts."""
    return item.start_mark.line + 1, item.start_mark.column + 1


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _decode(raw: bytes, refuse: Any) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("encoding", "文件是 UTF-16 编码，本库只接受 UTF-8 编码",
                      "请在编辑器里选择“另存为 → 编码：UTF-8”。")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        col = len(raw[line_start: error.start].decode("utf-8", errors="replace")) + 1
        guess = ""
        try:
            raw.decode("gb18030")
            guess = "看起来是 GBK/GB18030 编码（Windows 记事本、WPS 的常见默认值）。"
        except UnicodeDecodeError:
            pass
        raise refuse("encoding", f"文件不是 UTF-8 编码：第 {line} 行有无法按 UTF-8 读取的字节。{guess}",
                      "本库只接受 UTF-8 编码；请在编辑器里选择“另存为 → 编码：UTF-8”。",
                      line, col) from None


def _check_tabs(text: str, refuse: Any) -> None:
    if "\t" not in text:
        return
    for number, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise refuse("tab", catalogue.text("load.tab"), catalogue.text("load.tab_hint"),
                          number, indent.index("\t") + 1)


def _check_events(text: str, rel: str) -> None:
    """Refuse anchors, aliases and tags before composing, so an alias bomb never expands."""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            line, col = _where(event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(Problem(
                        rel, line, col, "", f"嵌套太深（超过 {MAX_DEPTH} 层）",
                        hint="案例记录最多只有几层嵌套；请检查是否有多余的方括号或缩进。", code="too-deep"))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Refused(Problem(rel, line, col, "", catalogue.text("load.alias"),
                                       hint=catalogue.text("load.alias_hint"),
                                       code="alias"))
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise _Refused(Problem(rel, line, col, "", catalogue.say("load.tag", tag=tag),
                                       hint=catalogue.text("load.tag_hint"), code="tag"))
    finally:
        loader.dispose()


def _construct(node: yaml.Node, path: Path_, doc: Document, seen: set[int]) -> Any:
    if id(node) in seen:  # an alias that slipped past the event check: never expand it
        line, col = _where(node)
        raise _Refused(Problem(doc.rel, line, col, field_name(path), "不允许使用锚点和别名（& 和 *）",
                               code="alias"))
    seen.add(id(node))
    doc.marks[path] = _where(node)
    if node.tag not in _ALLOWED_TAGS:
        raise _Refused(Problem(doc.rel, *doc.marks[path], field_name(path),
                               f"不允许使用 YAML 标签（{node.tag}）", code="tag"))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = _where(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(Problem(doc.rel, *key_mark, field_name(path), "字段名必须是简单的文字",
                                       code="complex-key"))
            key = key_node.value
            if key in result:
                first = doc.key_marks[(*path, key)]
                raise _Refused(Problem(
                    doc.rel, *key_mark, field_name((*path, key)),
                    catalogue.say("load.duplicate_key", key=key, line=first[0]),
                    hint=catalogue.text("load.duplicate_key_hint"), code="duplicate-key"))
            doc.key_marks[(*path, key)] = key_mark
            result[key] = _construct(value_node, (*path, key), doc, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), doc, seen) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    # `_Loader` tags a plain scalar by the same patterns `_plain` applies (explicit tags never get
    # this far), so a scalar not tagged as text resolves exactly as the fast reader resolves it.
    return node.value if node.tag == "tag:yaml.org,2002:str" else _plain(node.value)


def scalars(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every scalar in `data` with its path, in document order (the careful walk of `leaves`)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from scalars(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from scalars(value, (*path, index))
    else:
        yield path, data


def strings_in(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in `data` with its path, in document order."""
    return ((path, value) for path, value in scalars(data) if isinstance(value, str))


def leaves(data: Any) -> list[Any]:
    """Every scalar in `data`, in document order, without paths: a quick first look for checks
    that rarely find anything (the careful walk with paths runs only when they do)."""
    found: list[Any] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            stack.extend(reversed(value.values()))
        elif type(value) is list:
            stack.extend(reversed(value))
        else:
            found.append(value)
    return found


def iter_record_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (kind, path) for every record file under `root`/cases, in a stable order.

    Cases sit in cases/, courses in cases/courses/, vocabularies in cases/vocab/<kind>/.
    """
    cases = root / "cases"
    for path in sorted([*cases.glob("*.yaml"), *cases.glob("*.yml")]):
        yield "case", path
    courses = cases / "courses"
    for path in sorted([*courses.glob("*.yaml"), *courses.glob("*.yml")]):
        yield "course", path
    vocab = cases / "vocab"
    for kind_dir in sorted(p for p in vocab.iterdir() if p.is_dir()) if vocab.is_dir() else []:
        for path in sorted([*kind_dir.glob("*.yaml"), *kind_dir.glob("*.yml")]):
            yield kind_dir.name, path

"""Characters a record may not hold: invisible controls, direction overrides, zero-width and
private-use characters, and names that are not in Unicode's standard (NFC) form.

Each of them either breaks a later stage (a NUL or ESC cannot go into an Excel cell; a lone
surrogate cannot be written as UTF-8) or makes text read differently from what it holds (U+202E
turns the rest of a title around; a zero-width space makes two ids that look alike differ).

- Control characters (C0 and C1, DEL) other than tab and line break, a carriage return not
  followed by a line break, lone surrogates and the non-characters U+FFFE/U+FFFF: errors anywhere.
- Direction controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C): errors anywhere.
- Zero-width characters (U+200B–200D, U+2060–2064, U+FEFF) and private-use characters: errors in
  what names a thing (ids, titles, names, aliases, terms, anything the schema gives a pattern),
  warnings in prose, where they are invisible but harmless.
- Names not in NFC form: errors, with the NFC form as the hint.

One precompiled pattern looks at all of a record's text at once (`joined_texts`); only when it
finds something is the document walked value by value to say where.
"""

from __future__ import annotations

import re
import unicodedata

from casebook.records.load import Document, strings_in
from casebook.records.privacy import locate
from casebook.records.problems import Problem, field_name
from casebook.records.validate import schema_node

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b-\u200d\u2060-\u2064\ufeff"
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U0010ffff"
# Everything else, as one set of allowed ranges: over the joined text that is a faster test than
# the set of refused ones. A carriage return always counts here (the joining line break may follow
# it); within one value, only one that is not part of CR LF does (`_FOUND`).
_SUSPECT = re.compile("[^\t\n -~\u00a0-\u061b\u061d-\u200a\u2010-\u2029\u202f-\u205f"
                      "\u206a-\ud7ff\uf900-\ufefe\uff00-\ufffd\U00010000-\U000effff]")
_FOUND = re.compile(f"[{_CONTROL}{_BIDI}{_INVISIBLE}{_PRIVATE}]|\r(?!\n)")
_BIDI_SET = re.compile(f"[{_BIDI}]")
_INVISIBLE_SET = re.compile(f"[{_INVISIBLE}]")

# Fields that name or identify something, by their key (a list's items by the list's key).
NAMING_FIELDS = frozenset(("id", "title", "name", "aliases", "term", "local_name", "unit"))

_NAMES = {
    0x00: "空字符（NUL）", 0x07: "响铃符（BEL）", 0x08: "退格符（BS）", 0x0B: "垂直制表符",
    0x0C: "换页符", 0x0D: "回车符（CR）", 0x1B: "转义符（ESC）", 0x7F: "删除符（DEL）",
    0x85: "下一行符（NEL）",
    0x061C: "阿拉伯字母标记", 0x200E: "从左到右标记", 0x200F: "从右到左标记",
    0x202A: "从左到右嵌入", 0x202B: "从右到左嵌入", 0x202C: "方向格式结束",
    0x202D: "从左到右覆盖", 0x202E: "从右到左覆盖", 0x2066: "从左到右隔离",
    0x2067: "从右到左隔离", 0x2068: "首字方向隔离", 0x2069: "方向隔离结束",
    0x200B: "零宽空格", 0x200C: "零宽不连字", 0x200D: "零宽连字", 0x2060: "零宽不换行", 0x2061: "不可见函数符",
    0x2062: "不可见乘号", 0x2063: "不可见分隔符", 0x2064: "不可见加号",
    0xFEFF: "零宽不换行空格（BOM）", 0xFFFE: "非字符", 0xFFFF: "非字符",
}

_HINTS = {
    "control": ("控制字符不显示，却会让导出的 Excel 文件和网页出错；常见于从网页、Word 或 PDF 复制的文字，"
                "也可能是双引号里写了“\\0”“\\e”“\\a”“\\b”这样的转义。请删去这个字符。"),
    "bidi": ("这种字符不显示，却会改变后面文字的显示方向，使看到的与实际写的不同。"
             "中文和英文都不需要它，请删去（可以把这一段删掉后重新输入）。"),
    "naming": ("编号、标题和名称里看不见的字符会让两个看起来一样的名称实际不同，搜索不到，也查不出重复。"
               "请删去这个字符（可以把这一段删掉后重新输入）。"),
    "prose": "正文里看不见的字符通常是复制粘贴带来的，不影响显示，但建议删去。",
    "private": ("私用区字符只有特定字体才能显示，在别的电脑和手机上会显示成方框或别的字。"
                "请改成标准的汉字或符号。"),
}


def describe(char: str) -> str:
    """`U+202E 从右到左覆盖`: how a message names a character."""
    code = ord(char)
    if code in _NAMES:
        name = _NAMES[code]
    elif 0xD800 <= code <= 0xDFFF:
        name = "不成对的代理码位"
    elif code < 0x20:
        name = "控制字符"
    elif 0x80 <= code <= 0x9F:
        name = "C1 控制字符"
    else:
        name = "私用区字符"
    return f"U+{code:04X} {name}"


def _names_a_thing(kind: str, path: tuple[str | int, ...]) -> bool:
    key = next((part for part in reversed(path) if isinstance(part, str)), "")
    return key in NAMING_FIELDS or "pattern" in schema_node(kind, path)


def _class_of(char: str) -> str:
    if _BIDI_SET.match(char):
        return "bidi"
    if _INVISIBLE_SET.match(char):
        return "invisible"
    code = ord(char)
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return "private"
    return "control"


def character_problems(kind: str, doc: Document, texts: str) -> list[Problem]:
    """One problem per field and character that should not be there; `texts` is the document's
    `joined_texts`, which is looked at first as a whole."""
    if not _SUSPECT.search(texts) and unicodedata.is_normalized("NFC", texts):
        return []
    problems: list[Problem] = []
    source: list[str] = []  # the file's text, read once if a character needs finding in it
    for path, text in strings_in(doc.data):
        naming = _names_a_thing(kind, path) if path else True
        # Per kind of character: the offset of the first, the characters in order, how many.
        found: dict[str, tuple[int, list[str], int]] = {}
        for match in _FOUND.finditer(text):
            what = _class_of(match.group())
            first, chars, count = found.get(what, (match.start(), [], 0))
            if match.group() not in chars:
                chars.append(match.group())
            found[what] = (first, chars, count + 1)
        for what, (offset, chars, count) in found.items():
            if not source:
                source.append(doc.path.read_text(encoding="utf-8-sig"))
            # Where the file holds the character as typed (not as an escape), at the character.
            where = locate(source[0], doc.mark(path), text, offset)
            problems.append(_problem(doc.rel, where, path, what, chars, naming, count))
        if naming and not unicodedata.is_normalized("NFC", text):
            problems.append(_not_nfc(doc, path, text))
    return problems


def _problem(rel: str, where: tuple[int, int], path: tuple[str | int, ...], what: str,
             chars: list[str], naming: bool, count: int) -> Problem:
    label = field_name(path) or "整个文件"
    named = "、".join(describe(char) for char in chars)
    times = f"（共 {count} 处）" if count > 1 else ""
    severity = "error"
    if what == "control":
        message, hint = f"{label}：含有看不见的控制字符 {named}{times}", _HINTS["control"]
    elif what == "bidi":
        message, hint = f"{label}：含有改变文字方向的控制字符 {named}{times}", _HINTS["bidi"]
    else:
        kind_of = "私用区字符" if what == "private" else "看不见的字符"
        message = f"{label}：含有{kind_of} {named}{times}"
        hint = _HINTS["private"] if what == "private" else _HINTS["naming" if naming else "prose"]
        severity = "error" if naming else "warning"
    return Problem(rel, *where, field_name(path), message, hint=hint, code=f"character-{what}",
                   severity=severity)


def _not_nfc(doc: Document, path: tuple[str | int, ...], text: str) -> Problem:
    label = field_name(path) or "整个文件"
    normal = unicodedata.normalize("NFC", text)
    return Problem(
        doc.rel, *doc.mark(path), field_name(path),
        f"{label}：文字不是标准的 Unicode 形式（NFC）：有由几个码位拼成的字，看起来与标准写法相同，编码却不同",
        hint=f"这会让看似相同的编号、标题或名称实际不同。请改写为标准形式：{normal}",
        code="character-not-nfc")

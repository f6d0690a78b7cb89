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

from casebook.records import catalogue
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
NAMING_FIELDS = frozenset(catalogue.text("characters.naming_fields"))
# Names of characters and the hints, in the messages catalogue the case form shares.
_NAMES = {int(code): name for code, name in catalogue.text("characters.names").items()}
_HINTS = catalogue.text("characters.hints")


def describe(char: str) -> str:
    """`U+202E 从右到左覆盖`: how a message names a character."""
    code = ord(char)
    if code in _NAMES:
        name = _NAMES[code]
    elif 0xD800 <= code <= 0xDFFF:
        name = catalogue.text("characters.surrogate")
    elif code < 0x20:
        name = catalogue.text("characters.c0")
    elif 0x80 <= code <= 0x9F:
        name = catalogue.text("characters.c1")
    else:
        name = catalogue.text("characters.private_name")
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
    label = field_name(path) or catalogue.text("schema.whole_file")
    named = "、".join(describe(char) for char in chars)
    times = catalogue.say("characters.times", count=count) if count > 1 else ""
    severity = "error"
    if what in ("control", "bidi"):
        message = catalogue.say(f"characters.{what}", label=label, named=named, times=times)
        hint = _HINTS[what]
    else:
        kind_of = catalogue.text("characters.kind_private" if what == "private" else "characters.kind_invisible")
        message = catalogue.say("characters.other", label=label, kind=kind_of, named=named, times=times)
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

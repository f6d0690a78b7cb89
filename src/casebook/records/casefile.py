"""Write a case record as commented YAML text, through the template `macros/new_case.yaml.j2`.

The scaffold (`casebook new-case`) and the Excel import both write records this way, so a record
a contributor starts from always looks the same: fields in the schema's order, each explained by
a Chinese comment taken from the schema. Values are data: every string is emitted by `scalar` or
`block`, which quote whatever YAML could read as something else, and the written file is read
back with the project's own loader and compared, so a value can never change on the way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from casebook.records.fields import case_fields, children
from casebook.records.load import load_document

TEMPLATE = "new_case.yaml.j2"
MODELINE = "# yaml-language-server: $schema=../src/casebook/schemas/case.schema.json"

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
# What a YAML 1.1 or 1.2 reader may take for a number, date, boolean or null when unquoted.
_AMBIGUOUS = re.compile(r"^[-+0-9.:_eE ]+$|^(?:y|n|yes|no|on|off|true|false|null|~|\.inf|\.nan)$",
                        re.IGNORECASE)
_ID_LIKE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def _printable(text: str) -> bool:
    return all(ch.isprintable() for ch in text)


def plain_safe(text: str) -> bool:
    """Whether `text` can be written as a plain (unquoted) scalar and read back unchanged."""
    return bool(
        text and text == text.strip() and text[0] not in _INDICATORS and _printable(text)
        and ": " not in text and " #" not in text and not text.endswith(":")
        and not _AMBIGUOUS.match(text)
    )


def quoted(text: str) -> str:
    """A double-quoted scalar; anything not printable is escaped, so no line break hides in it."""
    dumped = json.dumps(text, ensure_ascii=False)
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000
                   else f"\\U{ord(ch):08x}" for ch in dumped)


def scalar(value: Any) -> str:
    """One value on the line of its key."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return text if plain_safe(text) else quoted(text)


def _block_ok(text: str) -> bool:
    lines = text.rstrip("\n").split("\n")
    return (
        "\n" in text.rstrip("\n") and _printable(text.replace("\n", ""))
        and not lines[0].startswith(" ") and all(line == line.rstrip() for line in lines)
        and not any(line.startswith("\t") for line in lines) and not text.startswith("\n")
    )


def block(value: Any, indent: int) -> str:
    """A value that may span lines: a literal block (`|`) when that reads back unchanged."""
    if not isinstance(value, str) or not _block_ok(value) or value.endswith("\n\n"):
        return scalar(value)
    chomp = "" if value.endswith("\n") else "-"
    pad = " " * indent
    body = "\n".join(pad + line if line else "" for line in value.rstrip("\n").split("\n"))
    return f"|{chomp}\n{body}"


def flow_ok(items: list[Any]) -> bool:
    """Whether a list of scalars reads well as `[a, b]`: short ids, as the seed cases write them."""
    return bool(items) and all(isinstance(i, str) and _ID_LIKE.match(i) for i in items)


def comment(text: str) -> str:
    """Schema text on one comment line."""
    return " ".join(str(text).split())


def example(value: Any) -> str:
    """A schema example as it is written in a record: `[a, b]` for ids, one item for texts."""
    if isinstance(value, list):
        if flow_ok(value):
            return "[" + ", ".join(value) + "]"
        return scalar(value[0]) if value else "[]"
    return scalar(value)


def environment(macros: Path) -> SandboxedEnvironment:
    """Jinja for YAML: sandboxed and strict; no HTML autoescaping, values go through `scalar`."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(macros)), autoescape=False, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        comment_start_string="{##", comment_end_string="##}",
    )
    env.filters.update(scalar=scalar, block=block, comment=comment, example=example)
    env.tests.update(flow=flow_ok)
    fields = {f.path: f for f in case_fields()}
    env.globals.update(fields=fields, children=lambda parent: children(parent))
    return env


def case_yaml(case: dict[str, Any], macros: Path, *, guide: bool, header: list[str],
              hints: dict[str, str] | None = None) -> str:
    """The YAML text of `case`. With `guide`, absent optional fields appear as commented examples."""
    template = environment(macros).get_template(TEMPLATE)
    return template.render(case=case, guide=guide, header=[comment(h) for h in header],
                           hints=hints or {}, modeline=MODELINE)


class RoundTripError(RuntimeError):
    """The written YAML did not read back as the data it was written from: a bug of ours."""


def write_case(path: Path, case: dict[str, Any], macros: Path, *, guide: bool,
               header: list[str], hints: dict[str, str] | None = None) -> str:
    """Write `case` to `path` and prove the file reads back as the same data."""
    text = case_yaml(case, macros, guide=guide, header=header, hints=hints)
    path.write_text(text, encoding="utf-8")
    doc, problems = load_document(path)
    if doc is None or doc.data != case:
        path.unlink()
        detail = problems[0].message if problems else "读回的数据与写入的不同"
        raise RoundTripError(f"生成的 YAML 无法原样读回（{detail}）")
    return text

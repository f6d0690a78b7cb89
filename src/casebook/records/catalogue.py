"""The validator's messages as data (messages.json), shared with the case form on the site.

`say("schema.minLength", limit=2, length=1)` → `太短：至少 2 个字，现在 1 个`. The site ships the
same file to javascripts/case-form.js, so a contributor reads the same words in the browser as
`casebook validate` prints; the keys under `python_only` name the rules only the validator runs.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def messages() -> dict[str, Any]:
    return json.loads(resources.files("casebook.records").joinpath("messages.json").read_text("utf-8"))


def text(key: str) -> Any:
    """The entry at a dotted key: `load.alias`, `characters.hints`."""
    node: Any = messages()
    for part in key.split("."):
        node = node[part]
    return node


def say(entry: str, /, **values: Any) -> str:
    return str(text(entry)).format(**values)

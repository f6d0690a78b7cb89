"""Placeholders left in a record: the scaffold's 【待填写】 that a contributor has not yet replaced.

Each is an error that names the field, says what goes there and gives the schema's example, so a
new case file teaches its own completion.
"""

from __future__ import annotations

from typing import Any

from casebook.records.load import Document, leaves
from casebook.records.privacy import joined_texts
from casebook.records.problems import Problem, field_name
from casebook.records.validate import choices, schema_node

PLACEHOLDER = "【待填写】"


def placeholder_problems(kind: str, doc: Document, texts: str | None = None) -> list[Problem]:
    """An error for each value that still holds the scaffold's placeholder, saying what goes there.

    `texts`: the document's text values joined (privacy.joined_texts), when the caller has them.
    """
    problems: list[Problem] = []
    texts = joined_texts(leaves(doc.data)) if texts is None else texts
    if PLACEHOLDER not in texts:
        return problems

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, str) and PLACEHOLDER in value:
            problems.append(_placeholder_problem(kind, doc, path))

    walk(doc.data, ())
    return problems


def _placeholder_problem(kind: str, doc: Document, path: tuple[str | int, ...]) -> Problem:
    # An item of a list of ids is explained by its list (themes[0] by themes).
    owner = path[:-1] if path and isinstance(path[-1], int) else path
    node = schema_node(kind, owner)
    label = f"{field_name(path)}（{node['title']}）" if node.get("title") else field_name(path)
    hint = node.get("description", "")
    options = choices(node)
    if options:
        hint += " 可选值：" + "、".join(f"{value}（{title}）" for value, title in options)
    elif node.get("examples"):
        example = node["examples"][0]
        hint += f" 例：{'、'.join(map(str, example)) if isinstance(example, list) else example}"
    return Problem(doc.rel, *doc.mark(path), field_name(path),
                   f"{label}：还没有填写（模板里的“{PLACEHOLDER}”还在）", hint=hint.strip(),
                   code="placeholder")

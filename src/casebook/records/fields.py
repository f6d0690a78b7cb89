"""The case schema as a flat list of fields, for everything contributors are shown about fields.

The scaffold's comments, the Excel template's headers and dropdowns, the issue form and the
contributor guide's field reference are all generated from this list, so none of them can say
something the schema does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from casebook.records.validate import choices, load_schema, schema_node

# Which vocabulary (or which list inside the same record) a reference field points into.
VOCABULARY_OF = {
    "place.region": "regions",
    "time.periods[]": "periods",
    "themes[]": "themes",
    "related_cases[]": "case",
    "practices[].practice": "practices",
    "indicators[].indicator": "indicators",
}
LOCAL_REFERENCE_OF = {
    "outcomes[].practices[]": "practices",
    "lessons[].practices[]": "practices",
    "outcomes[].indicators[]": "indicators",
    "lessons[].indicators[]": "indicators",
}


@dataclass(frozen=True)
class Field:
    """One field of a case record, as a contributor needs to know it."""

    path: str  # `sources[].title`: `[]` stands for "every item of the list"
    title: str
    description: str
    required: bool  # required in the object that holds it (and that object is present)
    type: str  # string, number, integer, boolean, object, array, choice
    examples: tuple[Any, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    item_type: str = ""  # for arrays of scalars: the items' type
    vocabulary: str = ""  # regions, periods, themes, practices, indicators or case
    local: str = ""  # sources, practices or indicators: an id defined in the same record
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    parts: tuple[str | int, ...] = field(default=(), compare=False)  # the path for schema_node()

    @property
    def depth(self) -> int:
        return self.path.count(".") + self.path.count("[]")

    @property
    def is_container(self) -> bool:
        return self.type == "object" or (self.type == "array" and not self.item_type)

    @property
    def parent(self) -> str:
        """Path of the object or list that holds this field ('' at the top)."""
        head = self.path.removesuffix("[]")
        return head.rsplit(".", 1)[0] if "." in head else ""

    @property
    def key(self) -> str:
        """The field's own name within its object."""
        return self.path.removesuffix("[]").rsplit(".", 1)[-1]


def _type_of(node: dict[str, Any]) -> str:
    if choices(node):
        return "choice"
    kind = node.get("type", "string")
    return kind[0] if isinstance(kind, list) else kind


def _local_of(path: str) -> str:
    if path.endswith(".source") and path != "":
        return "sources"
    return LOCAL_REFERENCE_OF.get(path, "")


@cache
def case_fields() -> tuple[Field, ...]:
    """Every field of a case record, depth first in the schema's own order."""
    found: list[Field] = []

    def walk(parts: tuple[str | int, ...], prefix: str, node: dict[str, Any]) -> None:
        required = set(node.get("required", []))
        for name in node.get("properties", {}):
            sub_parts = (*parts, name)
            sub = schema_node("case", sub_parts)
            path = f"{prefix}.{name}" if prefix else name
            kind = _type_of(sub)
            item_type = ""
            item: dict[str, Any] = {}
            if kind == "array":
                item = schema_node("case", (*sub_parts, 0))
                item_kind = _type_of(item)
                item_type = "" if item_kind == "object" else item_kind
            description = sub.get("description", "") or (item.get("description", "") if item_type else "")
            target = f"{path}[]" if item_type else path
            found.append(Field(
                path=path, title=sub.get("title", ""), description=description,
                required=name in required, type=kind, examples=tuple(sub.get("examples", ())),
                choices=tuple(choices(sub)), item_type=item_type,
                vocabulary=VOCABULARY_OF.get(target, ""), local=_local_of(target),
                min_length=sub.get("minLength", item.get("minLength") if item_type else None),
                max_length=sub.get("maxLength", item.get("maxLength") if item_type else None),
                min_items=sub.get("minItems"), parts=sub_parts,
            ))
            if kind == "object":
                walk(sub_parts, path, sub)
            elif kind == "array" and not item_type:
                walk((*sub_parts, 0), f"{path}[]", item)

    walk((), "", load_schema("case"))
    return tuple(found)


def field_by_path() -> dict[str, Field]:
    return {f.path: f for f in case_fields()}


def children(parent: str) -> list[Field]:
    """The fields directly inside the object at `parent` (`sources[]` for a list's items)."""
    return [f for f in case_fields() if f.parent == parent]


def required_label(item: Field) -> str:
    return "必填" if item.required else "可选"

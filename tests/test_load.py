"""Fast paths agree with the careful ones: the two YAML readers, and the two schema checks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from casebook.records.load import (
    Document,
    _compose,
    _construct,
    _event_marks,
    _fast_data,
    _Unusual,
    leaves,
    load_document,
)
from casebook.records.validate import _passes, _validator

ROOT = Path(__file__).resolve().parents[1]

SCALARS = """\
a: 1
b: -2
c: +3
d: 0
e: 012
f: 1.5
g: .5
h: 1e3
i: 2.5E-2
j: 0x1F
k: 1_000
l: true
m: False
n: yes
o: ~
p: null
q:
r: '1'
s: "true"
t: 2020-01-01
u: 12:30
v: 1.2.3
w: inf
x: .inf
y: NaN
z: 1e999
"1": numeric key
null: null key
list: [1, '2', x, {k: v}, [], {}]
text: |
  第一行
  第二行
folded: >
  一段
  文字
"""


def careful(text: str) -> object:
    node = _compose(text, "t.yaml")
    return _construct(node, (), Document(Path("t.yaml"), "t.yaml", None, {}, {}), set())


@pytest.mark.parametrize("path", sorted((ROOT / "cases").rglob("*.yaml")), ids=lambda p: p.name)
def test_both_readers_give_the_same_data_for_every_shipped_record(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _fast_data(text) == careful(text)


def test_both_readers_resolve_scalars_alike() -> None:
    fast = _fast_data(SCALARS)
    assert fast == careful(SCALARS)
    # The deliberately small YAML: no octal, hex, dates, times or yes/no; only JSON-like scalars.
    assert (fast["a"], fast["e"], fast["j"], fast["n"], fast["t"], fast["u"]) == (
        1, 12, "0x1F", "yes", "2020-01-01", "12:30")
    assert fast["q"] is None and fast["r"] == "1" and fast["z"] == "1e999"


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: 1\na: 2\n", "? [a]\n: 1\n", "a: 1\n---\nb: 2\n",
    "# only a comment\n", "a: [\n", "a: " + "[" * 40 + "]" * 40 + "\n",
])
def test_the_fast_reader_leaves_anything_unusual_to_the_careful_one(text: str) -> None:
    with pytest.raises(_Unusual):
        _fast_data(text)


def test_positions_are_found_when_first_asked(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\nitems:\n  - name: 一\n  - name: 二\n", encoding="utf-8")
    doc, problems = load_document(path, "x.yaml")
    assert not problems and doc is not None and doc.marks is None
    assert doc.mark(("items", 1, "name")) == (4, 11)
    assert doc.mark(("items", 1, "name"), key=True) == (4, 5)
    assert doc.mark(("items", 7)) == (3, 3)  # the nearest ancestor that exists


def _paths(value: object, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _replaced(data: object, path: tuple, new: object) -> object:
    copy = json.loads(json.dumps(data))
    *parents, last = path
    target = copy
    for part in parents:
        target = target[part]
    if new is _DELETE:
        del target[last]
    else:
        target[last] = new
    return copy


_DELETE = object()


@pytest.mark.parametrize("path", sorted((ROOT / "cases").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_quick_schema_check_and_the_full_report_agree(path: Path) -> None:
    """The quick check (jsonschema-rs) decides which records get the full report (jsonschema):
    a record it passes that the full check would fail would go unreported, so they must agree."""
    data = _fast_data(path.read_text(encoding="utf-8"))
    paths = [p for p in _paths(data) if p]
    rng = random.Random(path.stem)
    disagreements = []
    for target in rng.sample(paths, k=min(40, len(paths))):
        for new in (_DELETE, {}, [], "", -1, 10**20, "x" * 300, "未知值", None, True):
            mutated = _replaced(data, target, new)
            if _passes("case", mutated) != (not any(_validator("case").iter_errors(mutated))):
                disagreements.append((target, new))
    assert not disagreements


@pytest.mark.parametrize("path", sorted((ROOT / "cases").rglob("*.yaml")), ids=lambda p: p.name)
def test_both_readers_find_the_same_positions(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = Document(path, path.name, None, {}, {})
    _construct(_compose(text, path.name), (), doc, set())
    assert _event_marks(text) == (doc.marks, doc.key_marks)


def test_the_fast_reader_collects_the_same_values_as_leaves() -> None:
    values: list = []
    data = _fast_data(SCALARS, values)
    assert values == leaves(data)


@pytest.mark.parametrize("path", sorted((ROOT / "cases").rglob("*.yaml")), ids=lambda p: p.name)
def test_top_level_positions_noted_on_the_way_match_a_full_reading(path: Path) -> None:
    """A warning on a top-level field points where a full reading of the file would."""
    doc, _ = load_document(path, path.name)
    assert doc is not None and doc.marks is None
    full = Document(path, path.name, doc.data)
    for key in doc.data if isinstance(doc.data, dict) else []:
        assert (doc.mark((key,), key=True), doc.mark((key,))) == (
            full.mark((key,), key=True), full.mark((key,)))
    assert doc.marks is None  # answered without reading the file again


def test_keys_and_short_values_are_held_once_across_records(tmp_path: Path) -> None:
    """Field names, ids, dates and units repeat in every record: a library keeps one copy."""
    docs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.yaml"
        path.write_text("".join(["unit", "_name: 万元\nsource: s1\nsummary: ", "一段很长的说明文字" * 3,
                                 "\n"]), encoding="utf-8")
        doc, _ = load_document(path)
        assert doc is not None
        docs.append(doc.data)
    first, second = docs
    assert [k for k in first] == ["unit_name", "source", "summary"]
    assert all(a is b for a, b in zip(first, second, strict=True))  # the keys
    assert first["unit_name"] is second["unit_name"] and first["source"] is second["source"]
    assert first["summary"] == second["summary"] and first["summary"] is not second["summary"]

"""The pipeline end to end, for the CLI and the build: load → validate → link."""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from casebook.library.duplicates import duplicate_warnings
from casebook.library.link import VOCABULARIES, Library, build_library, suggest_ids
from casebook.parallel import cores, map_in_workers
from casebook.records.characters import character_problems
from casebook.records.load import Document, iter_record_files, leaves, load_document
from casebook.records.numbers import number_problems
from casebook.records.placeholders import placeholder_problems
from casebook.records.privacy import joined_texts, personal_data_problems
from casebook.records.problems import Problem
from casebook.records.validate import KINDS, validate_document, warm_up
from casebook.timings import timed


@dataclass
class CheckResult:
    """What checking the whole library found."""

    library: Library
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
# Files a worker checks per message (see _check_files).
CHUNK = 50


def check_library(root: Path, *, workers: int | None = None,
                  cache: dict[str, tuple[bytes, _Checked]] | None = None) -> CheckResult:
    """Load, validate and link every record under `root`; one bad file never stops the others.

    Each file is read and checked on its own, so large libraries are spread over the machine's
    cores (`workers`, default: all); linking then runs once over everything. A preview passes
    the same `cache` on every reload, and only files whose bytes changed are read again.
    """
    with timed("validate"):
        return _check_library(root, workers=workers, cache=cache)


def _check_library(root: Path, *, workers: int | None,
                   cache: dict[str, tuple[bytes, _Checked]] | None) -> CheckResult:
    documents: list[tuple[str, Document, set[int] | None]] = []
    problems: list[Problem] = []
    items: list[tuple[str, Path, str]] = []
    files = 0
    for kind, path in iter_record_files(root):
        files += 1
        rel = path.relative_to(root).as_posix()
        if path.suffix != ".yaml":
            problems.append(Problem(rel, 1, 1, "", "记录文件的扩展名应为 .yaml，这个文件不会被读取",
                                    f"请把它改名为 {path.stem}.yaml。", "extension"))
        elif kind not in KINDS:
            problems.append(Problem(rel, 1, 1, "", f"不认识的词表文件夹 cases/vocab/{path.parent.name}/",
                                    f"词表文件夹只能是：{'、'.join(VOCABULARIES)}。", "unknown-kind"))
        else:
            items.append((kind, path, rel))
    # Reading and linking build millions of small objects and no cycles: the cyclic collector
    # would only walk the growing heap again and again (a sixth of the time for 10,000 cases).
    collecting = gc.isenabled()
    gc.disable()
    try:
        checked = _check_cached(items, workers, cache)
        for kind, doc, file_problems, rejected in checked:
            problems += file_problems
            if doc is not None:
                documents.append((kind, doc, rejected))
        library, link_problems = build_library(documents)
        cases = {doc.data["id"]: doc for kind, doc, _ in documents
                 if kind == "case" and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)}
        link_problems += duplicate_warnings(library, cases)
        problems = suggest_ids(problems, library) + link_problems
    finally:
        if collecting:
            gc.enable()
    return CheckResult(library, sorted(problems), files)


_Checked = tuple[str, Document | None, list[Problem], set[int] | None]


def _check_cached(items: list[tuple[str, Path, str]], workers: int | None,
                  cache: dict[str, tuple[bytes, _Checked]] | None) -> list[_Checked]:
    if cache is None:
        return _check_files(items, workers)
    digests = {}
    for _, path, rel in items:
        try:
            digests[rel] = hashlib.blake2b(path.read_bytes()).digest()
        except OSError:
            digests[rel] = b""  # unreadable: checked again, which reports it
    missing = [item for item in items if not digests[item[2]]
               or cache.get(item[2], (b"", None))[0] != digests[item[2]]]
    fresh = dict(zip([rel for _, _, rel in missing], _check_files(missing, workers), strict=True))
    checked = [fresh[rel] if rel in fresh else cache[rel][1] for _, _, rel in items]
    cache.clear()
    cache.update({rel: (digests[rel], result) for (_, _, rel), result in zip(items, checked, strict=True)})
    return checked


def _check_files(items: list[tuple[str, Path, str]], workers: int | None) -> list[_Checked]:
    """Every file checked on its own, in the given order; in worker processes when it pays."""
    workers = workers or cores()
    if len(items) < PARALLEL_FROM:
        workers = 1
    else:
        for kind in {kind for kind, _, _ in items}:
            warm_up(kind)  # compiled once here, inherited by every worker
    # Small chunks, so that no worker is left with a long last chunk while the others wait.
    return map_in_workers(_check_file, items, workers,
                          chunksize=max(1, min(CHUNK, len(items) // (workers * 4))))


def _check_file(item: tuple[str, Path, str]) -> _Checked:
    kind, path, rel = item
    doc, problems = load_document(path, rel)
    if doc is None:
        return kind, None, problems, None
    schema_problems, rejected = validate_document(kind, doc)
    return kind, doc, problems + _contributor_checks(kind, doc, schema_problems), rejected


def _contributor_checks(kind: str, doc: Document, schema_problems: list[Problem]) -> list[Problem]:
    """Schema problems (less those a left-over placeholder or a stray character explains
    better), characters and numbers that would break a later stage, and personal data."""
    values = doc.values if doc.values is not None else leaves(doc.data)
    doc.values = None  # collected on the way in; not worth sending back from a worker
    texts = joined_texts(values)
    unfilled = placeholder_problems(kind, doc, texts)
    characters = character_problems(kind, doc, texts)
    explained = {p.field for p in unfilled}
    # An id with a zero-width space fails the id pattern too; the character says what is wrong.
    stray = {p.field for p in characters if p.severity == "error"}
    kept = [p for p in schema_problems
            if p.field not in explained and not (p.field in stray and p.code == "schema-pattern")]
    return (kept + unfilled + characters + number_problems(kind, doc)
            + personal_data_problems(doc, values, texts))

"""The pipeline end to end, for the CLI and for engine adapters: load → validate → link."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from casebook.duplicates import duplicate_warnings
from casebook.link import VOCABULARIES, Library, build_library, suggest_ids
from casebook.load import Document, iter_record_files, load_document
from casebook.privacy import personal_data_problems
from casebook.problems import Problem
from casebook.scaffold import placeholder_problems
from casebook.validate import KINDS, validate_document


@dataclass
class CheckResult:
    """What checking the whole library found."""

    library: Library
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check_library(root: Path) -> CheckResult:
    """Load, validate and link every record under `root`; one bad file never stops the others."""
    documents: list[tuple[str, Document, set[int] | None]] = []
    problems: list[Problem] = []
    files = 0
    for kind, path in iter_record_files(root):
        files += 1
        rel = path.relative_to(root).as_posix()
        if path.suffix != ".yaml":
            problems.append(Problem(rel, 1, 1, "", "记录文件的扩展名应为 .yaml，这个文件不会被读取",
                                    f"请把它改名为 {path.stem}.yaml。", "extension"))
            continue
        if kind not in KINDS:
            problems.append(Problem(rel, 1, 1, "", f"不认识的词表文件夹 cases/vocab/{path.parent.name}/",
                                    f"词表文件夹只能是：{'、'.join(VOCABULARIES)}。", "unknown-kind"))
            continue
        doc, load_problems = load_document(path, rel)
        problems += load_problems
        if doc is None:
            continue
        schema_problems, rejected = validate_document(kind, doc)
        problems += _contributor_checks(kind, doc, schema_problems)
        documents.append((kind, doc, rejected))
    library, link_problems = build_library(documents)
    cases = {doc.data["id"]: doc for kind, doc, _ in documents
             if kind == "case" and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str)}
    link_problems += duplicate_warnings(library, cases)
    problems = suggest_ids(problems, library) + link_problems
    return CheckResult(library, sorted(problems), files)


def _contributor_checks(kind: str, doc: Document, schema_problems: list[Problem]) -> list[Problem]:
    """Schema problems (less those a left-over placeholder explains better) and personal data."""
    unfilled = placeholder_problems(kind, doc)
    explained = {p.field for p in unfilled}
    return ([p for p in schema_problems if p.field not in explained] + unfilled
            + personal_data_problems(doc))

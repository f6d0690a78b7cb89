"""The contract between the validator and every later stage: what it accepts, they accept.

Hypothesis makes case records from a seed case, with arbitrary Unicode (controls, direction
overrides, zero-width and private-use characters among it) put into its text fields and extreme
values into its numbers, and writes each into a small copy of the repository (the vocabularies and
that one case). For each, either `casebook validate` refuses it with clear problems, or each stage
after it makes its files from it without an error: the downloads (CSV, JSON and the Excel
workbook), the compare data and charts, every page, the finder data, the search terms and the
offline search text. The stages run in-process, without MkDocs or PDF, to stay within seconds.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casebook.records.load import scalars
from conftest import ROOT
from test_validate_cli import cli, make_sandbox

SEED = "zunyi-wuqiang-zuzhi"
BASE: dict[str, Any] = yaml.safe_load((ROOT / "cases" / f"{SEED}.yaml").read_text("utf-8"))
BASE.pop("related_cases", None)  # the copy holds no other case to relate to

# The characters most likely to break something, mixed into arbitrary Unicode.
SPECIALS = ["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x9b", "\r", "\r\n", "\t", "\n",
            "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u061c", "\u200b", "\u200d", "\u2060",
            "\ufeff", "\ue000", "\U000f0000", "\uf90a", "e\u0301", "\u2028", "\u2029", "\ufffe",
            "\uffff", "\ud800", "{{ 1 }}", "{% raw %}", "<script>", "=1+1", "|", "*", "`", "\\",
            "&amp;", "\u3000", "𠀀"]
EXTREME_NUMBERS = [10**400, -10**400, 1e25, -1e25, 10**15, -10**15, 10**15 + 1, 1e15, 2021.0,
                   0, -0.0, 0.1, 5e-324, 1.7976931348623157e308, 98.73, 150, -5, 2.5]


def _free_text(path: tuple[str | int, ...]) -> bool:
    """A field any text may go into: not an id, a reference, a date or a choice."""
    from casebook.records.validate import schema_node

    node = schema_node("case", path)
    return "pattern" not in node and "oneOf" not in node


TEXT_PATHS = [p for p, v in scalars(BASE) if isinstance(v, str) and _free_text(p)]
NUMBER_PATHS = ([p for p, v in scalars(BASE) if isinstance(v, int | float) and not isinstance(v, bool)]
                + [("indicators", 0, "value_max"), ("indicators", 1, "since")])

insertion = st.lists(st.one_of(st.characters(), st.sampled_from(SPECIALS)), min_size=1,
                     max_size=6).map("".join)
number = st.one_of(st.sampled_from(EXTREME_NUMBERS), st.integers(), st.floats(allow_nan=False),
                   st.integers(0, 100), st.floats(0, 100), st.floats(-1e16, 1e16))
text_change = st.tuples(st.sampled_from(TEXT_PATHS), st.floats(0, 1), insertion)
number_change = st.tuples(st.sampled_from(NUMBER_PATHS), number)


def mutated(text_changes: list[tuple[Any, float, str]],
            number_changes: list[tuple[Any, Any]]) -> dict[str, Any]:
    case = copy.deepcopy(BASE)
    for path, where, inserted in text_changes:
        parent = case
        for part in path[:-1]:
            parent = parent[part]
        old = parent[path[-1]]
        at = round(where * len(old))
        parent[path[-1]] = old[:at] + inserted + old[at:]
    for path, value in number_changes:
        parent = case
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = value
    return case


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The vocabularies, templates and pages, with no cases or courses: the case under test is
    the only one."""
    root = make_sandbox(tmp_path_factory.mktemp("contract"))
    for path in (root / "cases").glob("*.yaml"):
        path.unlink()
    shutil.rmtree(root / "cases" / "courses")
    return root


CJK = re.compile("[\u4e00-\u9fff]")


def later_stages(library: Any, root: Path, case_id: str, site: Path) -> None:
    """Every stage after validation, on the checked library, writing what it makes as files."""
    from casebook.files.export import record_copies
    from casebook.files.offline_search import offline_index
    from casebook.files.trainer_pages import trainer_outputs
    from casebook.site.finder import finder_outputs
    from casebook.site.quick_search import write_quick_index
    from casebook.site.render import render_site
    from casebook.site.search_index import MARKER
    from casebook.site.search_terms import search_outputs

    pages = [*trainer_outputs(library, root), *render_site(library, root, None, 0, 1),
             *finder_outputs(library, root), *search_outputs(library, root),
             *record_copies(library, root)]
    for page in pages:
        content = page.content.encode("utf-8") if isinstance(page.content, str) else page.content
        assert isinstance(content, bytes)
        if page.path.endswith(".json"):
            json.loads(content)
    # The offline search text, from the case page as a built page would hold it.
    case_page = next(p for p in pages if p.path == f"cases/{case_id}.md")
    shutil.rmtree(site, ignore_errors=True)
    (site / "cases" / case_id).mkdir(parents=True)
    (site / "cases" / case_id / "index.html").write_text(
        f"<html><body><article data-pagefind-body>{case_page.content}</article>{MARKER}</body></html>",
        encoding="utf-8")
    index, quick = offline_index(site, library)
    json.dumps(index, ensure_ascii=False).encode("utf-8")
    assert [page["url"] for page in index["pages"]] == [f"cases/{case_id}/index.html"]
    assert [page.href for page in quick] == [f"cases/{case_id}/index.html"]
    write_quick_index(site, quick)


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(text_change, max_size=3), st.lists(number_change, max_size=2))
def test_what_the_validator_accepts_every_stage_accepts(
        small_repo: Path, text_changes: list[Any], number_changes: list[Any]) -> None:
    from casebook.library.check import check_library
    from casebook.library.report import json_report, text_report

    case = mutated(text_changes, number_changes)
    target = small_repo / "cases" / f"{SEED}.yaml"
    target.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = check_library(small_repo)
    # The reports can always be printed, whatever the record holds.
    text_report(result).encode("utf-8")
    json.loads(json_report(result))
    # How the examples fell, shown by pytest --hypothesis-show-statistics.
    event("refused" if result.errors else "accepted with warnings" if result.problems else "accepted")
    if result.errors:
        for problem in result.errors:
            assert problem.file == f"cases/{SEED}.yaml", problem
            assert problem.line >= 1 and problem.column >= 1, problem
            assert CJK.search(problem.message), problem
            assert "内部错误" not in problem.message and "Traceback" not in problem.message
        return
    later_stages(result.library, small_repo, case["id"], small_repo / "site")


def test_the_reviewers_inputs_are_refused_by_the_validator(small_repo: Path) -> None:
    """The inputs of issue 20 that used to reach a stage and break it there."""
    from casebook.library.check import check_library

    inputs = [
        ([(("title",), 0.5, "\x00")], []),
        ([(("sources", 0, "title"), 0.0, "\x1b[31m\x07\x08")], []),
        ([(("title",), 0.3, "\u202e")], []),
        ([], [(("indicators", 0, "value"), 10**400)]),
        ([], [(("indicators", 0, "value"), 1e25)]),
        ([], [(("time", "start"), 2021.0)]),
    ]
    target = small_repo / "cases" / f"{SEED}.yaml"
    for text_changes, number_changes in inputs:
        case = mutated(text_changes, number_changes)
        target.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert check_library(small_repo).errors, (text_changes, number_changes)


@pytest.mark.parametrize("example", ["title-nul", "source-escape", "value-huge", "year-float"])
@pytest.mark.parametrize("command", ["export", "render"])
def test_no_stage_calls_bad_data_an_internal_error(tmp_path: Path, example: str, command: str) -> None:
    """`casebook export` and `casebook render` stop at the validator's message for bad data."""
    sandbox = make_sandbox(tmp_path / "repo")
    shutil.copyfile(ROOT / "tests" / "examples" / "invalid" / f"{example}.yaml",
                    sandbox / "cases" / f"{example}.yaml")
    result = cli(command, "--root", sandbox, "--out", tmp_path / "out")
    assert result.code == 1, result.output
    assert "内部错误" not in result.output
    assert re.search(rf"^cases/{example}\.yaml:\d+:\d+: ", result.stderr, re.MULTILINE), result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

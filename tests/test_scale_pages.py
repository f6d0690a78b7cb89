"""Pages that must not grow with the library: what a phone downloads stays small at any size."""

from __future__ import annotations

from pathlib import Path

from casebook.handover.outputs import site_outputs
from casebook.library.check import check_library


def test_the_home_page_lists_the_latest_cases_not_all(sandbox: Path) -> None:
    source = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    for number in range(10):  # 15 cases in all
        copy = f"zunyi-copy-{number}"
        text = source.read_text(encoding="utf-8").replace("id: zunyi-wuqiang-zuzhi", f"id: {copy}")
        (sandbox / "cases" / f"{copy}.yaml").write_text(text, encoding="utf-8")
    library = check_library(sandbox).library
    assert len(library.cases) == 15
    home = next(p.content for p in site_outputs(library, sandbox) if p.path == "index.md")
    assert home.count('<li class="cb-card">') == 12
    assert "最新加入的 12 个案例；全部 15 个案例见" in home


def test_the_compare_page_holds_no_case_data(sandbox: Path) -> None:
    """Each case's part is a file of its own; the page itself only lists the cases to choose."""
    library = check_library(sandbox).library
    outputs = {p.path: p.content for p in site_outputs(library, sandbox)}
    page = outputs["compare/index.md"]
    assert all(f"compare/cases/{cid}.json" in outputs for cid in library.cases)
    assert "data-basis" not in page and "cb-compare__value" not in page

"""Pages that must not grow with the library: what a phone downloads stays small at any size."""

from __future__ import annotations

from pathlib import Path

from casebook.handover.outputs import site_outputs
from casebook.library.check import check_library


def _copies(sandbox: Path, count: int) -> None:
    source = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    for number in range(count):
        copy = f"zunyi-copy-{number}"
        text = source.read_text(encoding="utf-8").replace("id: zunyi-wuqiang-zuzhi", f"id: {copy}")
        (sandbox / "cases" / f"{copy}.yaml").write_text(text, encoding="utf-8")


def test_the_home_page_lists_the_latest_cases_not_all(sandbox: Path) -> None:
    _copies(sandbox, 10)  # 15 cases in all
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


def test_vocabulary_pages_list_a_bounded_number_of_cases_and_open_the_rest_in_the_finder(
        sandbox: Path) -> None:
    """A practice, indicator, theme or region page lists `list_limit` entries, says how many
    there are and opens them all in the finder: its size does not grow with the library."""
    _copies(sandbox, 10)
    library = check_library(sandbox).library
    limit = 4
    outputs = {p.path: p.content for p in site_outputs(library, sandbox, {"list_limit": limit})}
    zunyi = library.cases["zunyi-wuqiang-zuzhi"]
    practice = zunyi["practices"][0]["practice"]
    uses = len(library.uses_of_practice(practice))
    page = outputs[f"practices/{practice}.md"]
    variants = page.split("## 各地做法对照")[1].split("</table>")[0]
    assert uses > limit and variants.count("<tr") == limit + 1  # the heading row and `limit` cases
    assert f"共 {uses} 个案例采用，这里列出前 {limit} 个。" in page
    assert f'finder/?practice={practice}">在“查找案例”中查看全部</a>' in page
    theme = zunyi["themes"][0]
    page = outputs[f"themes/{theme}.md"]
    assert page.count('<li class="cb-card">') == limit
    assert f"共 {len(library.cases_with_theme(theme))} 个案例，这里列出前 {limit} 个。" in page
    page = outputs[f"regions/{zunyi['place']['region']}.md"]
    assert page.count('<li class="cb-card">') == limit and "finder/?region=" in page
    indicator = zunyi["indicators"][0]["indicator"]
    page = outputs[f"indicators/{indicator}.md"]
    reported = len(library.values_of_indicator(indicator))
    assert reported > limit and page.count('<tr id="value-') == limit
    assert f"共 {reported} 个数值，这里列出前 {limit} 个。" in page
    # The library's default lists all 15: no note.
    outputs = {p.path: p.content for p in site_outputs(library, sandbox)}
    assert "cb-more-note" not in outputs[f"themes/{theme}.md"]
    assert outputs[f"themes/{theme}.md"].count('<li class="cb-card">') == len(library.cases_with_theme(theme))


def test_a_site_with_short_lists_builds_strictly_with_every_link_and_anchor(sandbox: Path) -> None:
    """Links into a shortened list (the incomparable values, the chart) reach listed rows only."""
    from sitebuild import build_site

    _copies(sandbox, 6)
    config = sandbox / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    list_limit: 30\n" in text
    config.write_text(text.replace("    list_limit: 30\n", "    list_limit: 2\n"), encoding="utf-8")
    done = build_site(sandbox, sandbox / "site")
    assert done.returncode == 0, done.stderr
    theme = next((sandbox / "site" / "themes").glob("*/index.html")).read_text(encoding="utf-8")
    assert theme.count('class="cb-card"') <= 2


def test_a_chart_draws_at_most_the_limit_per_set_with_its_reference_and_says_how_many_are_left_out(
        sandbox: Path) -> None:
    from casebook.library.compare import indicator_comparison
    from casebook.site.charts import bar_chart, drawn_sets, reference_of

    _copies(sandbox, 10)
    library = check_library(sandbox).library
    limit = 3
    charted = []
    for iid, indicator in library.indicators.items():
        comparison = indicator_comparison(library, iid)
        groups = drawn_sets(indicator, comparison)
        if groups and max(len(g.members) for g in groups) > limit:
            charted.append((iid, indicator, comparison, groups))
    assert charted, "no indicator with a set larger than the limit"
    for iid, indicator, comparison, groups in charted:
        whole, short = bar_chart(indicator, comparison), bar_chart(indicator, comparison, limit)
        assert whole.omitted == 0 and [len(p.bars) for p in whole.panels] == [len(g.members) for g in groups]
        assert [len(p.bars) for p in short.panels] == [min(len(g.members), limit) for g in groups]
        assert short.omitted == sum(len(g.members) for g in groups) - sum(len(p.bars) for p in short.panels)
        for panel, group in zip(short.panels, groups, strict=True):
            assert panel.reference is reference_of(group.members)
            assert any(bar.item is panel.reference for bar in panel.bars), iid
    outputs = {p.path: p.content for p in site_outputs(library, sandbox, {"list_limit": limit})}
    page = outputs[f"indicators/{charted[0][0]}.md"]
    assert f"每组最多画出 {limit} 个数值" in page and "个数值没有画出" in page
    # The chart file a trainer puts on a slide says so itself, without the page around it.
    iid, indicator, comparison, groups = charted[0]
    svg = outputs[f"charts/{iid}.svg"]
    omitted = bar_chart(indicator, comparison, limit).omitted
    assert f"另有 {omitted} 个数值没有画出，见本指标的 CSV 文件。" in svg
    big = max(groups, key=lambda g: len(g.members))
    assert f"{big.label}组：{len(big.members)} 个数值（画出 {limit} 个）" in svg

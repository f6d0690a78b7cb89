"""Setting a generated page's HTML aside from Markdown changes nothing in the converted page."""

from __future__ import annotations

import markdown
import pytest
from pymdownx.slugs import slugify

from casebook.handover.outputs import site_outputs
from casebook.handover.prerendered import put_back_html, set_aside_html
from casebook.library.check import check_library
from conftest import ROOT


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    library = check_library(ROOT).library
    return {page.path: page.content for page in site_outputs(library, ROOT)
            if page.prerendered and isinstance(page.content, str)}


def convert(text: str) -> tuple[str, list]:
    """Markdown as the site's configuration converts it (mkdocs.yml markdown_extensions)."""
    md = markdown.Markdown(extensions=["attr_list", "tables", "admonition", "toc"],
                           extension_configs={"toc": {"slugify": slugify(case="lower")}})
    return md.convert(text), md.toc_tokens


def lines(html: str) -> list[str]:
    """The page's lines; blank lines between blocks do not count (Markdown keeps some, not all)."""
    return [line for line in html.splitlines() if line.strip()]


def test_every_generated_page_converts_to_the_same_html_and_contents(generated: dict[str, str]) -> None:
    assert len(generated) > 100
    different = []
    for path, text in generated.items():
        stub, blocks = set_aside_html(text)
        html, toc = convert(stub)
        expected_html, expected_toc = convert(text)
        if (lines(put_back_html(html, blocks)), toc) != (lines(expected_html), expected_toc):
            different.append(path)
    assert not different


def test_html_is_set_aside_and_headings_stay(generated: dict[str, str]) -> None:
    stub, blocks = set_aside_html(generated["cases/zunyi-wuqiang-zuzhi.md"])
    assert "<table" not in stub and "<div" not in stub and len(blocks) > 5
    assert "## 做法 {#practices}" in stub.splitlines()


def test_a_heading_like_line_inside_an_element_stays_in_its_html() -> None:
    text = "# 标题\n\n<div>\n<pre><code>\n# 不是标题\n</code></pre>\n</div>\n\n## 下一节 {#next}\n\n<p>文字</p>\n"
    stub, blocks = set_aside_html(text)
    assert stub.count("casebook:html") == 2 and "# 不是标题" in blocks[0]
    assert [line for line in stub.splitlines() if line.startswith("#")] == ["# 标题", "## 下一节 {#next}"]

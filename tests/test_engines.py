"""Two engines, one site: both build the same staged tree into the same pages.

Each engine builds the seed library from its own stage; the page sets, every generated file
outside the engine's own assets, the article of every page and the search index must agree.
What may differ is the chrome around the article (the engines' theme assets), listed in
ALLOWED_CHROME and on the about page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from casebook.handover.engines import ENGINES
from casebook.handover.links import broken_links
from conftest import ROOT
from sitebuild import build_site

# The engines' own theme files (each ships its build of Material's styles and scripts).
ALLOWED_CHROME = ("assets/",)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    built = {}
    for name in sorted(ENGINES):
        site = tmp_path_factory.mktemp(f"engine-{name}") / "site"
        done = build_site(ROOT, site, engine=name, quiet=False)
        assert done.returncode == 0, done.stdout + done.stderr
        built[name] = site
    return built


def served(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()
            and not p.relative_to(site).as_posix().startswith(ALLOWED_CHROME)}


def page_urls(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix().removesuffix("index.html")
            for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("assets/")}


def article(path: Path) -> str:
    node = LexborHTMLParser(path.read_text(encoding="utf-8")).css_first("article")
    assert node is not None, path
    # Zensical's classic theme puts the skip link's target inside the article; Material before it.
    return re.sub(r"\s+", " ", (node.html or "").replace('<a id="__skip" tabindex="-1"></a>', ""))


def test_both_engines_give_the_same_page_urls(sites: dict[str, Path]) -> None:
    first, second = (page_urls(site) for site in sites.values())
    assert len(first) > 200
    assert first == second, (sorted(first - second)[:10], sorted(second - first)[:10])


def test_both_engines_give_the_same_files_outside_their_theme_assets(sites: dict[str, Path]) -> None:
    first, second = (served(site) for site in sites.values())
    assert first == second, (sorted(first - second)[:10], sorted(second - first)[:10])
    a, b = sites.values()
    differing = [name for name in sorted(first) if not name.endswith(".html")
                 and not name.startswith("pagefind/")
                 and (a / name).read_bytes() != (b / name).read_bytes()]
    assert not differing, differing[:10]


def test_every_page_has_the_same_article_on_both_engines(sites: dict[str, Path]) -> None:
    a, b = sites.values()
    differing = [name for name in sorted(page_urls(a))
                 if article(a / name / "index.html" if not name.endswith(".html") else a / name)
                 != article(b / name / "index.html" if not name.endswith(".html") else b / name)]
    assert not differing, differing[:10]


def test_every_link_and_anchor_resolves_on_both_engines(sites: dict[str, Path]) -> None:
    for name, site in sites.items():
        assert not broken_links(site), (name, broken_links(site)[:10])


def test_both_engines_get_the_same_search_index(sites: dict[str, Path]) -> None:
    entries = [json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
               for site in sites.values()]
    pages = [{lang: meta["page_count"] for lang, meta in entry["languages"].items()}
             for entry in entries]
    assert pages[0] == pages[1] and sum(pages[0].values()) > 200


def test_the_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text('<a href="a/">a</a><a href="b/">b</a><a href="a/#x">x</a>',
                                     encoding="utf-8")
    (site / "a" / "index.html").write_text('<h1 id="y">a</h1>', encoding="utf-8")
    assert broken_links(site) == ["index.html → b/", "index.html → a/#x（页面中没有这个锚点）"]

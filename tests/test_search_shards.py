"""A large site's search index in shards: each Pagefind run holds a bounded part of the text, and
the search box merges the shards into one list of results.

The seed library is small, so the sharded build here sets `search_shard_chars` low enough to give
several shards; the same pages must be indexed as in one index, and the field's terms must still
find their pages first (tests/data/search_queries.yaml).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from browsing import record_requests, search_results, serve, site_path
from casebook.site.search_index import (
    SHARDS_LIST,
    VOCABULARY_KINDS,
    concurrent_runs,
    page_url,
    shard_pages,
)
from casebook.site.search_terms import page_kind
from conftest import COPIED, ROOT
from sitebuild import build_site

QUERIES = yaml.safe_load((ROOT / "tests" / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
# Characters per shard for the seed library: about half its indexed text, so that the pages about
# a term make one shard and the rest another (see shard_pages).
SHARD_CHARS = 150_000


def _kind(rel: str) -> str:
    return page_kind(page_url(rel))


def test_a_small_site_is_one_shard_in_page_order() -> None:
    sizes = [("cases/a/index.html", 40), ("practices/b/index.html", 30), ("index.html", 20)]
    assert shard_pages(sizes, 90) == [["cases/a/index.html", "practices/b/index.html", "index.html"]]


def test_a_large_site_keeps_the_pages_about_terms_apart_and_deals_the_rest_evenly() -> None:
    sizes = ([(f"cases/c{n:03}/index.html", 100 + n % 7) for n in range(60)]
             + [(f"practices/p{n}/index.html", 50) for n in range(10)]
             + [("glossary/index.html", 400), ("guide/reading/index.html", 80), ("index.html", 30)])
    shards = shard_pages(sizes, 2_000)
    placed = [rel for shard in shards for rel in shard]
    assert sorted(placed) == sorted(rel for rel, _ in sizes), "every page in exactly one shard"
    size = dict(sizes)
    for shard in shards:
        about = {_kind(rel) in VOCABULARY_KINDS for rel in shard}
        assert len(about) == 1, f"pages about terms share a shard with others: {shard}"
    totals = sorted(sum(size[rel] for rel in shard) for shard in shards
                    if _kind(shard[0]) not in VOCABULARY_KINDS)
    assert len(totals) == 4  # 6,880 characters of cases and guides, 2,000 to a shard
    assert totals[-1] - totals[0] <= max(size.values()), "the shards are dealt evenly"
    assert all(total <= 2_000 for total in totals)


def test_a_page_larger_than_a_shard_is_still_indexed() -> None:
    shards = shard_pages([("cases/big/index.html", 500), ("cases/small/index.html", 10)], 100)
    assert sorted(rel for shard in shards for rel in shard) == ["cases/big/index.html",
                                                                "cases/small/index.html"]


def test_shards_are_indexed_side_by_side_only_as_asked_and_as_cores_and_memory_allow() -> None:
    from casebook.parallel import cores, resident_mb

    four = [["a"], ["b"], ["c"], ["d"]]
    room = resident_mb() + 10_000
    assert concurrent_runs(four, 8_000_000, 1, room) == 1  # the default: one at a time
    assert concurrent_runs(four, 8_000_000, 2, room) == min(2, cores())
    assert concurrent_runs(four, 8_000_000, 64, room) == min(4, cores())  # no more than the cores
    assert concurrent_runs(four[:1], 8_000_000, 2, room) == 1  # one shard: one run
    # each run may hold ~670 MB for 8 million characters: one fits beside this process, not two
    assert concurrent_runs(four, 8_000_000, 2, resident_mb() + 1000) == 1
    assert concurrent_runs(four, 8_000_000, 2, resident_mb() + 100) == 1  # one at least


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site built with the search index in shards."""
    root = tmp_path_factory.mktemp("sharded-repo")
    for name in COPIED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, root / name)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    # search_shard_chars:" in text
    assert "    # search_index_runs:" in text
    text = text.replace("    # search_index_runs:", "    search_index_runs: 2  #")  # side by side
    config.write_text(text.replace("    # search_shard_chars:", "    search_shard_chars: "
                                   f"{SHARD_CHARS}  #"), encoding="utf-8")
    done = build_site(root, root / "site")
    assert done.returncode == 0, done.stderr
    return root / "site"


def _bundles(site: Path) -> list[Path]:
    bundle = site / "pagefind"
    return [bundle] + [bundle / shard for shard in json.loads((bundle / SHARDS_LIST).read_text())]


def _urls(bundle: Path) -> set[str]:
    urls = set()
    for path in (bundle / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        urls.add(json.loads(data[len(b"pagefind_dcd"):])["url"])
    return urls


@pytest.mark.build
def test_the_shards_index_the_same_pages_as_one_index(sharded_site: Path, built_site: Path) -> None:
    assert json.loads((built_site / "pagefind" / SHARDS_LIST).read_text()) == []
    bundles = _bundles(sharded_site)
    assert len(bundles) >= 2
    per_bundle = [_urls(bundle) for bundle in bundles]
    assert sum(map(len, per_bundle)) == len(set().union(*per_bundle)), "a page in two shards"
    assert set().union(*per_bundle) == _urls(built_site / "pagefind")
    for urls in per_bundle:
        assert len({_kind(url.strip("/") + "/index.html") in VOCABULARY_KINDS for url in urls}) == 1
    for bundle in bundles[1:]:
        assert (bundle / "pagefind-entry.json").is_file() and list(bundle.glob("*.pf_meta"))
        assert not list(bundle.glob("pagefind*.js")) and not list(bundle.glob("wasm.*")), \
            "a merged shard searches with the first bundle's script and WebAssembly"


@pytest.mark.build
def test_shards_indexed_side_by_side_give_the_index_made_one_after_another(
        sharded_site: Path, tmp_path: Path) -> None:
    from casebook.library.check import check_library
    from casebook.site.search_index import PageTokens, index_site

    again = tmp_path / "site"
    shutil.copytree(sharded_site, again)
    root = sharded_site.parent
    summary = index_site(again, PageTokens(check_library(root).library), root / "macros",
                         shard_chars=SHARD_CHARS, runs=1, workers=2)  # one at a time
    assert summary.shards >= 2
    # the fixture's build asked for two runs and had room for them: it ran them side by side
    assert concurrent_runs([[]] * summary.shards, SHARD_CHARS, 2, 2048) == 2
    files = {p.relative_to(sharded_site).as_posix(): p.read_bytes()
             for p in (sharded_site / "pagefind").rglob("*") if p.is_file()}
    assert files == {p.relative_to(again).as_posix(): p.read_bytes()
                     for p in (again / "pagefind").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sharded_base(sharded_site: Path) -> Iterator[str]:
    with serve(sharded_site) as url:
        yield url


@pytest.mark.browser
def test_a_search_merges_every_shard_and_finds_each_term_s_page(browser: Any, sharded_site: Path,
                                                                sharded_base: str) -> None:
    page = browser.new_page(viewport={"width": 412, "height": 900})
    own, foreign = record_requests(page, sharded_base)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.ok or failed.append(response.url))
    page.goto(sharded_base + "cases/")
    page.click(".cb-search__open")
    missed = []
    for item in QUERIES["terms"]:
        shown = [site_path(href, sharded_base) for href, _ in search_results(page, item["query"])]
        top = shown[:QUERIES["top"]]
        missed += [f"{item['query']}: {wanted} not in {top}" for wanted in item["expect"]
                   if wanted not in top]
    # The quick index names each result's fragment in whichever shard holds it: every excerpt shows.
    assert page.locator(".cb-search__result").count() == page.locator(".cb-search__excerpt").count()
    assert search_results(page, "交通"), "a word that is no term is searched in every shard"
    page.close()
    assert not missed, "\n".join(missed)
    assert not foreign and not failed, foreign + failed
    for bundle in _bundles(sharded_site)[1:]:
        meta = next(bundle.glob("*.pf_meta")).relative_to(sharded_site).as_posix()
        assert any(url.endswith(meta) for url in own), f"shard {bundle.name} was not searched"

"""The quick search index (casebook.site.quick_search) and the pre-compressed copies beside the
search files (casebook.site.precompress), as the build writes them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import pytest

from casebook.site.precompress import MIN_BYTES, precompress
from casebook.site.quick_search import (
    ABOUT_POINTS,
    CHUNK_PAGES,
    FOLDER,
    PAIR_POINTS,
    RELATED_POINTS,
    TITLE_BUCKETS,
    QuickPage,
    page_points,
    pair_bucket,
    title_pairs,
    write_quick_index,
)
from casebook.site.search_index import page_url


def test_a_page_about_a_term_outranks_every_page_that_only_mentions_it() -> None:
    keywords = {"about": ["qxzaaa"], "related": ["qxzaab"], "mentions": ["qxzaab"] * 5 + ["qxzaac"]}
    points = page_points(keywords, 10, "practice")
    assert points == {"qxzaaa": ABOUT_POINTS * 10, "qxzaab": RELATED_POINTS + 5, "qxzaac": 1}
    most_without_about = RELATED_POINTS + 5  # filed under the term and mentioning it, capped
    assert page_points(keywords, 5, "glossary")["qxzaaa"] > most_without_about


def test_the_glossary_counts_what_it_defines_not_what_it_mentions() -> None:
    keywords = {"about": ["qxzaaa"], "related": [], "mentions": ["qxzaab", "qxzaab"]}
    assert page_points(keywords, 5, "glossary") == {"qxzaaa": ABOUT_POINTS * 5}


def test_title_pairs_skip_spaces_and_quotes_and_land_in_a_fixed_file() -> None:
    assert title_pairs("“四议两公开” 村级决策") == {"四议", "议两", "两公", "公开", "开村", "村级", "级决", "决策"}
    assert pair_bucket("村级") == (ord("村") * 31 + ord("级")) % TITLE_BUCKETS  # as search.js computes


def _pages() -> list[QuickPage]:
    cases = [QuickPage(f"cases/c{n:03}/", f"案例{n}", "案例", {"qxzaab": 1 + n % 3}) for n in range(60)]
    practice = QuickPage("practices/p/", "党支部领办合作社", "做法", {"qxzaab": 30, "qxzbaa": 4},
                         "fragment/zh_1")
    return [*cases, practice]


def _read(folder: Path, name: str) -> object:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def test_the_index_holds_postings_by_token_and_titles_in_chunks(tmp_path: Path) -> None:
    written = write_quick_index(tmp_path, _pages())
    folder = tmp_path / FOLDER
    pages = [row for n in range(2) for row in _read(folder, f"pages/{n}.json")]
    assert len(_read(folder, "pages/0.json")) == CHUNK_PAGES
    assert pages[0] == ["practices/p/", "党支部领办合作社", "做法", "fragment/zh_1"], "pages about terms first"
    assert sorted(row[0] for row in pages) == sorted(p.href for p in _pages())
    postings = _read(folder, "qxzaa.json")["qxzaab"]
    assert postings[0] == [0, 30] and len(postings) == 61
    assert [p for _, p in postings] == sorted((p for _, p in postings), reverse=True)
    assert _read(folder, "qxzba.json") == {"qxzbaa": [[0, 4]]}
    pair = "合作"
    assert 0 in _read(folder, f"titles/{pair_bucket(pair)}.json")[pair]
    assert len(list((folder / "titles").glob("*.json"))) == TITLE_BUCKETS
    assert sorted(written) == sorted(folder.rglob("*.json"))
    assert PAIR_POINTS > 0


def test_writing_again_gives_the_same_bytes_and_leaves_no_stale_file(tmp_path: Path) -> None:
    write_quick_index(tmp_path, _pages())
    before = {p: p.read_bytes() for p in (tmp_path / FOLDER).rglob("*.json")}
    write_quick_index(tmp_path, _pages()[-1:])
    write_quick_index(tmp_path, _pages())
    assert {p: p.read_bytes() for p in (tmp_path / FOLDER).rglob("*.json")} == before


def test_large_text_files_get_deterministic_gzip_and_brotli_copies(tmp_path: Path) -> None:
    text = ("搜索" * 4000).encode("utf-8")
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "terms.json").write_bytes(text)
    (tmp_path / "search" / "small.json").write_bytes(b"{}")
    (tmp_path / "search" / "chunk.pf_index").write_bytes(text)
    copies = precompress(tmp_path, ("search",))
    assert sorted(p.name for p in copies) == ["terms.json.br", "terms.json.gz"]
    packed = (tmp_path / "search" / "terms.json.gz").read_bytes()
    assert packed[4:8] == b"\0\0\0\0", "no time in the gzip header"
    assert gzip.decompress(packed) == text
    assert brotli.decompress((tmp_path / "search" / "terms.json.br").read_bytes()) == text
    precompress(tmp_path, ("search",))
    assert (tmp_path / "search" / "terms.json.gz").read_bytes() == packed
    assert len(b"{}") < MIN_BYTES


def test_a_cached_build_compresses_again_only_the_files_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import casebook.site.precompress as module

    site, cache = tmp_path / "site", tmp_path / "cache"
    (site / "search").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (site / "search" / f"{name}.json").write_bytes((name * 3000).encode())
    fresh = tmp_path / "fresh"
    (fresh / "search").mkdir(parents=True)
    compressed = []
    real = module.brotli.compress
    monkeypatch.setattr(module.brotli, "compress", lambda data, **kw: compressed.append(data) or real(data, **kw))
    precompress(site, ("search",), cache=cache)
    assert len(compressed) == 3
    old_key = module._key(b"b" * 3000)
    (site / "search" / "b.json").write_bytes(b"changed" * 1000)
    compressed.clear()
    precompress(site, ("search",), cache=cache)
    assert compressed == [b"changed" * 1000]  # the other two came from the cache
    assert not (cache / f"{old_key}.br").exists()  # what no file uses any more is dropped
    for path in (site / "search").glob("*.json"):  # the same copies as a build without a cache
        (fresh / "search" / path.name).write_bytes(path.read_bytes())
    precompress(fresh, ("search",))
    for suffix in (".gz", ".br"):
        for path in (site / "search").glob(f"*{suffix}"):
            assert path.read_bytes() == (fresh / "search" / path.name).read_bytes()
    assert brotli.decompress((site / "search" / "b.json.br").read_bytes()) == b"changed" * 1000


@pytest.mark.build
def test_the_built_site_has_a_quick_index_of_every_indexed_page(built_site: Path) -> None:
    folder = built_site / FOLDER
    rows = [row for path in sorted((folder / "pages").glob("*.json"))
            for row in json.loads(path.read_text(encoding="utf-8"))]
    fragments = {}
    for path in (built_site / "pagefind").rglob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        fragments[data["url"].lstrip("/")] = path.relative_to(built_site / "pagefind").with_suffix("").as_posix()
    assert {row[0] for row in rows} == set(fragments), "the quick index and Pagefind hold the same pages"
    assert all(fragments[href] == fragment for href, _, _, fragment in rows)
    assert all(title and kind for _, title, kind, _ in rows)
    glossary = next(row for row in rows if row[0] == page_url("glossary/index.html"))
    assert glossary[1:3] == ["术语表", "术语"]
    large = [path.relative_to(built_site).as_posix() for folder in ("assets/javascripts", "assets/stylesheets")
             for path in (built_site / folder).rglob("*.min.*") if path.suffix in (".js", ".css")
             and path.stat().st_size > 50_000]
    assert large, "the engine's theme has large scripts and style sheets"
    for name in ("search/terms.json", "pagefind/pagefind.js", f"{FOLDER}/pages/0.json",
                 "contribute/divisions.json", "finder/cases.json", *large):
        assert (built_site / f"{name}.gz").is_file() and (built_site / f"{name}.br").is_file(), name
        assert gzip.decompress((built_site / f"{name}.gz").read_bytes()) == (built_site / name).read_bytes()
    assert not [p for p in built_site.rglob("*.html.gz") if not p.is_relative_to(built_site / "search")
                and not p.is_relative_to(built_site / "pagefind")], "pages get no copies"

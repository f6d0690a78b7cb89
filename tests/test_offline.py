"""The offline copy (`make build`'s last step, derived from the built site) as files: the site's
pages and nothing else, every link a file, nothing from a host, every data file with its script
twin, a zip that is the same for the same commit, and that zip on the site's downloads page.

The copy is built once per session (conftest.offline_copy); tests/test_offline_browser.py opens it
in Chromium from the folder.
"""

from __future__ import annotations

import json
import posixpath
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from casebook.files.offline import copy_file, file_link, remote_loads
from casebook.site.render import handout_path
from conftest import ROOT
from sitebuild import SOURCE_DATE_EPOCH, content, make_offline, publish

pytestmark = pytest.mark.build

CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
LOADING = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def parsed(offline_copy: Path) -> dict[Path, BeautifulSoup]:
    """Every page of the copy, parsed once for this module."""
    return {path: soup(path) for path in sorted(offline_copy.rglob("*.html"))}


def test_every_link_and_every_file_a_page_uses_is_a_file_of_the_copy(
        offline_copy: Path, parsed: dict[Path, BeautifulSoup]) -> None:
    """From a folder, a link to `cases/x/` shows a file list and `/x` leaves the copy."""
    broken = []
    for path, html in parsed.items():
        for tag in html.find_all(list(LOADING)):
            href = tag.get(LOADING[tag.name])
            parts = urlsplit(href or "")
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another site (a source), or an anchor on the same page
            target = path.parent / unquote(parts.path)
            if parts.path.startswith("/") or not target.is_file():
                broken.append(f"{path.relative_to(offline_copy)}: {href}")
    assert not broken, "\n".join(broken[:20])


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_copy_has_the_site_s_pages_at_the_same_paths_and_nothing_a_folder_never_uses(
        offline_copy: Path, published_site: Path) -> None:
    site, copy = files_under(published_site), files_under(offline_copy)
    pages = {rel for rel in site if rel.endswith(".html") and not rel.startswith("pagefind/")}
    assert {rel for rel in copy if rel.endswith(".html")} == pages - {"404.html"}
    assert {f"cases/{cid}/index.html" for cid in CASES} <= pages
    assert not [rel for rel in copy if rel.startswith("pagefind/") or rel.endswith((".gz", ".br"))
                or rel.startswith("sitemap") or rel.endswith(".zip")]
    # Every other file of the site is in the copy as it is, but the pages and the data twins.
    same = sorted(rel for rel in site & copy if not rel.endswith((".html", ".json", ".js")))
    assert len(same) > 100
    assert [rel for rel in same if (published_site / rel).read_bytes() != (offline_copy / rel).read_bytes()] == []


def test_links_to_folders_get_their_index_html_and_the_rest_stays_as_the_site_has_it(
        offline_copy: Path, published_site: Path) -> None:
    home = soup(offline_copy / "index.html")
    # An engine may write "./finder/index.html" for "finder/index.html": the same file.
    hrefs = {posixpath.normpath(a["href"]) for a in home.find_all("a", href=True)}
    assert {"cases/index.html", "guide/cadres/index.html", "about/index.html", "finder/index.html"} <= hrefs
    case = soup(offline_copy / "cases" / "zunyi-wuqiang-zuzhi" / "index.html")
    edit = content(case).select_one(".cb-edit")
    assert edit.select_one("a[download]")["href"] == "../../records/cases/zunyi-wuqiang-zuzhi.yaml"
    assert edit.find("a", string="贡献者指南")["href"] == "../../guide/contributors/index.html"
    online = soup(published_site / "cases" / "zunyi-wuqiang-zuzhi" / "index.html")
    assert [a["href"] for a in content(case).select("a[href]")] == [
        file_link(a["href"]) for a in content(online).select("a[href]")]
    assert case.select_one("#cb-search")["data-index"] == "search/offline.json"
    assert online.select_one("#cb-search")["data-index"] == ""
    assert not case.select('link[rel="canonical"]')


@pytest.mark.parametrize(("url", "expected"), [
    ("../cases/", "../cases/index.html"), ("./#a", "index.html#a"), ("#a", "#a"), ("", ""),
    ("..", "../index.html"), ("../", "../index.html"), (".", "index.html"),
    ("finder/?region=zunyi#x", "finder/index.html?region=zunyi#x"),
    ("../records/x.yaml", "../records/x.yaml"), ("https://gov.example/", "https://gov.example/"),
    ("mailto:a@b.example", "mailto:a@b.example"), ("/x/", "/x/"),
])
def test_a_folder_link_becomes_its_index_html_and_nothing_else_changes(url: str, expected: str) -> None:
    assert file_link(url) == expected


def test_handouts_data_files_and_glossary_explanations_are_in_the_copy(offline_copy: Path) -> None:
    for cid in CASES:
        page = content(soup(offline_copy / "cases" / cid / "index.html"))
        handout = page.select_one(".cb-handout a")["href"]
        assert (offline_copy / "cases" / cid / handout).resolve() == (offline_copy / handout_path("case", cid)).resolve()
        assert (offline_copy / handout_path("case", cid)).read_bytes().startswith(b"%PDF")
        assert page.select("abbr[title]"), f"{cid}: no glossary explanations"
    downloads = content(soup(offline_copy / "downloads" / "index.html"))
    files = {a["href"] for a in downloads.select(".cb-files a[download]")}
    assert {"cases.csv", "casebook.xlsx", "casebook.json"} <= files
    offline = downloads.select_one(".cb-offline")
    assert "离线版" in offline.get_text() and not offline.select("a[href$='.zip']")


def test_nothing_in_the_copy_would_be_loaded_from_another_host(
        offline_copy: Path, parsed: dict[Path, BeautifulSoup]) -> None:
    assert remote_loads(offline_copy) == []
    for path, html in parsed.items():
        for tag in html.select("script[src], link[rel~=stylesheet], img[src]"):
            assert not urlsplit(tag.get("src") or tag.get("href")).netloc, f"{path}: {tag}"


def test_the_check_for_loads_from_other_hosts_finds_them(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<link rel="stylesheet" href="https://cdn.example/a.css"><link rel="canonical" href="https://x.example/">'
        '<script src="//cdn.example/b.js"></script><a href="https://gov.example/">来源</a>'
        '<img srcset="local.png 1x, https://img.example/c.png 2x"><div style="background:url(https://img.example/d.png)">',
        encoding="utf-8")
    (tmp_path / "code.js").write_text('const w = new Worker("https://cdn.example/worker.js");', encoding="utf-8")
    (tmp_path / "style.css").write_text("@import 'https://fonts.example/f.css';", encoding="utf-8")
    found = {line.split(": ", 1)[1] for line in remote_loads(tmp_path)}
    assert found == {"https://cdn.example/a.css", "//cdn.example/b.js", "https://img.example/c.png",
                     "https://img.example/d.png", "https://cdn.example/worker.js",
                     "https://fonts.example/f.css"}


def twin_data(copy: Path, rel: str) -> object:
    """The data the copy's script twin of `rel` hands to the loader."""
    twin = (copy / (rel + ".js")).read_text(encoding="utf-8")
    head = f"casebookData.define({json.dumps(rel)}, "
    assert twin.startswith(head) and twin.endswith(");\n"), rel
    return json.loads(twin[len(head):-3])


def test_every_data_file_a_page_loads_is_a_script_twin_holding_the_same_data(
        offline_copy: Path, published_site: Path) -> None:
    """Each data file once: as its twin (which a folder, or a plain server through data.js's
    fallback, loads), never also as JSON; the downloads stay the JSON files a person saves."""
    site_data = {rel for rel in files_under(published_site) if rel.endswith(".json")
                 and not rel.startswith("pagefind/")}
    loaded = {rel for rel in site_data if not rel.startswith("downloads/")}
    assert {"finder/cases.json", "search/terms.json", "contribute/form.json"} <= loaded
    copy = files_under(offline_copy)
    assert {rel for rel in copy if rel.endswith(".json")} == site_data - loaded
    assert {rel[:-3] for rel in copy if rel.endswith(".json.js")} == loaded | {"search/offline.json"}
    own = "search/quick/"  # the copy's own quick index (file URLs), written as the site's is
    assert [rel for rel in loaded if rel.startswith(own)]
    for rel in sorted(rel for rel in loaded if not rel.startswith(own)):
        assert twin_data(offline_copy, rel) == json.loads((published_site / rel).read_text(encoding="utf-8")), rel
    for rel in sorted(site_data - loaded):
        assert (offline_copy / rel).read_bytes() == (published_site / rel).read_bytes(), rel


def test_the_search_index_holds_each_page_once_with_its_kind_and_glossary_anchors(offline_copy: Path) -> None:
    index = twin_data(offline_copy, "search/offline.json")
    pages = {page["url"]: page for page in index["pages"]}
    assert len(pages) == len(index["pages"])
    for cid, case in CASES.items():
        page = pages[f"cases/{cid}/index.html"]
        assert (page["kind"], page["title"]) == ("案例", case["title"].replace("\n", ""))
        assert case["summary"].split("。")[0][:20] in page["text"]
    assert not [url for url in pages if url.split("/")[0] in ("records", "finder", "compare", "benchmarks")]
    glossary = pages["glossary/index.html"]
    assert glossary["kind"] == "术语"
    assert {"element": "dt", "id": "liangwei", "text": "两委"} in glossary["anchors"]


def test_the_zip_holds_the_copy_in_one_folder_and_is_the_same_for_the_same_commit(
        offline_copy: Path, tmp_path: Path, published_site: Path) -> None:
    made = offline_copy.parent / "casebook-offline.zip"
    with zipfile.ZipFile(made) as archive:
        entries = archive.infolist()
    names = [entry.filename for entry in entries]
    files = sorted(p.relative_to(offline_copy).as_posix() for p in offline_copy.rglob("*") if p.is_file())
    assert names == [f"casebook-offline/{rel}" for rel in files]
    stamp = time.gmtime(int(SOURCE_DATE_EPOCH))[:6]
    assert {entry.date_time for entry in entries} == {(*stamp[:5], stamp[5] // 2 * 2)}  # 2 s steps
    # Again from the site that now serves the first zip: the copy never holds the zip or the
    # site's text about it, so the bytes are the same.
    again = make_offline(ROOT, published_site, tmp_path / "copy", tmp_path / "again.zip")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.zip").read_bytes() == made.read_bytes()
    assert (published_site / "downloads" / "casebook-offline.zip").read_bytes() == made.read_bytes()


def test_the_site_offers_the_zip_on_its_downloads_page(offline_copy: Path, published_site: Path,
                                                       site_with_handouts: Path) -> None:
    zip_bytes = (offline_copy.parent / "casebook-offline.zip").read_bytes()
    site = published_site
    before = content(soup(site_with_handouts / "downloads" / "index.html")).select_one(".cb-offline")
    assert "本次构建没有包含" in before.get_text() and not before.select("a[href$='.zip']")
    section = content(soup(site / "downloads" / "index.html")).select_one(".cb-offline")
    link = section.select_one("a[download]")
    assert (site / "downloads" / link["href"]).read_bytes() == zip_bytes
    text = section.get_text(" ", strip=True)
    assert f"{len(zip_bytes) / 1048576:.1f} MB" in text and "index.html" in text and "解压" in text
    guide = content(soup(site / "guide" / "trainers" / "index.html"))
    assert guide.select_one('a[href="../../downloads/#offline"]')


def test_make_build_s_one_command_validates_once_and_makes_what_the_three_steps_make(
        tmp_path: Path, offline_copy: Path, published_site: Path) -> None:
    """`casebook publish` (what `make build` runs) gives the same site, copy and zip, byte for
    byte, as `casebook build`, `casebook pdf` and `casebook offline` one after another, reading
    and checking the records once instead of three times."""
    timings = tmp_path / "timings.jsonl"
    done = publish(ROOT, tmp_path, env={"CASEBOOK_TIMINGS": str(timings)})
    assert done.returncode == 0, done.stdout + done.stderr
    site, copy = tmp_path / "site", tmp_path / "offline"
    assert files_under(site) == files_under(published_site)
    assert [rel for rel in sorted(files_under(site))
            if (site / rel).read_bytes() != (published_site / rel).read_bytes()] == []
    assert files_under(copy) == files_under(offline_copy)
    assert [rel for rel in sorted(files_under(copy))
            if (copy / rel).read_bytes() != (offline_copy / rel).read_bytes()] == []
    assert (tmp_path / "casebook-offline.zip").read_bytes() == (
        offline_copy.parent / "casebook-offline.zip").read_bytes()
    stages = [json.loads(line) for line in timings.read_text(encoding="utf-8").splitlines()]
    assert [item["part"] for item in stages if item["stage"] == "validate"] == ["build"]
    assert {item["part"] for item in stages} == {"build", "pdf", "offline"}
    assert "离线版" in done.stdout and "讲义" in done.stdout


def test_a_linked_file_is_replaced_never_written_through(tmp_path: Path) -> None:
    """The copy links the site's files where it can; copying again over a link leaves the file
    it pointed to (the site's, or the handout cache's) as it was."""
    first, second, target = tmp_path / "first", tmp_path / "second", tmp_path / "copy"
    first.write_bytes(b"one")
    second.write_bytes(b"two")
    copy_file(first, target)
    assert target.read_bytes() == b"one"
    copy_file(second, target)
    assert (target.read_bytes(), first.read_bytes()) == (b"two", b"one")

"""A copy without git ("Download ZIP") builds, and the site prints only an address that exists.

`git archive HEAD` gives the tree such a download holds. It is built twice, each time the way
`make build` runs it (the offline copy, the strict site build, the handouts), with no
SOURCE_DATE_EPOCH and no site address: both builds succeed without a traceback, say once that
there is no history, date everything by the records, give identical bytes, and print no
invented address. A build with CASEBOOK_SITE_URL set prints that address instead.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from casebook.records.history import NO_HISTORY
from conftest import ROOT
from sitebuild import build_site, content, make_handouts, make_offline, page
from test_handouts import pdftotext

CASE = "zunyi-wuqiang-zuzhi"
FALSE_HOST = "casebook.invalid"


def archive(target: Path) -> Path:
    """The committed tree, as a code host's "Download ZIP" gives it: no .git."""
    target.mkdir()
    tree = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=tree.stdout, check=True)
    # What `make vendor` installs there from package-lock.json: the same pinned files as here.
    shutil.copytree(ROOT / "node_modules", target / "node_modules")
    return target


def make_build(root: Path) -> str:
    """What `make build` runs, in order, with the copy's own code; returns everything it said."""
    env = {"SOURCE_DATE_EPOCH": None, "CASEBOOK_SITE_URL": None, "PYTHONPATH": str(root / "src"),
           "GIT_CEILING_DIRECTORIES": str(root.parent)}
    steps = [
        build_site(root, root / "site", quiet=False, env=env),
        make_handouts(root, root / "site", "--cache", root / ".cache/handouts", env=env),
        make_offline(root, root / "site", root / "offline", root / "casebook-offline.zip", env=env),
    ]
    said = "".join(step.stdout + step.stderr for step in steps)
    assert [step.returncode for step in steps] == [0, 0, 0], said
    return said


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path, str]:
    """Two copies of the committed tree without git, each built as `make build` does."""
    first = archive(tmp_path_factory.mktemp("download") / "casebook")
    second = archive(tmp_path_factory.mktemp("download-again") / "casebook")
    return first, make_build(first), second, make_build(second)


def test_a_copy_without_git_builds_and_says_once_that_it_has_no_history(downloaded) -> None:
    root, said, _, _ = downloaded
    assert not (root / ".git").exists()
    assert "Traceback" not in said
    assert said.count(NO_HISTORY) == 1, said
    assert "WARNING" not in said  # the note is information: it never fails --strict


def test_pages_show_the_records_dates_labelled_as_such(downloaded) -> None:
    root, _, _, _ = downloaded
    case = yaml.safe_load((root / "cases" / f"{CASE}.yaml").read_text(encoding="utf-8"))
    note = content(page(root / "site", f"cases/{CASE}/")).select_one(".cb-history")
    assert note is not None
    assert [t["datetime"] for t in note.select("time")] == [case["checked"]]
    assert "核对日期" in note.text
    assert "首次加入" not in note.text and "最近修改" not in note.text  # no invented commits


def test_two_builds_of_a_copy_without_git_are_identical(downloaded) -> None:
    first, _, second, _ = downloaded
    for made in ("site", "offline"):
        one, two = files(first / made), files(second / made)
        assert one.keys() == two.keys(), made
        assert [name for name in one if one[name] != two[name]] == [], made
    assert (first / "casebook-offline.zip").read_bytes() == \
        (second / "casebook-offline.zip").read_bytes()


def test_without_a_site_address_none_is_printed(downloaded) -> None:
    root, _, _, _ = downloaded
    for made in ("site", "offline"):
        for name, data in files(root / made).items():
            if name.endswith((".pdf", ".zip", ".gz")):
                continue
            assert FALSE_HOST.encode() not in data, f"{made}/{name}"
        for pdf in sorted((root / made / "handouts").rglob("*.pdf")):
            assert FALSE_HOST not in pdftotext(pdf), pdf
    soup = page(root / "site", f"cases/{CASE}/")
    assert soup.select('link[rel="canonical"]') == []
    sitemap = (root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>" not in sitemap  # no page without a full address (casebook.handover.finish)
    citation = content(soup).select_one(".cb-cite").text
    assert f"案例编号 {CASE}" in citation and "http" not in citation


def test_with_a_site_address_links_handouts_and_citations_use_it(sandbox: Path,
                                                                 tmp_path: Path) -> None:
    address = "https://example.org/casebook/"
    env = {"CASEBOOK_SITE_URL": address.rstrip("/")}  # the trailing slash is added
    site = tmp_path / "site"
    done = build_site(sandbox, site, env=env)
    assert done.returncode == 0, done.stderr
    done = make_handouts(sandbox, site, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    soup = page(site, f"cases/{CASE}/")
    assert [link["href"] for link in soup.select('link[rel="canonical"]')] == \
        [f"{address}cases/{CASE}/"]
    assert content(soup).select_one(".cb-cite").text.strip().endswith(f"{address}cases/{CASE}/")
    handout = pdftotext(site / "handouts" / "cases" / f"{CASE}.pdf", "-layout")
    assert f"{address}cases/{CASE}/" in handout
    assert f"<loc>{address}cases/{CASE}/</loc>" in (site / "sitemap.xml").read_text("utf-8")


def test_the_offline_copy_cites_the_site_but_links_no_page_it_does_not_have(
        sandbox: Path, tmp_path: Path) -> None:
    """The copy is not at the site's address: no canonical link, but citations keep it."""
    address = "https://example.org/casebook/"
    site = tmp_path / "site"
    env = {"CASEBOOK_SITE_URL": address}
    for done in (build_site(sandbox, site, env=env), make_handouts(sandbox, site, env=env),
                 make_offline(sandbox, site, tmp_path / "offline", tmp_path / "copy.zip", env=env)):
        assert done.returncode == 0, done.stdout + done.stderr
    assert page(site, f"cases/{CASE}/").select('link[rel="canonical"]')
    soup = page(tmp_path / "offline", f"cases/{CASE}/")
    assert soup.select('link[rel="canonical"]') == []
    assert content(soup).select_one(".cb-cite").text.strip().endswith(f"{address}cases/{CASE}/")

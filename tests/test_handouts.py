"""Printable handouts: real PDFs from `casebook pdf`, read back with poppler's pdftotext/pdfinfo.

The PDFs come from `site_with_handouts` (conftest.py): a strict build plus the handout step, as
`make build` runs them. Text copied out of a PDF must be the same Chinese characters that were
typeset; some PDF routes embed CJK radical look-alikes (人 → ⼈) instead, which is checked here.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from casebook.site.render import handout_path
from conftest import ROOT, run_cli
from sitebuild import SOURCE_DATE_EPOCH, content, make_handouts, page

CASES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cases").glob("*.yaml"))}
COURSES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
           for p in sorted((ROOT / "cases" / "courses").glob("*.yaml"))}
RECORDS = [("case", cid, case) for cid, case in CASES.items()] + [
    ("course", cid, course) for cid, course in COURSES.items()]
# CJK Radicals Supplement, Kangxi Radicals and CJK Compatibility Ideographs: what a broken font
# mapping yields instead of the unified ideographs (⼈ U+2F08 for 人).
LOOK_ALIKES = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")
A4_POINTS = (595.28, 841.89)


def pdftotext(pdf: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True,
                          check=True)
    return done.stdout


def pdfinfo(pdf: Path) -> dict[str, str]:
    done = subprocess.run(["pdfinfo", "-isodates", str(pdf)], capture_output=True, text=True,
                          check=True)
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in done.stdout.splitlines())}


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdfs(site_with_handouts: Path) -> dict[str, Path]:
    return {handout_path(kind, rid): site_with_handouts / handout_path(kind, rid)
            for kind, rid, _ in RECORDS}


def test_one_handout_per_case_and_course_and_nothing_else(site_with_handouts: Path,
                                                          pdfs: dict[str, Path]) -> None:
    made = {p.relative_to(site_with_handouts).as_posix()
            for p in (site_with_handouts / "handouts").rglob("*") if p.is_file()}
    assert made == set(pdfs)
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs.values())


def test_every_page_links_its_handout_and_every_pdf_link_resolves(site_with_handouts: Path) -> None:
    broken = []
    for html in sorted(site_with_handouts.rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        if ".pdf" not in text:
            continue
        soup = BeautifulSoup(text, "html.parser")
        for a in soup.select('a[href$=".pdf"]'):
            parts = urlsplit(a["href"])
            if not parts.scheme and not (html.parent / unquote(parts.path)).resolve().is_file():
                broken.append(f"{html.relative_to(site_with_handouts)} → {a['href']}")
    assert not broken, "\n".join(broken)
    for kind, rid, _ in RECORDS:
        url = f"{'cases' if kind == 'case' else 'courses'}/{rid}/"
        links = content(page(site_with_handouts, url)).select(".cb-handout a")
        served = {(site_with_handouts / url / a["href"]).resolve() for a in links}
        assert served == {(site_with_handouts / handout_path(kind, rid)).resolve()}, url


@pytest.mark.parametrize(("kind", "rid", "record"), RECORDS, ids=[r[1] for r in RECORDS])
def test_text_copied_out_of_the_pdf_is_the_same_chinese(pdfs: dict[str, Path], kind: str,
                                                         rid: str, record: dict) -> None:
    pdf = pdfs[handout_path(kind, rid)]
    layout = pdftotext(pdf, "-layout")
    assert not LOOK_ALIKES.findall(layout), sorted(set(LOOK_ALIKES.findall(layout)))[:10]
    assert flat(record["title"]) in flat(layout)
    # The site has no address (no CASEBOOK_SITE_URL): the handout names its record instead of
    # printing one that does not exist (tests/test_no_git.py prints a real one).
    assert f"/{'cases' if kind == 'case' else 'courses'}/{rid}/" not in layout
    assert f"{'案例' if kind == 'case' else '课程'}编号 {rid}" in layout
    if kind == "case":
        assert f"{record['checked']} 核对" in layout
    reading = flat(pdftotext(pdf))  # reading order keeps a wrapped table cell together
    if kind == "case":
        missing = [v["original"] for v in record["indicators"] if flat(v["original"]) not in reading]
        assert not missing, missing
        for question in record["teaching"]["questions"]:
            assert flat(question) in reading
        assert flat(record["sources"][0]["title"]) in reading
    else:
        for session in record["sessions"]:
            assert flat(session["title"]) in reading
            assert all(flat(q) in reading for q in session["questions"])
            assert all(flat(e) in reading for e in session.get("exercises", []))
        assert all(flat(o) in reading for o in record["objectives"])


def test_headline_figures_extract_as_typed(pdfs: dict[str, Path]) -> None:
    zunyi = pdftotext(pdfs[handout_path("case", "zunyi-wuqiang-zuzhi")], "-layout")
    bijie = pdftotext(pdfs[handout_path("case", "bijie-sige-liuxia")], "-layout")
    assert "98.73%" in zunyi and "680,000,000" in zunyi and "6.8亿元" in zunyi
    assert "41.73%" in bijie and "1.68万人" in bijie


@pytest.mark.parametrize(("kind", "rid", "record"), RECORDS, ids=[r[1] for r in RECORDS])
def test_pdf_is_a4_with_a_sane_page_count_and_metadata(pdfs: dict[str, Path], kind: str,
                                                       rid: str, record: dict) -> None:
    info = pdfinfo(pdfs[handout_path(kind, rid)])
    width, height = (float(x) for x in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1, info["Page size"]
    assert 2 <= int(info["Pages"]) <= 12, info["Pages"]
    assert info["Title"] == record["title"]
    assert info["Author"] == "乡村振兴党建案例库"
    built = dt.datetime.fromtimestamp(int(SOURCE_DATE_EPOCH), tz=dt.UTC)
    assert info["CreationDate"] == built.strftime("%Y-%m-%dT%H:%M:%SZ")  # the commit's, not today


def test_only_the_simplified_chinese_face_is_embedded(pdfs: dict[str, Path]) -> None:
    """The collection holds Japanese, Korean and traditional faces too: only the simplified
    Chinese one is embedded, in one weight (each face costs about 150 KB)."""
    for pdf in pdfs.values():
        done = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        names = {line.split()[0].split("+")[-1] for line in done.stdout.splitlines()[2:]}
        assert names == {"NotoSansCJKsc-Regular-Identity-H"}, (pdf.name, names)  # one face keeps the file small


def test_two_runs_give_identical_bytes_and_the_cache_is_reused(site_with_handouts: Path,
                                                               tmp_path: Path) -> None:
    first = {p.relative_to(site_with_handouts): p.read_bytes()
             for p in (site_with_handouts / "handouts").rglob("*.pdf")}
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    done = make_handouts(ROOT, fresh)  # no cache: everything typeset again
    assert done.returncode == 0, done.stderr
    assert "缓存" not in done.stdout
    again = {p.relative_to(fresh): p.read_bytes() for p in (fresh / "handouts").rglob("*.pdf")}
    assert again.keys() == first.keys()
    assert [str(p) for p in first if first[p] != again[p]] == []
    cached = tmp_path / "cached"
    cached.mkdir()
    done = make_handouts(ROOT, cached, "--cache", site_with_handouts.parent / "handout-cache")
    assert done.returncode == 0, done.stderr
    assert f"其中 {len(first)} 份内容未变，取自缓存" in done.stdout
    assert {p.relative_to(cached): p.read_bytes() for p in (cached / "handouts").rglob("*.pdf")} == first


def test_pdf_step_needs_a_built_site(tmp_path: Path) -> None:
    result = run_cli("pdf", "--site", tmp_path / "not-built")
    assert result.code == 2
    assert "请先运行 make build" in result.stderr
    assert "Traceback" not in result.output


def test_record_text_is_set_as_text_never_read_as_typst(tmp_path: Path) -> None:
    """The layout gets every string as JSON data: markup and code in a record print as typed."""
    from casebook.files.handouts import Handout
    from casebook.files.pdf import write_pdfs

    hostile = '#read("/etc/passwd") #panic("x") $x^2$ *粗体* = 标题 <label> @ref \\ #{1+1}'
    escaped = escape(hostile)  # as the handout templates write record text
    html = ("<html><head><title>测试</title></head><body><h1>标题 #sys.inputs</h1>"
            f"<p>{escaped}</p><ul><li>{escaped}</li></ul>"
            f"<table><tbody><tr><th>甲</th><td>{escaped}</td></tr></tbody></table></body></html>")
    written, typeset = write_pdfs([Handout("handouts/cases/t.pdf", html, "测试")], tmp_path,
                                  ROOT / "macros")
    assert typeset == written
    text = pdftotext(written[0])
    assert "root:" not in text  # /etc/passwd was not read
    assert flat(text).count(flat(hostile)) == 3, flat(text)
    assert "标题#sys.inputs" in flat(text)


def test_a_one_case_edit_typesets_only_that_case_and_the_courses_that_use_it(
        sandbox: Path) -> None:
    from casebook.files.handouts import handouts
    from casebook.files.pdf import write_pdfs
    from casebook.library.check import check_library

    site, cache = sandbox / "site", sandbox / "cache"

    def typeset() -> set[str]:
        library = check_library(sandbox).library
        _, fresh = write_pdfs(handouts(library, sandbox), site, sandbox / "macros",
                              cache_dir=cache, jobs=2)
        return {p.relative_to(site).as_posix() for p in fresh}

    assert len(typeset()) == len(RECORDS)  # cold: everything
    assert typeset() == set()  # nothing changed: nothing typeset
    edited = "tongren-youxiao-xianjie"
    case_file = sandbox / "cases" / f"{edited}.yaml"
    record = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    # The summary is printed in the case's handout and in every course that uses the case.
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(text.replace(record["summary"], record["summary"] + "（已修订）", 1),
                         encoding="utf-8")
    using = {handout_path("course", cid) for cid, course in COURSES.items()
             if any(edited in session.get("cases", []) for session in course["sessions"])}
    assert using, "a course uses the edited case"
    kept = {path.name: path.read_bytes() for path in cache.glob("*.pdf")}
    assert typeset() == {handout_path("case", edited)} | using
    # the site's unchanged handouts are linked to the cache; a new one never writes through
    assert all((cache / name).read_bytes() == data for name, data in kept.items())
    # A practice's description is printed in the case's handout only.
    description = record["practices"][0]["description"]
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(text.replace(description, description + "（已修订）", 1), encoding="utf-8")
    assert typeset() == {handout_path("case", edited)}


def _many_handouts(count: int) -> list:
    """`count` handouts of the seed library (each case's, again under other names)."""
    from casebook.files.handouts import Handout, handouts
    from casebook.library.check import check_library

    seed = handouts(check_library(ROOT).library, ROOT, workers=1)
    return [Handout(f"handouts/cases/copy-{n}.pdf",
                    seed[n % len(seed)].html.replace("</h1>", f"（{n}）</h1>", 1), f"copy {n}")
            for n in range(count)]


def test_handouts_set_by_worker_processes_are_those_set_here_and_the_workers_are_fresh(
        tmp_path: Path) -> None:
    """Many handouts go to worker processes. They are spawned, not forked: a fork would start as
    a copy of the build process (at 10,000 cases, library and all, over a gigabyte each)."""
    import contextlib
    import threading

    import psutil

    from casebook.files.pdf import FEW, write_pdfs

    made = _many_handouts(FEW * 2)
    ballast = bytearray(800 * 2**20)  # the build process's memory, touched so that it is resident
    ballast[::4096] = b"x" * len(ballast[::4096])
    seen: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for child in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):  # ended between listing and reading
                    seen.append(child.memory_info().rss)
            done.wait(0.05)

    watcher = threading.Thread(target=sample)
    watcher.start()
    try:
        _, by_workers = write_pdfs(made, tmp_path / "workers", ROOT / "macros", jobs=2)
    finally:
        done.set()
        watcher.join()
    del ballast
    assert seen, "the handouts were set by worker processes"
    assert max(seen) < 600 * 2**20, f"a worker held {max(seen) // 2**20} MB"
    _, here = write_pdfs(made, tmp_path / "here", ROOT / "macros", jobs=1)
    assert len(by_workers) == len(here) == len(made)
    assert [p.read_bytes() for p in by_workers] == [p.read_bytes() for p in here]


def test_handouts_are_typeset_a_batch_at_a_time(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The handouts stream through: no more than a batch of HTML is taken ahead of the PDFs."""
    from casebook.files import pdf

    monkeypatch.setattr(pdf, "BATCH", 3)
    made = _many_handouts(10)
    site = tmp_path / "site"
    ahead = []

    def handouts():
        for n, handout in enumerate(made):
            ahead.append(n - sum(1 for _ in site.rglob("*.pdf")))
            yield handout

    written, _ = pdf.write_pdfs(handouts(), site, ROOT / "macros", jobs=1)
    assert len(written) == 10
    assert max(ahead) <= 3 - 1 and ahead[3] == 0  # each batch is written before the next is read

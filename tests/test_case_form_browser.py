"""The case form (contribute/) as a contributor without a terminal uses it, in Chromium.

A copy of the repository with a code host configured is built once; the tests fill the form for
a case from a county the library does not know yet (安吉县, added from GB/T 2260 in the form),
watch a message appear and go away, reload and find the draft, download the YAML file and the
filled Excel template, and hand each to the real CLI (`casebook validate`, `casebook import`) in
that copy. The last test holds the form's rules against the validator's on tests/examples/invalid/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from browsing import record_requests, serve
from conftest import COPIED, ROOT, run_cli
from sitebuild import build_site

pytestmark = pytest.mark.browser

HOST = "https://code.example.org/casebook/casebook/edit/main/"
INVALID = ROOT / "tests" / "examples" / "invalid"
EXPECTED = yaml.safe_load((INVALID / "expected.yaml").read_text("utf-8"))
CASE_ID = "anji-liangshan-lianmeng"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository whose site names a code host, built once."""
    root = tmp_path_factory.mktemp("form-repo")
    for name in COPIED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, root / name)
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8")
    assert 'edit_base: ""' in text
    config.write_text(text.replace('edit_base: ""', f'edit_base: "{HOST}"'), encoding="utf-8")
    done = build_site(root, root / "built")
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def server(repo: Path) -> Iterator[str]:
    with serve(repo / "built") as url:
        yield url


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Any]:
    """A phone-sized tab in a fresh profile (no draft yet), that may load nothing from elsewhere."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    foreign = record_requests(page, server)[1]
    yield page
    assert not foreign, foreign
    assert not errors, errors
    context.close()


def stripped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: stripped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stripped(v) for v in value]
    return value.strip() if isinstance(value, str) else value


def open_form(page: Any, server: str) -> None:
    page.goto(server + "contribute/")
    page.wait_for_selector("#case-form-fields .cb-form__field")


def field(page: Any, name: str) -> Any:
    return page.locator(f'#case-form-fields [name="{name}"]')


def messages(page: Any, name: str) -> list[str]:
    return page.eval_on_selector_all(
        f'#case-form-fields [data-field="{name}"] > .cb-form__msg:not([hidden]) .cb-form__say',
        "nodes => nodes.map(n => n.textContent)")


def check(page: Any, name: str, value: str) -> None:
    page.locator(f'#case-form-fields [data-field="{name}"] input[value="{value}"]').check()


def add(page: Any, section: str) -> None:
    page.click(f'#case-form-fields [data-add="{section}"]')


def settle(page: Any) -> None:
    """Wait for the form's check after the last keystroke (it runs shortly after typing stops)."""
    page.wait_for_timeout(400)


def fill_new_county_case(page: Any) -> None:
    """A complete case from 安吉县 (浙江省湖州市), which the seed library has no region for."""
    field(page, "id").fill(CASE_ID)
    field(page, "title").fill("安吉县推行“两山”党建联盟")
    field(page, "summary").fill("安吉县委组织部以“两山”党建联盟联结村企，带动村级集体经济增收。")
    field(page, "abstract").fill("安吉县以“两山”党建联盟为抓手，把相邻村、企业和合作社的党组织联结起来，"
                                 "统一规划产业、共享人才和项目，推动村级集体经济增收。本记录依据县委组织部"
                                 "公开发布的材料整理，数据为实践单位自报，尚未经第三方核实，阅读时请注意口径。")
    page.click("#case-form-newplace summary")
    page.fill("#case-form-place", "安吉县")
    page.click('#case-form-places [data-code="330523"]')
    page.wait_for_selector("#case-form-regions:not([hidden])")
    field(page, "place.level").select_option("county")
    field(page, "place.body").fill("中共安吉县委组织部")
    field(page, "time.start").fill("2021")
    field(page, "time.end").fill("2023")
    check(page, "time.periods", "xiangcun-zhenxing")
    field(page, "sources[0].title").fill("安吉县“两山”党建联盟的实践")
    field(page, "sources[0].publisher").fill("中共安吉县委组织部")
    field(page, "sources[0].date").fill("2023-06-01")
    field(page, "sources[0].rights").fill("公开发布的文章；本库只摘录事实和数字并注明出处")
    field(page, "background").fill("安吉县一些村集体经济薄弱，产业分散，村与村之间各自为战。")
    field(page, "problems[0].text").fill("村级集体经济薄弱，产业分散。")
    field(page, "practices[0].practice").fill("yijiantiao")
    field(page, "practices[0].local_name").fill("联盟书记一肩挑")
    field(page, "practices[0].description").fill("联盟内各村推行村党组织书记、村委会主任一肩挑，统一调度项目。")
    add(page, "indicators")
    field(page, "indicators[0].indicator").fill("yijiantiao-rate")
    field(page, "indicators[0].original").fill("98.5%")
    field(page, "indicators[0].date").fill("2023")
    field(page, "indicators[0].date_basis").select_option("stated")
    field(page, "indicators[0].scope").fill("全县村")
    field(page, "indicators[0].evidence").select_option("self-reported")
    field(page, "outcomes[0].text").fill("联盟村的集体经济收入普遍增加。")
    field(page, "lessons[0].text").fill("相邻村抱团发展比各自为战更有效。")
    check(page, "themes", "zuzhi-zhenxing")
    field(page, "teaching.key_points[0]").fill("党建联盟把分散的村组织起来。")
    field(page, "teaching.questions[0]").fill("党建联盟与村庄合并有什么不同？")


def test_a_new_county_case_is_checked_as_typed_kept_on_reload_and_accepted_by_the_validator(
        tab: Any, server: str, repo: Path) -> None:
    open_form(tab, server)
    assert tab.get_attribute("#case-form-status", "data-draft") == "new"
    fill_new_county_case(tab)
    assert tab.input_value('[name="indicators[0].unit"]') == "%"  # from the indicator, as import does

    # A figure typed as words: the validator's message appears under the field, then goes away.
    field(tab, "indicators[0].value").fill("很多")
    settle(tab)
    assert messages(tab, "indicators[0].value") == ["indicators[0].value（数值）：应为数字，实际为 '很多'"]
    field(tab, "indicators[0].value").fill("98.5")
    settle(tab)
    assert messages(tab, "indicators[0].value") == []
    assert tab.get_attribute("#case-form-summary", "data-errors") == "0", tab.inner_text("#case-form-problems")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

    # The new places, from GB/T 2260 with their codes and parents.
    regions = yaml.safe_load(tab.inner_text("#case-form-regions-yaml"))
    assert [(r["name"], r["code"], r["level"]) for r in regions] == [
        ("浙江省", "330000", "province"), ("湖州市", "330500", "prefecture"), ("安吉县", "330523", "county")]
    assert regions[1]["parent"] == regions[0]["id"] and regions[2]["parent"] == regions[1]["id"]

    tab.reload()
    tab.wait_for_selector("#case-form-fields .cb-form__field")
    assert tab.get_attribute("#case-form-status", "data-draft") == "restored"
    assert field(tab, "title").input_value() == "安吉县推行“两山”党建联盟"
    assert field(tab, "indicators[0].value").input_value() == "98.5"

    with tab.expect_download() as waiting:
        tab.click("#case-form-yaml")
    download = waiting.value
    assert download.suggested_filename == f"{CASE_ID}.yaml"
    target = repo / "cases" / f"{CASE_ID}.yaml"
    download.save_as(target)
    with tab.expect_download() as waiting:
        tab.click("#case-form-regions-download")
    added = Path(waiting.value.path()).read_text("utf-8")
    vocabulary = repo / "cases" / "vocab" / "regions" / "regions.yaml"
    before = vocabulary.read_text("utf-8")
    try:
        vocabulary.write_text(before + added, encoding="utf-8")
        result = run_cli("validate", "--root", repo, cwd=repo)
        assert result.code == 0, result.output
        assert "6 个案例" in result.output
        record = yaml.safe_load(target.read_text("utf-8"))
        assert record["place"]["region"] == regions[2]["id"] and record["indicators"][0]["value"] == 98.5
    finally:
        vocabulary.write_text(before, encoding="utf-8")
        target.unlink()

    # The code host's "new file" page, prefilled with the same record.
    link = urlsplit(tab.get_attribute("#case-form-pr", "href"))
    assert f"{link.scheme}://{link.netloc}{link.path}" == HOST.replace("/edit/", "/new/") + "cases"
    query = parse_qs(link.query)
    assert query["filename"] == [f"{CASE_ID}.yaml"]
    assert yaml.safe_load(query["value"][0])["title"] == "安吉县推行“两山”党建联盟"


def test_the_filled_excel_template_is_imported_by_the_cli(tab: Any, server: str, repo: Path,
                                                          tmp_path: Path) -> None:
    open_form(tab, server)
    fill_new_county_case(tab)
    field(tab, "indicators[0].value").fill("98.5")
    settle(tab)
    added = tab.inner_text("#case-form-regions-yaml")
    with tab.expect_download() as waiting:
        tab.click("#case-form-xlsx")
    workbook = tmp_path / "form.xlsx"
    waiting.value.save_as(workbook)
    vocabulary = repo / "cases" / "vocab" / "regions" / "regions.yaml"
    before = vocabulary.read_text("utf-8")
    target = repo / "cases" / f"{CASE_ID}.yaml"
    try:
        vocabulary.write_text(before + added, encoding="utf-8")
        result = run_cli("import", workbook, "--root", repo, cwd=repo)
        assert result.code == 0, result.output
        record = yaml.safe_load(target.read_text("utf-8"))
        assert record["title"] == "安吉县推行“两山”党建联盟"
        assert record["indicators"][0]["value"] == 98.5 and record["indicators"][0]["unit"] == "%"
        assert record["teaching"]["questions"] == ["党建联盟与村庄合并有什么不同？"]
        assert run_cli("validate", "--root", repo, cwd=repo).code == 0
    finally:
        vocabulary.write_text(before, encoding="utf-8")
        target.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def validator_fields(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The fields `casebook validate` names for each invalid example, run once on all of them."""
    root = tmp_path_factory.mktemp("invalid-examples")
    shutil.copytree(ROOT / "cases", root / "cases")
    for name in EXPECTED:
        shutil.copy2(INVALID / name, root / "cases" / name)
    result = run_cli("validate", "--root", root, "--format", "json", cwd=root)
    assert result.code == 1, result.output
    found: dict[str, set[str]] = {name: set() for name in EXPECTED}
    for problem in result.json()["problems"]:
        name = Path(problem["file"]).name
        if name in found and problem["severity"] == "error":
            found[name].add(problem["field"])
    return found


def test_the_form_and_the_validator_refuse_the_invalid_examples_naming_the_same_field(
        tab: Any, server: str, validator_fields: dict[str, set[str]]) -> None:
    open_form(tab, server)
    for name in EXPECTED:
        source = (INVALID / name).read_bytes().decode("utf-8")
        found = tab.evaluate("text => window.casebookForm.checkText(text)"
                             ".filter(p => p.severity === 'error').map(p => p.field)", source)
        assert validator_fields[name], f"{name}: the validator accepts it"
        assert found, f"{name}: the form accepts it"
        assert validator_fields[name] & set(found), (name, validator_fields[name], found)


def test_the_form_accepts_what_the_validator_accepts(tab: Any, server: str) -> None:
    """No false alarm: every seed case, which `casebook validate` passes, passes the form too."""
    open_form(tab, server)
    for path in sorted((ROOT / "cases").glob("*.yaml")):
        found = tab.evaluate("text => window.casebookForm.checkText(text).map(p => p.field + '：' + p.message)",
                             path.read_text("utf-8"))
        assert found == [], (path.name, found)


def test_a_downloaded_file_opens_again_in_the_form(tab: Any, server: str, tmp_path: Path) -> None:
    """“打开已有的案例文件” reads a case file back into the fields, to go on where one left off."""
    open_form(tab, server)
    seed = ROOT / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    tab.set_input_files("#case-form-file", str(seed))
    tab.wait_for_function("document.querySelector('#case-form-status').textContent.includes('已打开')")
    assert field(tab, "title").input_value() == yaml.safe_load(seed.read_text("utf-8"))["title"]
    assert tab.get_attribute("#case-form-summary", "data-errors") == "0"
    # The same record, but for the line break a block of text ends with (the form trims its texts).
    assert tab.evaluate("window.casebookForm.record()") == stripped(yaml.safe_load(seed.read_text("utf-8")))

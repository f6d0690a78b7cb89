"""The contributor path cannot drift: guide, pull-request files, CI workflow and the site's copy.

The field reference in CONTRIBUTING.md must list every field of the schema and be exactly what
`casebook field-reference` generates; the workflow must run the same `make` targets as .ci/run;
the issue form must only ask for schema fields, in the schema's own labels; and the site must
publish the guide (with working links) and the Excel template, and date each record from git.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from casebook.records.fields import case_fields
from conftest import ROOT, run_cli
from sitebuild import content, page

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def make_targets(commands: list[str]) -> set[str]:
    """The targets named by `make …` in shell command lines (comments and options left out)."""
    targets: set[str] = set()
    for command in commands:
        for line in command.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0]
            # `make` where a command starts, not the apt package of that name in a list
            for words in re.findall(r"(?:^|&&|\|\||;|\bthen\b|\bdo\b)\s*make((?:[ \t]+[A-Za-z][\w-]*)+)",
                                    line):
                targets |= set(words.split())
    return targets


def test_every_schema_field_is_in_the_guide() -> None:
    rows = {m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", GUIDE, re.MULTILINE)}
    missing = [f.path for f in case_fields() if f.path not in rows]
    assert not missing, f"undocumented in CONTRIBUTING.md: {missing}"
    for field in case_fields():
        row = next(line for line in GUIDE.splitlines() if line.startswith(f"| `{field.path}` |"))
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[1] == field.title
        assert cells[2] == ("必填" if field.required else "可选")
        assert cells[3], f"{field.path} has no explanation"


def test_the_guide_is_what_the_schema_generates() -> None:
    result = run_cli("field-reference", "--check", "--root", ROOT)
    assert result.code == 0, result.output


def test_a_stale_guide_is_detected_and_regenerated(sandbox: Path) -> None:
    guide = sandbox / "CONTRIBUTING.md"
    stale = guide.read_text(encoding="utf-8").replace(
        next(line for line in GUIDE.splitlines() if line.startswith("| `indicators[].value` |")) + "\n", "")
    guide.write_text(stale, encoding="utf-8")
    checked = run_cli("field-reference", "--check", "--root", sandbox, cwd=sandbox)
    assert checked.code == 1 and "已过期" in checked.stderr
    assert guide.read_text(encoding="utf-8") == stale, "--check never writes"
    assert run_cli("field-reference", "--root", sandbox, cwd=sandbox).code == 0
    assert guide.read_text(encoding="utf-8") == GUIDE


def test_the_workflow_runs_what_ci_runs() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert "pull_request" in triggers
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_targets = make_targets([ci_script])
    assert ci_targets, "no make target found in .ci/run"
    assert ci_targets <= make_targets(runs)
    assert {"validate", "build", "test"} <= make_targets(runs)
    # The same system packages as .ci/run installs when they are missing.
    wanted = set(re.findall(r"need\+=\(([\w.-]+)\)", ci_script))
    wanted |= {p for group in re.findall(r"for package in ([^;]+);", ci_script) for p in group.split()}
    assert wanted <= set(" ".join(runs).replace("\\\n", " ").split())
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "record history needs the whole git history"
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"
    assert "3.11" in str(job.get("container", "")) or any(
        s.get("with", {}).get("python-version") == "3.11" for s in steps)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in make_targets(runs):
        assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), target
    # the caches a build keeps between runs are kept between CI runs too
    from casebook.handover.finish import COMPRESSED_CACHE
    from casebook.handover.stage import DEFAULT_STAGE

    cached = {s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache@")}
    handouts = re.search(r"^build:.*\n\t.*--cache (\S+)", makefile, re.MULTILINE)
    assert handouts and handouts.group(1) in cached
    assert (DEFAULT_STAGE / COMPRESSED_CACHE).as_posix() in cached


def test_pre_commit_runs_the_validator() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    entries = [hook["entry"] for hook in hooks]
    assert any(entry in ("make validate", ".venv/bin/casebook validate") for entry in entries)
    assert all(hook["pass_filenames"] is False for hook in hooks)
    assert any(re.match(hook.get("files", ""), "cases/zunyi-wuqiang-zuzhi.yaml") for hook in hooks)


def test_the_issue_form_takes_the_case_as_a_file_and_asks_for_the_confirmations() -> None:
    """The case comes as the site's form or the Excel template writes it (see tests/test_issue_case.py
    for the command that reads it); the form itself asks only what no file holds."""
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "new-case.yml").read_text("utf-8"))
    asked = {item["id"]: item for item in form["body"] if item.get("id")}
    assert set(asked) == {"case-yaml", "regions-yaml", "attachments", "note", "confirm"}
    assert asked["case-yaml"]["attributes"]["render"] == "yaml"
    intro = " ".join(i["attributes"]["value"] for i in form["body"] if i["type"] == "markdown")
    assert "在线填写案例" in intro and "Excel" in intro
    confirmations = " ".join(o["label"] for i in form["body"] if i["type"] == "checkboxes"
                             for o in i["attributes"]["options"])
    assert "身份证号" in confirmations and "公开发布" in confirmations


def test_the_pull_request_template_has_the_review_checklist() -> None:
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    boxes = re.findall(r"^- \[ \] (.+)$", template, re.MULTILINE)
    joined = "\n".join(boxes)
    for needle in ("每个数字都注明来源", "没有个人信息", "可以公开发布", "make validate"):
        assert needle in joined


def test_every_contributor_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("new-case", "import", "excel-template", "contributing"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE)
        assert f"make {target}" in readme
        assert f"make {target}" in GUIDE or target == "contributing"
    from casebook.contribute.commands import COMMANDS

    for command in COMMANDS:
        result = run_cli(command, "--help")
        assert result.code == 0 and "用法" not in result.stderr
        assert re.search(r"[\u4e00-\u9fff]", result.stdout), f"{command} --help is not in Chinese"
        assert command in readme, f"casebook {command} is not in the README"


# --- the site's copy ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The session's shared strict build of the repository (tests here only read it)."""
    return built_site


def _resolve(href: str, url: str, site_dir: Path) -> Path:
    target = unquote(urlsplit(href).path)
    resolved = (site_dir / url / target).resolve()
    return resolved / "index.html" if resolved.is_dir() else resolved


def test_the_site_guide_is_contributing_md_with_working_links(site: Path) -> None:
    body = content(page(site, "guide/contributors/"))
    headings = [h.get_text(strip=True) for h in body.find_all("h2")]
    assert headings == re.findall(r"^## (.+)$", GUIDE, re.MULTILINE)
    rows = {tr.find("code").get_text() for tr in body.select("table tr") if tr.find("code")}
    assert {f.path for f in case_fields()} <= rows
    local = [a["href"] for a in body.find_all("a", href=True)
             if not urlsplit(a["href"]).scheme and not a["href"].startswith("#")]
    assert local, "the guide links the site's own pages and files"
    for href in local:
        assert _resolve(href, "guide/contributors/", site).exists(), href
    download = next(a for a in body.find_all("a", href=True) if a["href"].endswith(".xlsx"))
    workbook = _resolve(download["href"], "guide/contributors/", site)
    assert workbook == (site / "downloads" / "case-template.xlsx").resolve()
    with zipfile.ZipFile(workbook) as archive:
        assert "xl/workbook.xml" in archive.namelist()
    # GitHub hides the site-only line; the site shows it, uncommented.
    assert "<!-- site:" not in page(site, "guide/contributors/").decode()


def test_case_pages_carry_the_edit_note_and_git_dates(site: Path) -> None:
    rel = "cases/zunyi-wuqiang-zuzhi.yaml"
    note = content(page(site, "cases/zunyi-wuqiang-zuzhi/")).select_one(".cb-edit")
    assert rel in note.get_text()
    records = [a["href"] for a in note.find_all("a", href=True) if a["href"].endswith(".yaml")]
    assert records and _resolve(records[0], "cases/zunyi-wuqiang-zuzhi/", site).is_file()
    log = subprocess.run(["git", "log", "--follow", "--format=%cs", "--", rel], cwd=ROOT,
                         capture_output=True, text=True, check=False).stdout.split()
    dates = [t["datetime"] for t in note.select(".cb-history time")]
    if log:  # in a checkout: the first and the latest commit of the record file
        assert dates == [log[-1], log[0]]
    else:
        assert dates == []

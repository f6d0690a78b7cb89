"""The site's commands as a person runs them: a failing build on bad data, and live reload."""

from __future__ import annotations

import ast
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import ROOT, run_cli
from sitebuild import build_site


def test_invalid_data_fails_the_build_with_the_validators_messages(sandbox: Path) -> None:
    case = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    lines = case.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("status:"))
    lines[number] = "status: finished"
    case.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = build_site(sandbox, sandbox / "site")
    assert done.returncode == 1
    assert f"cases/zunyi-wuqiang-zuzhi.yaml:{number + 1}:9:" in done.stderr
    assert "status（审核状态）：应为以下之一" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (sandbox / "site" / "index.html").exists()


ENGINE_PACKAGES = {"mkdocs", "material", "zensical", "properdocs"}


def engine_imports(*folders: Path) -> list[str]:
    """Every import of a site engine's package in the Python files under `folders`."""
    offenders = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                offenders += [f"{path.relative_to(folder)}: {n}" for n in names
                              if n.split(".")[0] in ENGINE_PACKAGES]
    return offenders


def test_no_code_of_the_project_imports_a_site_engine(tmp_path: Path) -> None:
    """The pipeline must survive a change of engine: engines are run as commands on files."""
    assert not engine_imports(ROOT / "src", ROOT / "scripts")
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    stage = copy / "casebook" / "handover" / "stage.py"
    stage.write_text(stage.read_text(encoding="utf-8") + "\nfrom zensical import config\n",
                     encoding="utf-8")
    assert engine_imports(copy) == ["casebook/handover/stage.py: zensical"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = _fetch(url)
        if body is not None and text in body:
            return True
        time.sleep(0.5)
    return False


@contextmanager
def _serving(sandbox: Path) -> Iterator[int]:
    """`casebook serve` (as `make serve` runs it) on a free port in `sandbox`, its output in
    sandbox/serve.log."""
    port = _free_port()
    with (sandbox / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "casebook.cli", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=sandbox, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield port
        finally:
            server.terminate()
            server.wait(timeout=20)


def _add_to_summary(sandbox: Path, words: str) -> str:
    """Append `words` to the Zunyi case's summary, as a contributor edits it; its text before."""
    case = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    text = case.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("summary:"))
    case.write_text(text.replace(summary, summary + words), encoding="utf-8")
    return text


def test_serve_rebuilds_when_a_record_or_template_changes(sandbox: Path) -> None:
    with _serving(sandbox) as port:
        url = f"http://127.0.0.1:{port}/cases/zunyi-wuqiang-zuzhi/"
        assert _wait_for(url, "<h1", 90), (sandbox / "serve.log").read_text()
        _add_to_summary(sandbox, "（实时刷新测试）")
        assert _wait_for(url, "（实时刷新测试）", 60), "an edit to a record did not reach the page"
        template = sandbox / "macros" / "case.md.j2"
        template.write_text(template.read_text(encoding="utf-8").replace("## 教学参考", "## 教学参考资料"),
                            encoding="utf-8")
        assert _wait_for(url, "教学参考资料", 60), "an edit to a template did not reach the page"


def test_an_edit_to_a_case_renders_that_case_alone_and_a_new_case_renders_everything(sandbox: Path) -> None:
    with _serving(sandbox) as port:
        base = f"http://127.0.0.1:{port}/"
        url = base + "cases/zunyi-wuqiang-zuzhi/"
        assert _wait_for(url, "<h1", 90), (sandbox / "serve.log").read_text()
        text = _add_to_summary(sandbox, "（只改一个案例）")
        assert _wait_for(url, "（只改一个案例）", 60), "an edit to a record did not reach the page"
        compare_part = _fetch(base + "compare/cases/zunyi-wuqiang-zuzhi.json") or ""
        assert "（只改一个案例）" in compare_part
        assert "预览只更新了改动的 1 个案例的页面" in (sandbox / "serve.log").read_text()
        assert "<h1" in (_fetch(base + "practices/yijiantiao/") or "")  # the rest is still served
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        copy = text.replace("id: zunyi-wuqiang-zuzhi", "id: zunyi-preview-copy").replace(
            title, "title: 预览新增案例测试")
        (sandbox / "cases" / "zunyi-preview-copy.yaml").write_text(copy, encoding="utf-8")
        assert _wait_for(base + "cases/", "预览新增案例测试", 90), "a new case did not reach the case list"
        assert "<h1" in (_fetch(base + "cases/zunyi-preview-copy/") or "")


def test_a_preview_keeps_serving_the_other_cases_while_one_is_broken(sandbox: Path) -> None:
    case = sandbox / "cases" / "zunyi-wuqiang-zuzhi.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("status: draft", "status: bogus"),
                    encoding="utf-8")
    with _serving(sandbox) as port:
        assert _wait_for(f"http://127.0.0.1:{port}/cases/bijie-sige-liuxia/", "<h1", 90), (
            (sandbox / "serve.log").read_text())
        broken = _fetch(f"http://127.0.0.1:{port}/cases/zunyi-wuqiang-zuzhi/") or ""
        assert "此案例未通过校验" in broken and "cases/zunyi-wuqiang-zuzhi.yaml:11:9" in broken
        output = (sandbox / "serve.log").read_text()
        assert "cases/zunyi-wuqiang-zuzhi.yaml:" in output and "status（审核状态）" in output


def test_a_build_without_the_pinned_browser_libraries_says_how_to_install_them(sandbox: Path, tmp_path: Path) -> None:
    shutil.rmtree(sandbox / "node_modules")
    result = run_cli("render", "--root", sandbox, "--out", tmp_path / "pages", cwd=sandbox)
    assert result.code == 2 and "内部错误" not in result.output
    assert "node_modules/write-excel-file" in result.output and "make vendor" in result.output

"""The staged docs tree: everything a site engine builds, as files, and the config it builds with.

`stage_site` writes, under one folder:

- `docs/`: the hand-written pages of content/ and every page and file generated from the records
  (record pages with their HTML set aside, data files, charts, search keywords, vendored scripts);
- `blocks/`: the HTML set aside, put back into the built pages by casebook.handover.finish;
- `glossary.json`: the terms the Markdown extension casebook.site.text explains on every page,
  hand-written ones included (the engine loads the extension; it reads this file);
- `engine.yml`: the project's mkdocs.yml by INHERIT, with the stage's folders; any engine that
  reads mkdocs.yml builds it;
- `manifest.json`: what was generated, for the finishing step and the preview.

A file is written only when its bytes change, so an engine that rebuilds what changed (a
preview) rebuilds only that; files no longer made are removed.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook.files.handouts import site_settings
from casebook.handover.engines import Engine
from casebook.handover.outputs import staged_site_outputs
from casebook.handover.prerendered import BLOCKS, DOCS, StagedFile, stage, write_if_changed
from casebook.library.link import Library
from casebook.site.render import Page

CONFIG = "engine.yml"
GLOSSARY = "glossary.json"
MANIFEST = "manifest.json"
GLOSSARY_ENVIRONMENT = "CASEBOOK_GLOSSARY"  # read by mkdocs.yml into casebook.site.text's config
DEFAULT_STAGE = Path(".cache") / "stage"  # mkdocs.yml's docs_dir points into it


class StageError(RuntimeError):
    """A stage that cannot be made as asked; the message is for people."""


@dataclass
class Staged:
    """A staged tree: where it is, its settings, and what was generated into it."""

    folder: Path
    settings: dict[str, Any]
    generated: list[StagedFile] = field(default_factory=list)

    @property
    def docs(self) -> Path:
        return self.folder / DOCS

    @property
    def config(self) -> Path:
        return self.folder / CONFIG


def site_config(root: Path) -> dict[str, Any]:
    """The settings the pages are rendered with: mkdocs.yml's `extra.casebook`, name, address."""
    return site_settings(root / "mkdocs.yml")


def stage_site(library: Library, root: Path, folder: Path, *,
               extra_pages: list[Page] | None = None, set_aside: bool = True,
               keep: frozenset[str] = frozenset(), workers: int | None = None) -> Staged:
    """Stage the whole site for `library` under `folder` (see the module docstring).

    `keep`: files under docs/ that something else put there (a preview's search index).
    """
    folder.mkdir(parents=True, exist_ok=True)
    settings = site_config(root)
    docs = folder / DOCS
    handwritten = _copy_content(root / "content", docs)
    generated = staged_site_outputs(library, root, folder, settings, workers=workers,
                                    set_aside=set_aside)
    generated += stage(extra_pages or [], folder, set_aside=set_aside)
    clashes = sorted({f.path for f in generated} & handwritten)
    if clashes:
        raise StageError("\n".join(f"content/{path} 与生成的页面同名；请改名或删除这个手写页面。"
                                   for path in clashes))
    _remove_stale(docs, handwritten | keep | {f.path for f in generated})
    _remove_stale(folder / BLOCKS, {f"{f.path}.json" for f in generated if f.blocks})
    glossary = {name: term["definition"] for term in library.glossary.values()
                for name in [term["term"], *term.get("aliases", [])]}
    write_if_changed(folder / GLOSSARY, json.dumps(glossary, ensure_ascii=False, sort_keys=True,
                                                   indent=0).encode("utf-8"))
    manifest = {"pages": {f.path: bool(f.blocks) for f in generated}}
    write_if_changed(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=0,
                                                   sort_keys=True).encode("utf-8"))
    return Staged(folder, settings, generated)


def restage(folder: Path, pages: list[Page], *, set_aside: bool = True) -> list[StagedFile]:
    """Write some pages again into an existing stage (a preview after editing cases)."""
    return stage(pages, folder, set_aside=set_aside)


SITE = "site"  # where the engine writes, inside the stage (Zensical keeps a site in its project)


def write_engine_config(root: Path, folder: Path, engine: Engine) -> Path:
    """`engine.yml` for `engine`: mkdocs.yml by INHERIT, paths relative to the stage; the
    engine builds into the stage's site/, which the caller then moves where it is wanted.

    Only keys that both engines merge the same way are set here (mappings and scalars, never a
    list: MkDocs replaces an inherited list, Zensical appends to it).
    """
    def relative(path: Path) -> str:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()

    lines = [f"# Written by casebook for {engine.label}; see casebook.handover.stage.",
             f"INHERIT: {json.dumps(relative(root / 'mkdocs.yml'))}",
             f"docs_dir: {json.dumps(DOCS)}",
             "theme:",
             f"  custom_dir: {json.dumps(relative(root / 'macros' / 'theme'))}",
             f"site_dir: {json.dumps(SITE)}"]
    for key, value in engine.config:
        lines.append(f"{key}: {json.dumps(value)}")
    target = folder / CONFIG
    write_if_changed(target, ("\n".join(lines) + "\n").encode("utf-8"))
    return target


def _copy_content(source: Path, docs: Path) -> set[str]:
    """Copy the hand-written pages and assets into the stage; return their paths."""
    copied = set()
    for path in sorted(source.rglob("*")):
        if path.is_file():
            rel = path.relative_to(source).as_posix()
            write_if_changed(docs / rel, path.read_bytes())
            copied.add(rel)
    return copied


def _remove_stale(folder: Path, keep: set[str]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path.relative_to(folder).as_posix() not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def remove_stage(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)

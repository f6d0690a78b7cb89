"""Browser libraries the site serves from its own host, copied from the pinned npm packages.

`make vendor` installs the versions that package-lock.json pins into node_modules/ (from the npm
registry, at set-up time, never while a page is read); every build then serves each file under
javascripts/vendor/ beside the licences it ships under. A page loads one only when a reader asks
for what it does (the compare page's workbook download) or on the one page that needs it (the
case form: the JSON Schema validator and the YAML reader and writer), so it costs nothing elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from casebook.site.render import Page

FOLDER = "javascripts/vendor"
# (package, file in the package, name served): the code, then each licence it is under.
VENDORED = (
    ("write-excel-file", "bundle/write-excel-file.min.js", "write-excel-file.min.js"),
    ("write-excel-file", "LICENSE", "write-excel-file.LICENSE.txt"),
    ("fflate", "LICENSE", "fflate.LICENSE.txt"),  # bundled inside write-excel-file.min.js
    # Ajv's own browser build for draft-07, the draft of our schemas (src/casebook/schemas/).
    # ajv-dist ships no licence file: the licences are those of Ajv and of what the build bundles,
    # installed beside it at the versions Ajv 8.17.1 pins.
    ("ajv-dist", "dist/ajv7.min.js", "ajv7.min.js"),
    ("ajv", "LICENSE", "ajv.LICENSE.txt"),
    ("fast-deep-equal", "LICENSE", "fast-deep-equal.LICENSE.txt"),
    ("fast-uri", "LICENSE", "fast-uri.LICENSE.txt"),
    ("json-schema-traverse", "LICENSE", "json-schema-traverse.LICENSE.txt"),
    ("js-yaml", "dist/browser/js-yaml.umd.min.js", "js-yaml.min.js"),
    ("js-yaml", "LICENSE", "js-yaml.LICENSE.txt"),
)


class MissingVendorFile(RuntimeError):
    """A pinned browser library is not installed: the build says how to install it."""


def vendored_outputs(root: Path) -> list[Page]:
    """Each vendored file as a page of the site, read from root/node_modules."""
    pages = []
    for package, name, served in VENDORED:
        source = root / "node_modules" / package / name
        if not source.is_file():
            raise MissingVendorFile(
                f"缺少浏览器程序库 node_modules/{package}/{name}：请先在仓库根目录运行 make vendor"
                "（按 package-lock.json 安装固定版本，需要 npm）。")
        pages.append(Page(f"{FOLDER}/{served}", source.read_bytes()))
    return pages

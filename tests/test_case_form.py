"""The case form's page and data as built (contribute/), and what its script takes from them.

The browser tests (test_case_form_browser.py) use the form; these read what the build made: the
page without a code host has no pull-request link, the data holds every schema field in the
schema's words, every message the script asks the catalogue for is in it, and the rules the page
leaves to the validator are ones the validator has.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from casebook.contribute.case_form import new_file_url
from casebook.records.catalogue import messages, text
from casebook.records.fields import case_fields
from conftest import ROOT
from sitebuild import page

SCRIPT = (ROOT / "content" / "javascripts" / "case-form.js").read_text("utf-8")


def test_the_page_has_no_pull_request_link_without_a_code_host(built_site: Path) -> None:
    html = page(built_site, "contribute/")
    assert html.select_one("#case-form-pr") is None
    assert html.select_one("#case-form-yaml") and html.select_one("#case-form-xlsx")
    scripts = [s["src"] for s in html.select("article script[src]")]
    assert scripts == ["../javascripts/vendor/ajv7.min.js", "../javascripts/vendor/js-yaml.min.js",
                       "../javascripts/case-form.js"]
    later = [li.get_text(strip=True) for li in html.select(".cb-form__later li")]
    assert later == [rule["rule"] for rule in messages()["python_only"]]


def test_the_data_holds_every_field_in_the_schemas_words(built_site: Path) -> None:
    data = json.loads((built_site / "contribute" / "form.json").read_text("utf-8"))
    shown = {f["path"]: f for f in data["fields"]}
    for item in case_fields():
        assert shown[item.path]["title"] == item.title and shown[item.path]["key"] == item.key
        assert shown[item.path]["required"] == item.required
    assert data["schema"]["$id"] == "urn:casebook:schema:case"
    assert data["schema"]["$schema"] == "http://json-schema.org/draft-07/schema#"  # Ajv's ajv7 build
    assert data["messages"] == messages() and data["new_file"] == ""
    divisions = json.loads((built_site / "contribute" / "divisions.json").read_text("utf-8"))
    assert ["330523", "安吉县", "安吉", "330500", "anji", "county"] in divisions


def test_every_message_the_script_asks_for_is_in_the_catalogue() -> None:
    keys = set(re.findall(r"""\b(?:say|text)\("([a-z_]+\.[a-z_A-Z.]+)["]""", SCRIPT))
    assert len(keys) > 30
    for key in keys:
        assert isinstance(text(key), str | list | dict), key


def test_the_rules_left_to_the_validator_are_the_validators() -> None:
    source = "\n".join(p.read_text("utf-8") for p in (ROOT / "src" / "casebook").rglob("*.py"))
    for rule in messages()["python_only"]:
        for code in rule["codes"]:
            assert re.search(rf"""["']{re.escape(code)}["']""", source), code
            assert f'"{code}"' not in SCRIPT, f"{code} is checked by the form after all"


def test_the_new_file_address_is_made_from_the_edit_address() -> None:
    assert new_file_url("https://github.com/org/repo/edit/main/") == "https://github.com/org/repo/new/main/cases"
    assert new_file_url("https://gitlab.example.org/g/r/-/edit/main") == "https://gitlab.example.org/g/r/-/new/main/cases"
    assert new_file_url("https://example.org/files/") == ""
    assert new_file_url("") == ""

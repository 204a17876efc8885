"""Tests of deckgen.prospect: prospect files, --set overrides and their validation messages."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from conftest import write_text
from deckgen.errors import ConfigError, InputFileError
from deckgen.prospect import LogoPolicy, load_prospect, prospect_from_data


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder with a logo at logos/globex.png; the current directory during the test."""
    (tmp_path / "logos").mkdir()
    Image.new("RGB", (40, 20), "navy").save(tmp_path / "logos" / "globex.png")
    monkeypatch.chdir(tmp_path)
    return tmp_path


GLOBEX = """
    company: Globex Corporation
    logo: logos/globex.png
    segment: enterprise
    industry: manufacturing
    competitors: [acme, initech]
    objections: [price, security]
    contact: {name: Hank Scorpio, title: CEO}
    values:
      employees: 12000
      sites: [{name: Springfield, lines: 12}]
    """


def _error(path=None, overrides=()):
    with pytest.raises(ConfigError) as caught:
        load_prospect(path, overrides)
    return str(caught.value)


def test_yaml_prospect_becomes_a_context(folder):
    prospect = load_prospect(write_text(folder / "globex.yaml", GLOBEX))
    context = prospect.as_context()
    assert context["company"] == "Globex Corporation"
    assert context["logo"] == str(folder / "logos" / "globex.png")
    assert context["competitors"] == ["acme", "initech"]
    assert context["values"] == {"employees": 12000, "sites": [{"name": "Springfield", "lines": 12}]}
    assert context["contact"]["name"] == "Hank Scorpio"
    assert type(context["values"]) is dict     # plain data, no line-tracking types leak out


def test_json_prospect_and_logo_relative_to_the_prospect_file(folder, monkeypatch):
    (folder / "crm").mkdir()
    (folder / "crm" / "logos").mkdir()
    Image.new("RGB", (10, 10)).save(folder / "crm" / "logos" / "a.png")
    write_text(folder / "crm" / "acme.json", json.dumps(
        {"company": "Acme", "segment": "smb", "logo": "logos/a.png", "objections": "price"}))
    monkeypatch.chdir(folder / "logos")      # the current folder must not matter
    prospect = load_prospect(folder / "crm" / "acme.json")
    assert prospect.logo == folder / "crm" / "logos" / "a.png"
    assert prospect.objections == ("price",)   # a single name is a one-item list
    assert prospect.competitors == ()


def test_set_overrides_parse_yaml_values_and_dotted_paths(folder):
    path = write_text(folder / "globex.yaml", GLOBEX)
    prospect = load_prospect(path, ["values.employees=15000", "competitors=[acme]",
                                    "contact.email=hank@globex.example", "values.region.name=North"])
    assert prospect.values["employees"] == 15000
    assert prospect.values["region"] == {"name": "North"}
    assert prospect.competitors == ("acme",)
    assert prospect.contact["email"] == "hank@globex.example"


def test_set_alone_is_a_prospect_and_its_logo_is_relative_to_the_current_folder(folder):
    prospect = load_prospect(None, ["company=Initech", "segment=smb", "logo=logos/globex.png"])
    assert (prospect.company, prospect.segment, prospect.logo) == ("Initech", "smb", folder / "logos" / "globex.png")


def test_prospect_values_are_kept_as_data(folder):
    prospect = load_prospect(None, ['company="{{ 7*7 }}"', "segment=smb"])
    assert prospect.as_context()["company"] == "{{ 7*7 }}"


def test_every_problem_is_reported_with_its_line(folder):
    write_text(folder / "bad.yaml", """
        company: Globex
        segmnt: enterprise
        logo: logos/missing.png
        competitors: [acme, 3]
        contact: Hank
        values: {"annual savings": 1}
        """)
    assert _error("bad.yaml") == (
        "bad.yaml: invalid prospect (6 problems):\n"
        "  bad.yaml:1: missing required field 'segment' (add 'segment: ...')\n"
        "  bad.yaml:2: unknown field 'segmnt' (did you mean 'segment'?)\n"
        f"  bad.yaml:3: logo file 'logos/missing.png' not found (looked for {folder / 'logos' / 'missing.png'})\n"
        "  bad.yaml:4: each of 'competitors' must be a name, found the number 3\n"
        "  bad.yaml:5: 'contact' must be a mapping (name, title, email...), found text 'Hank'\n"
        "  bad.yaml:6: value name 'annual savings' cannot be used in a slide template "
        "(use letters, digits and _ only, e.g. annual_savings)")


def test_logo_that_is_not_an_image(folder):
    (folder / "logo.png").write_bytes(b"not a png")
    write_text(folder / "p.yaml", "company: A\nsegment: smb\nlogo: logo.png\n")
    assert _error("p.yaml") == "p.yaml:3: logo file 'logo.png' is not an image Pillow can read " \
                               "(use a PNG, JPEG or SVG (UnidentifiedImageError))"


def test_missing_company_from_set_only(folder):
    assert _error(None, ["segment=smb"]) == \
        "--set: missing required field 'company' (add 'company: ...')"


def test_set_problems_name_the_option(folder):
    path = write_text(folder / "globex.yaml", GLOBEX)
    assert _error(path, ["employees"]) == \
        "--set employees: expected KEY=VALUE with a dotted key (e.g. --set values.employees=15000)"
    assert _error(path, ["company.name=X"]) == \
        "--set company.name=X: 'company' is text 'Globex Corporation', not a mapping, so it has no 'name'"
    assert _error(path, ["competitors=[acme"]).startswith("--set competitors=[acme: the value is not valid YAML")
    assert _error(path, ["segmnt=smb"]) == "--set segmnt=smb: unknown field 'segmnt' (did you mean 'segment'?)"
    assert _error(path, ["company=[1, 2]"]) == \
        "--set company=[1, 2]: 'company' must be text, found a list (quote it in the file)"


def test_top_level_must_be_a_mapping(folder):
    write_text(folder / "list.yaml", "- company: A\n")
    assert _error("list.yaml") == \
        "list.yaml:1: a prospect must be a mapping of fields (company, segment, ...), found a list"


def test_rows_without_lines_are_named_by_their_label(folder):
    with pytest.raises(ConfigError) as caught:
        prospect_from_data({"company": "A", "segment": "smb", "Industry": "x"}, base_dir=folder,
                           label="accounts.csv row 7")
    assert str(caught.value) == "accounts.csv row 7: unknown field 'Industry' (did you mean 'industry'?)"


def test_a_crm_export_given_as_one_prospect_points_to_batch(folder):
    export = write_text(folder / "accounts.csv", "Account Name,Segment\nGlobex,enterprise\n")
    with pytest.raises(InputFileError) as caught:
        load_prospect(export)
    message = str(caught.value)
    assert "a CSV export holds many prospects" in message and "build a deck per row with run_batch" in message


# --- where a logo may come from (deckgen.yaml `logos:`) ----------------------------------------

@pytest.fixture
def outside(tmp_path_factory):
    """A logo in a folder that is not the prospect's."""
    folder = tmp_path_factory.mktemp("elsewhere")
    Image.new("RGB", (10, 10), "red").save(folder / "logo.png")
    return folder / "logo.png"


def test_a_logo_outside_the_prospect_s_folder_is_refused_by_default(folder, outside):
    write_text(folder / "p.yaml", f"company: A\nsegment: smb\nlogo: {outside}\n")
    message = _error("p.yaml")
    assert message.startswith(f"p.yaml:3: logo file '{outside}' is outside the folders logos may be read "
                              "from (the current folder) (copy the logo into one of them, or add its folder to "
                              "'logos:' in deckgen.yaml)")
    assert "\n" not in message
    write_text(folder / "sub" / "q.yaml", "company: A\nsegment: smb\nlogo: ../logos/globex.png\n")
    assert "is outside the folders logos may be read from" in _error("sub/q.yaml")   # '..' out of its folder


def test_a_symlink_leading_out_of_the_folder_is_refused_and_one_inside_is_followed(folder, outside):
    (folder / "logos" / "escape.png").symlink_to(outside)
    (folder / "logos" / "alias.png").symlink_to(folder / "logos" / "globex.png")
    write_text(folder / "p.yaml", "company: A\nsegment: smb\nlogo: logos/escape.png\n")
    assert "p.yaml:3: logo file 'logos/escape.png' is outside the folders" in _error("p.yaml")
    write_text(folder / "p.yaml", "company: A\nsegment: smb\nlogo: logos/alias.png\n")
    assert load_prospect("p.yaml").logo == folder / "logos" / "globex.png"


def test_a_set_logo_must_be_under_the_current_folder(folder, outside):
    assert "--set logo=" in _error(None, ["company=A", "segment=smb", f"logo={outside}"])


def test_the_config_can_allow_a_folder_or_anywhere(folder, outside):
    write_text(folder / "p.yaml", f"company: A\nsegment: smb\nlogo: {outside}\n")
    assert load_prospect("p.yaml", logos=LogoPolicy(folders=(outside.parent,))).logo == outside
    assert load_prospect("p.yaml", logos=LogoPolicy(anywhere=True)).logo == outside
    other = LogoPolicy(folders=(folder / "logos",))
    with pytest.raises(ConfigError):
        load_prospect("p.yaml", logos=other)


def test_rows_of_an_export_follow_the_policy(folder, outside):
    row = {"company": "A", "segment": "smb", "logo": str(outside)}
    with pytest.raises(ConfigError, match="crm.csv row 2: logo file .* is outside the folders"):
        prospect_from_data(row, base_dir=folder, label="crm.csv row 2")
    assert prospect_from_data(row, base_dir=folder, label="crm.csv row 2",
                              logos=LogoPolicy(anywhere=True)).logo == outside

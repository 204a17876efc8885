"""Tests of deckgen.yamlio: YAML/JSON read with the line of every key and item, and problem reports."""
from __future__ import annotations

import datetime

import pytest

from conftest import write_text
from deckgen.errors import ConfigError
from deckgen.problems import Location, Problem, Problems, raise_problems
from deckgen.yamlio import LineDict, load_file


def test_keys_and_items_know_their_lines(tmp_path):
    path = write_text(tmp_path / "recipe.yaml", """
        name: First call
        sections:
          - name: opening
            slides: [title, agenda]
          - name: proof
            select:
              kind: case-study
        """)
    data = load_file(path)
    label = path.as_posix()
    assert data.where("sections") == Location(label, 2)
    sections = data["sections"]
    assert sections.where(1) == Location(label, 5)
    assert sections[1]["select"].where("kind") == Location(label, 7)
    assert sections[0]["slides"].where(1) == Location(label, 4)


def test_paths_inside_the_current_folder_are_shown_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_text(tmp_path / "recipes" / "r.yaml", "a: 1\nb: 2\n")
    assert load_file(path).where("b") == Location("recipes/r.yaml", 2)


def test_yaml_syntax_error_names_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "bad.yaml", """
        name: x
        sections:
          - name: a
            slides: [title
        other: 1
        """)
    with pytest.raises(ConfigError) as caught:
        load_file("bad.yaml")
    assert str(caught.value).startswith("bad.yaml:5: invalid YAML:")


def test_duplicate_keys_are_an_error_naming_both_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "dup.yaml", "company: A\nsegment: smb\ncompany: B\n")
    with pytest.raises(ConfigError) as caught:
        load_file("dup.yaml")
    assert str(caught.value) == "dup.yaml:3: invalid YAML: duplicate key 'company' (first at line 1)"


def test_dates_are_dates_and_impossible_dates_stay_text(tmp_path):
    data = load_file(write_text(tmp_path / "d.yaml", "good: 2027-05-01\nbad: 2027-13-01\n"))
    assert data["good"] == datetime.date(2027, 5, 1)
    assert data["bad"] == "2027-13-01"


def test_json_keeps_lines_when_it_reads_as_yaml(tmp_path):
    path = write_text(tmp_path / "p.json", '{\n  "company": "Globex",\n  "competitors": ["acme", "initech"]\n}\n')
    data = load_file(path)
    assert data == {"company": "Globex", "competitors": ["acme", "initech"]}
    assert data.where("competitors").line == 3


def test_json_with_tabs_loads_with_lines(tmp_path):
    path = write_text(tmp_path / "p.json", '{\n\t"company": "Globex"\n}\n')
    data = load_file(path)
    assert data == {"company": "Globex"}
    assert data.where("company") == Location(path.as_posix(), 2)


def test_invalid_json_names_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "p.json", '{\n  "segment": "smb",\n  "company" "Globex"\n}\n')
    with pytest.raises(ConfigError) as caught:
        load_file("p.json")
    assert str(caught.value) == "p.json:3: invalid JSON: Expecting ':' delimiter"


def test_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_file("nope.yaml")
    assert str(caught.value) == "nope.yaml: file not found"


def test_unknown_keys_get_a_did_you_mean_hint():
    mapping = LineDict({"selct": 1, "zzz": 2}, file="r.yaml", line=1, key_lines={"selct": 4, "zzz": 5})
    problems = Problems()
    problems.unknown_keys(mapping, ["select", "slides"])
    assert [str(p) for p in problems.errors] == [
        "r.yaml:4: unknown key 'selct' (did you mean 'select'?)",
        "r.yaml:5: unknown key 'zzz' (known keys: select, slides)",
    ]


def test_raise_problems_lists_errors_in_file_order_and_ignores_warnings():
    problems = [Problem("error", Location("b.yaml", 3), "third"), Problem("warning", Location("a.yaml", 1), "just a warning"),
                Problem("error", Location("a.yaml", 10), "second"), Problem("error", Location("a.yaml", 2), "first", "fix it")]
    with pytest.raises(ConfigError) as caught:
        raise_problems(problems, "invalid things")
    assert str(caught.value) == ("invalid things (3 problems):\n  a.yaml:2: first (fix it)\n"
                                 "  a.yaml:10: second\n  b.yaml:3: third")
    assert [str(p) for p in caught.value.problems] == ["a.yaml:2: first (fix it)", "a.yaml:10: second", "b.yaml:3: third"]


def test_a_single_problem_is_one_line():
    with pytest.raises(ConfigError) as caught:
        raise_problems([Problem("error", Location("a.yaml", 2), "broken", "mend it")], "ignored summary")
    assert str(caught.value) == "a.yaml:2: broken (mend it)"
    raise_problems([Problem("warning", Location("a.yaml", 2), "only a warning")], "nothing raised")

"""Tests of deckgen.config: finding deckgen.yaml and validating it with every problem at once."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_text
from deckgen.config import DEFAULT_FILENAME, ProjectConfig, find_project, load_config, project_config
from deckgen.errors import ConfigError


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with library, recipes and prospects folders (the current directory)."""
    for name in ("slide_library", "recipes", "prospects", "deep/er/still"):
        (tmp_path / name).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


GOOD = """
    library: slide_library
    recipes: recipes
    prospects: prospects
    output: out/decks
    brand:
      fonts: [Montserrat, Arial]
      colors: ["1f3a5f", "#F26B3A"]
    batch:
      filename: "{{ prospect.company | slug }}.pptx"
      columns:
        "Account Name": company
        "Employees": values.employees
      workers: 2
    """


def test_find_project_walks_up_from_a_subfolder(project):
    write_text(project / "deckgen.yaml", GOOD)
    assert find_project(project / "deep" / "er" / "still") == project / "deckgen.yaml"
    assert find_project() == project / "deckgen.yaml"


def test_find_project_returns_none_outside_a_project(project):
    assert find_project(project / "deep") is None
    with pytest.raises(ConfigError) as caught:      # no deckgen.yaml and no slide_library/: no project
        project_config(project / "deep")
    assert caught.value.code == "no-project"
    (project / "deep" / "slide_library").mkdir()    # a library folder alone is a project with defaults
    defaults = project_config(project / "deep")
    assert (defaults.file, defaults.library, defaults.recipes) == (
        None, project / "deep" / "slide_library", project / "deep" / "recipes")


def test_valid_config_has_absolute_paths_and_normalised_values(project, monkeypatch):
    write_text(project / "deckgen.yaml", GOOD)
    monkeypatch.chdir(project / "deep")
    config = project_config()
    assert config.root == project
    assert config.library == project / "slide_library"
    assert config.output == project / "out" / "decks"
    assert config.brand.colors == ("1F3A5F", "F26B3A")
    assert config.brand.fonts == ("Montserrat", "Arial")
    assert dict(config.batch.columns) == {"Account Name": "company", "Employees": "values.employees"}
    assert config.batch.workers == 2


def test_minimal_config_uses_defaults(project):
    write_text(project / "deckgen.yaml", "# nothing set\n")
    config = load_config(project / "deckgen.yaml")
    assert config.recipes == project / "recipes"
    assert config.batch.filename == DEFAULT_FILENAME
    assert config.batch.workers is None


def test_every_problem_is_reported_once_with_its_line(project):
    write_text(project / "deckgen.yaml", """
        library: slide_library
        recipes: recipez
        output: 3
        brand:
          colors: ["1F3A5F", "zz", 123456]
        batch:
          filename: "{{ prospect.company | slug }-x.pptx"
          columns:
            "Emp": valuez.employees
          workerz: 3
        palette: {}
        """)
    with pytest.raises(ConfigError) as caught:
        load_config("deckgen.yaml")
    assert str(caught.value) == (
        "deckgen.yaml: invalid project config (8 problems):\n"
        f"  deckgen.yaml:2: recipes folder 'recipez' not found (looked for {project / 'recipez'})\n"
        "  deckgen.yaml:3: 'output' must be a folder path, found the number 3\n"
        "  deckgen.yaml:5: brand colour 'zz' is not a quoted hex colour (write six hex digits in quotes, e.g. \"1F3A5F\")\n"
        "  deckgen.yaml:5: brand colour 123456 is not a quoted hex colour (write six hex digits in quotes, e.g. \"1F3A5F\")\n"
        "  deckgen.yaml:7: 'batch.filename' is not a valid template: unexpected '}'\n"
        "  deckgen.yaml:9: column 'Emp' maps to unknown prospect field 'valuez' (did you mean 'values'?)\n"
        "  deckgen.yaml:10: unknown key 'workerz' in 'batch' (did you mean 'workers'?)\n"
        "  deckgen.yaml:11: unknown key 'palette' (known keys: library, recipes, prospects, output, message_map, brand, batch, "
        "example_prospect, serve, scoreboard, logos)")


def test_config_must_be_a_mapping(project):
    write_text(project / "deckgen.yaml", "- library\n")
    with pytest.raises(ConfigError) as caught:
        load_config("deckgen.yaml")
    assert str(caught.value) == ("deckgen.yaml:1: the project config must be a mapping (library: ..., recipes: ...), "
                                 "found a list")


def test_with_folders_replaces_only_what_is_given(project):
    config = ProjectConfig.defaults(project)
    moved = config.with_folders(library="elsewhere")
    assert moved.library == project / "elsewhere"
    assert moved.recipes == config.recipes


def test_serve_tokens_in_deckgen_yaml_must_be_long(tmp_path: Path) -> None:
    (tmp_path / "slide_library").mkdir()
    (tmp_path / "recipes").mkdir()
    (tmp_path / "deckgen.yaml").write_text("serve:\n  tokens:\n    crm: short\n")
    with pytest.raises(ConfigError, match=r"deckgen.yaml:3: the token of 'crm' must be text of at least 16"):
        load_config(tmp_path / "deckgen.yaml")


def test_logos_policy_is_inside_by_default_and_checked(project, tmp_path_factory):
    write_text(project / "deckgen.yaml", "library: slide_library\n")
    config = load_config("deckgen.yaml")
    assert not config.logos.anywhere and config.logos.folders == (project / "prospects",)
    shared = tmp_path_factory.mktemp("shared-logos")
    write_text(project / "deckgen.yaml", f"library: slide_library\nlogos: [{shared}, deep/er]\n")
    assert load_config("deckgen.yaml").logos.folders == (project / "prospects", shared, project / "deep" / "er")
    write_text(project / "deckgen.yaml", "library: slide_library\nlogos: anywhere\n")
    assert load_config("deckgen.yaml").logos.anywhere
    write_text(project / "deckgen.yaml", "library: slide_library\nlogos: anywere\n")
    with pytest.raises(ConfigError) as caught:
        load_config("deckgen.yaml")
    assert str(caught.value) == ("deckgen.yaml:2: 'logos' must be one of inside, anywhere, or a list of "
                                 "folders, found text 'anywere' (did you mean 'anywhere'?)")
    write_text(project / "deckgen.yaml", "library: slide_library\nlogos: [missing, /]\n")
    with pytest.raises(ConfigError) as caught:
        load_config("deckgen.yaml")
    assert "logos folder 'missing' not found" in str(caught.value)
    assert "logos folder '/' is the whole file system" in str(caught.value)

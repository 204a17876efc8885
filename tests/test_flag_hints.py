"""The core names no command-line flags; the CLI adds the flag that fixes an error (FLAG_HINTS by code)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.config import project_config
from deckgen.errors import ConfigError, DeckgenError, InputFileError
from deckgen.ops.executors import LocalExecutor, make_executor
from deckgen.pipeline.workspace import Workspace
from deckgen.prospect import load_prospect


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _core_error(call, *args, **kwargs) -> DeckgenError:
    with pytest.raises(DeckgenError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_a_missing_field_names_no_flag_in_the_core_and_the_set_option_in_the_cli(example_project):
    error = _core_error(load_prospect, None, ["segment=smb"])
    assert str(error) == "--set: missing required field 'company' (add 'company: ...')"   # '--set' names the input
    result = _run("plan", "first-call", "--set", "segment=smb")
    assert result.exit_code == 1
    assert result.stderr == ("error: --set: missing required field 'company' "
                             "(pass --set company=... or add 'company: ...')\n")


def test_a_crm_export_as_the_prospect_points_the_cli_user_to_batch(example_project):
    error = _core_error(load_prospect, "prospects/crm-export.csv")
    assert isinstance(error, InputFileError) and " --" not in str(error)
    assert "build a deck per row with run_batch" in str(error)
    result = _run("plan", "first-call", "-p", "prospects/crm-export.csv")
    assert result.exit_code == 1
    assert "(build a deck per row with `deckgen batch RECIPE --prospects prospects/crm-export.csv -o DIR`, " \
           "or write the prospect as YAML or JSON)" in result.stderr


def test_the_template_look_without_a_template_names_the_look_flag_only_in_the_cli(example_project):
    config = Path("deckgen.yaml")
    config.write_text(config.read_text(encoding="utf-8").replace("  template: brand/northwind.potx", ""),
                      encoding="utf-8")
    error = _core_error(Workspace(project_config()).template_for, "template")
    assert str(error) == ("deckgen.yaml: the template look needs a corporate template "
                          "(set brand.template: PATH.potx in deckgen.yaml)")
    result = _run("build", "service-renewal", "-p", "prospects/bluth.yaml", "-o", "out.pptx", "--look", "template")
    assert result.exit_code == 1
    assert result.stderr == ("error: deckgen.yaml: the template look needs a corporate template "
                             "(pass --look source or set brand.template: PATH.potx in deckgen.yaml)\n")
    assert not Path("out.pptx").exists()


def test_executor_settings_name_no_flag_in_the_core_and_the_flags_in_the_cli(example_project):
    for call, kwargs in ((make_executor, {"kind": "local", "scheduler": "tcp://h:8786"}),
                         (make_executor, {"kind": "dask", "jobs": 2, "scheduler": "tcp://h:8786"}),
                         (make_executor, {"kind": "dask"}),
                         (LocalExecutor, {"workers": 0})):
        error = _core_error(call, **kwargs)
        assert isinstance(error, ConfigError) and "--" not in str(error), str(error)
    result = _run("batch", "first-call", "--prospects", "prospects/crm-export.csv", "-o", "out",
                  "--scheduler", "tcp://h:8786")
    assert result.exit_code == 1
    assert result.stderr == ("error: a scheduler address is only used with the dask executor "
                             "(pass --executor dask, or drop --scheduler)\n")
    result = _run("batch", "first-call", "--prospects", "prospects/crm-export.csv", "-o", "out",
                  "--executor", "dask", "--jobs", "2", "--scheduler", "tcp://h:8786")
    assert result.exit_code == 1 and "(drop --jobs)" in result.stderr
    assert not Path("out").exists()

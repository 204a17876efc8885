"""Tests of the executors: in-process, local process pool and Dask build the same decks, byte for byte."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.ops.batch import run_batch
from deckgen.pipeline.workspace import Workspace
from deckgen.ops.executors import DaskExecutor, LocalExecutor, make_executor
from deckgen.ops.rebuild import run_rebuild
from deckgen.errors import ConfigError, DeckgenError
from incremental_project import (GOOD_DECKS, USES_BATTLE_INITECH, assert_manifest_consistent, make_project,
                                 manifest, set_slide_text)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")     # executors are compared byte for byte
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    return root


def outputs(folder: Path) -> dict[str, str]:
    """{deck: output hash} from the manifest, after checking it matches the files."""
    assert_manifest_consistent(folder)
    return {name: entry["record"]["output"] for name, entry in manifest(folder)["decks"].items()}


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_builds_the_same_decks_as_the_process_pool(project, dask_cluster):
    pool = run_batch("first-call", "prospects/accounts.csv", project / "pool", jobs=2)
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/accounts.csv", "-o", "dask",
                                       "--executor", "dask", "--scheduler", dask_cluster])
    assert result.exit_code == 1, result.output              # the bad row fails there too
    assert "5 decks built, 0 up to date, 1 failed" in result.output
    assert sorted(pool.built) == GOOD_DECKS
    assert outputs(project / "dask") == outputs(project / "pool")
    for name in GOOD_DECKS:
        assert (project / "dask" / name).read_bytes() == (project / "pool" / name).read_bytes()


def test_dask_rebuilds_the_same_decks_as_the_process_pool(project, dask_cluster):
    run_batch("first-call", "prospects/accounts.csv", project / "pool", jobs=1)
    run_batch("first-call", "prospects/accounts.csv", project / "dask", jobs=1)
    set_slide_text(project / "slide_library" / "battle.pptx", "Why not Initech", "Initech can't scale")
    by_pool = run_rebuild(project / "pool", jobs=2)
    by_dask = run_rebuild(project / "dask", executor_kind="dask", scheduler=dask_cluster)
    assert sorted(by_pool.built) == sorted(by_dask.built) == USES_BATTLE_INITECH
    assert outputs(project / "dask") == outputs(project / "pool")


def test_process_pool_and_in_process_builds_give_the_same_bytes(project):
    run_batch("first-call", "prospects/accounts.csv", project / "inline", jobs=1)
    run_batch("first-call", "prospects/accounts.csv", project / "pool", jobs=2)
    assert outputs(project / "inline") == outputs(project / "pool")


def test_missing_distributed_names_the_extra(project, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)      # import fails as if not installed
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/accounts.csv", "-o", "out",
                                       "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 1
    assert result.output == ("error: the dask executor needs the 'distributed' package "
                             "(install it with: pip install 'deckgen[dask]')\n")


def test_executor_options_that_do_not_fit_are_refused():
    assert isinstance(make_executor("local", jobs=3), LocalExecutor)
    assert make_executor("local", jobs=3).workers == 3
    assert isinstance(make_executor("dask", scheduler="tcp://h:8786"), DaskExecutor)
    with pytest.raises(ConfigError, match="a scheduler address is only used with the dask executor"):
        make_executor("local", scheduler="tcp://h:8786")
    with pytest.raises(ConfigError, match="a number of build workers is only used with the local executor"):
        make_executor("dask", jobs=2, scheduler="tcp://h:8786")
    with pytest.raises(ConfigError, match=r"needs a scheduler address \(give the tcp://HOST:8786 address"):
        make_executor("dask")


def test_workers_default_to_the_config_then_the_cpu_count(project):
    (project / "deckgen.yaml").write_text((project / "deckgen.yaml").read_text()
                                          .replace("batch:\n", "batch:\n  workers: 3\n"))
    assert make_executor("local", workspace=Workspace.discover()).workers == 3


def test_an_unreachable_scheduler_is_one_clear_error(project):
    pytest.importorskip("distributed")
    with pytest.raises(DeckgenError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_batch("first-call", "prospects/accounts.csv", project / "out",
                  executor=DaskExecutor("tcp://127.0.0.1:9", connect_timeout=1))

"""The scoreboard on a team database: a real PostgreSQL server, started for this test module.

A server is taken from $DECKGEN_TEST_POSTGRES_URL when set; otherwise a throwaway one is made with
initdb and pg_ctl (from PATH, `pg_config --bindir`, or Debian's per-version folders), listening on
a Unix socket only. Without PostgreSQL installed the tests skip, unless $DECKGEN_REQUIRE_POSTGRES
is set (CI sets it: there, a skip would hide a broken team database).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from test_scoreboard import assert_hand_count, batch_rebuild_import, report_json, run


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if bindir and (Path(bindir) / "pg_ctl").is_file():
            return Path(bindir)
    # Debian/Ubuntu keep server programs off PATH, one folder per major version (postgresql-common)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _unavailable(reason: str) -> None:
    if os.environ.get("DECKGEN_REQUIRE_POSTGRES"):
        pytest.fail(f"PostgreSQL is required here ($DECKGEN_REQUIRE_POSTGRES) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres_url():
    given = os.environ.get("DECKGEN_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bindir = _bindir()
    if bindir is None:
        _unavailable("no PostgreSQL server programs (initdb, pg_ctl) are installed")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="deckgen-pg-"))
    if os.geteuid() == 0:     # initdb refuses to run as root: run the server as the postgres user
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder)
            _unavailable("running as root and there is no 'postgres' user to run the server")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = "54329"
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "deckgen", "--auth=trust",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True, timeout=120)
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l",
                        str(folder / "server.log"), "-o", f"-k {folder} -c listen_addresses='' -p {port} -F",
                        "start"], check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"a PostgreSQL server could not be started: {getattr(exc, 'stderr', b'')!r} {log[-500:]}")
    try:
        yield f"postgresql://deckgen@/postgres?host={folder}&port={port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_project(example_project: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> Path:
    """The example project logging to the PostgreSQL server, in tables emptied first."""
    import sqlalchemy as sa

    from deckgen.config import database_url
    from deckgen.scoreboard.store import metadata

    url = database_url(postgres_url, example_project)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
    engine.dispose()
    monkeypatch.setenv("DECKGEN_SCOREBOARD", postgres_url)
    monkeypatch.setenv("DECKGEN_USER", "ana")
    return example_project


def test_report_on_postgresql_matches_the_hand_count(pg_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_rebuild_import(pg_project, monkeypatch)
    assert not (pg_project / ".deckgen").exists()          # nothing went to the SQLite default
    assert_hand_count(pg_project, report_json("--min-sample", "1"))


def test_postgresql_reimport_changes_nothing_and_show_reads_it(pg_project: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    batch_rebuild_import(pg_project, monkeypatch)
    code, out, _ = run("outcomes", "import", "crm/won-lost.csv")
    assert "(0 new, 0 updated, 5 unchanged)" in out
    code, out, _ = run("library", "show", "title", "--min-sample", "3")
    assert code == 0 and "  usage:    8 decks in the window, 8 ever" in out
    assert "2 won of 3 decided opportunities, win rate 67%" in out


def test_an_unreachable_server_is_one_line(example_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECKGEN_SCOREBOARD", "postgresql://nobody@/postgres?host=/nonexistent&port=1")
    code, out, err = run("report", "--format", "json")
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("error: $DECKGEN_SCOREBOARD: cannot open the scoreboard database "
                          "postgresql+psycopg://nobody@/postgres?")
    code, out, err = run("build", "first-call", "-p", "prospects/globex.yaml", "-o", "build/g.pptx")
    assert code == 0 and (example_project / "build/g.pptx").is_file()
    assert err.startswith("warning: build/g.pptx: decks are built but not logged: $DECKGEN_SCOREBOARD: cannot open")

"""Where the scoreboard database is, its schema version and how long a writer waits (no SQLAlchemy: builds import this)."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

from deckgen.config import ProjectConfig, database_url

ENV_DATABASE = "DECKGEN_SCOREBOARD"     # overrides scoreboard.database: a path, a URL, or "off"
LOCK_TIMEOUT = 15.0                     # seconds a writer waits for another one (SQLite busy timeout)
SCHEMA_VERSION = 2                      # the number of migrations in deckgen.scoreboard.store


def configured_url(config: ProjectConfig) -> str | None:
    """Return the database URL of the project ($DECKGEN_SCOREBOARD, else scoreboard.database), or None
    when the deck log is off."""
    override = os.environ.get(ENV_DATABASE)
    if override is not None and override.strip():
        return None if override.strip().lower() in ("off", "false", "0") else database_url(override.strip(), Path.cwd())
    return config.scoreboard.database


def setting_name(config: ProjectConfig) -> str:
    """Return where the database was chosen, for messages ("deckgen.yaml:14" or the variable)."""
    if os.environ.get(ENV_DATABASE, "").strip():
        return f"${ENV_DATABASE}"
    return config.scoreboard.setting


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL without options, else None (an in-memory database, a
    server, or a URL only SQLAlchemy can interpret)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = unquote(url[len(prefix):])
    return Path(path) if path and path != ":memory:" else None

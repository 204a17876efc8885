"""The scoreboard database: its tables, the ordered schema migrations, and opening it (SQLite or PostgreSQL)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from deckgen.config import ProjectConfig
from deckgen.errors import ConfigError, DeckgenError
from deckgen.scoreboard import database
from deckgen.scoreboard.database import configured_url

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

events = sa.Table(
    "deck_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_uid", sa.String(32), nullable=False, unique=True),   # re-sending an event is a no-op
    sa.Column("at", sa.DateTime, nullable=False, index=True),             # UTC
    sa.Column("kind", sa.String(16), nullable=False),                     # build | batch | rebuild | serve
    sa.Column("run_uid", sa.String(32), nullable=False),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("recipe", sa.String(200), nullable=False),
    sa.Column("company", sa.String(300), nullable=False),                 # the name, or its hash (privacy)
    sa.Column("account_key", sa.String(300), nullable=False, index=True),  # how outcomes find the deck
    sa.Column("crm_id", sa.String(200), index=True),
    sa.Column("segment", sa.String(200)),
    sa.Column("industry", sa.String(200)),
    sa.Column("output_path", sa.String(1000), nullable=False),
    sa.Column("output_hash", sa.String(64), nullable=False),
    sa.Column("deckgen_version", sa.String(32), nullable=False),
)

event_tags = sa.Table(     # the prospect's competitors and objections, one row each
    "deck_event_tags", metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("deck_events.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("tag", sa.String(32), nullable=False),                      # competitor | objection
    sa.Column("value", sa.String(200), nullable=False),
)

event_slides = sa.Table(
    "deck_event_slides", metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("deck_events.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("position", sa.Integer, nullable=False),                    # 1-based place in the deck
    sa.Column("slide_key", sa.String(200), nullable=False, index=True),
    sa.Column("module", sa.String(200), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
)

opportunities = sa.Table(
    "opportunities", metadata,
    sa.Column("opportunity_id", sa.String(200), primary_key=True),
    sa.Column("account", sa.String(300), nullable=False),
    sa.Column("account_key", sa.String(300), nullable=False, index=True),
    sa.Column("account_id", sa.String(200), index=True),
    sa.Column("stage", sa.String(200), nullable=False),
    sa.Column("result", sa.String(8), nullable=False),                    # won | lost | open
    sa.Column("amount", sa.Float),
    sa.Column("close_date", sa.Date),
    sa.Column("source", sa.String(1000), nullable=False),                 # file:line it came from
    sa.Column("imported_at", sa.DateTime, nullable=False),
)


slide_months = sa.Table(   # one row per slide, month and deck: usage figures without scanning every use
    "deck_slide_months", metadata,
    sa.Column("slide_key", sa.String(200), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),                   # "YYYY-MM" (UTC)
    sa.Column("output_path", sa.String(1000), primary_key=True),
    sa.Column("first_at", sa.DateTime, nullable=False),                   # the deck's first and last
    sa.Column("last_at", sa.DateTime, nullable=False, index=True),        # build with the slide that month
)


def _create_v1(connection: Connection) -> None:
    for table in (events, event_tags, event_slides, opportunities):
        table.create(connection, checkfirst=True)


def _add_slide_months(connection: Connection) -> None:
    """v2: the per-month summary of slide use, filled from the events already logged."""
    slide_months.create(connection, checkfirst=True)
    month = (sa.func.to_char(events.c.at, "YYYY-MM") if connection.dialect.name == "postgresql"
             else sa.func.substr(events.c.at, 1, 7))
    logged = (sa.select(event_slides.c.slide_key, month, events.c.output_path, sa.func.min(events.c.at),
                        sa.func.max(events.c.at))
              .select_from(event_slides.join(events, events.c.id == event_slides.c.event_id))
              .group_by(event_slides.c.slide_key, month, events.c.output_path))
    connection.execute(slide_months.insert().from_select(
        ["slide_key", "month", "output_path", "first_at", "last_at"], logged))


# Ordered schema steps: step N brings a database from version N-1 to N. Never edit a released
# step; add the next one (a new column, an index) instead.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_create_v1, _add_slide_months)
SCHEMA_VERSION = len(MIGRATIONS)
assert SCHEMA_VERSION == database.SCHEMA_VERSION, "deckgen.scoreboard.database.SCHEMA_VERSION is out of date"


class ScoreboardError(DeckgenError):
    """The scoreboard database cannot be opened, written or read."""


class NewerSchemaError(Exception):
    """The database was migrated by a newer deckgen than this one."""

    def __init__(self, version: int):
        super().__init__(version)
        self.version = version


def connect(url: str, setting: str) -> Engine:
    """Return an engine for ``url`` whose schema is migrated to SCHEMA_VERSION.

    SQLite files get WAL mode (readers never block the writer) and a busy timeout, so builds
    running at once take turns instead of failing. Raises ScoreboardError naming ``setting``.
    """
    is_sqlite = url.startswith("sqlite")
    try:
        if is_sqlite:
            _make_sqlite_folder(url, setting)
            engine = sa.create_engine(url, connect_args={"timeout": database.LOCK_TIMEOUT})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling defers BEGIN; emit it ourselves, IMMEDIATE for
            # writers, so two processes cannot both read and then fail to upgrade to a write lock
            sa.event.listen(engine, "connect", lambda dbapi, _: setattr(dbapi, "isolation_level", None))
            sa.event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
    except (ImportError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise ScoreboardError(f"cannot use the scoreboard database {_safe(url)} ({exc})", where=setting,
                              hint="use a file path or a postgresql://user@host/db URL") from exc
    try:
        migrate(engine)
    except NewerSchemaError as exc:
        engine.dispose()
        raise ScoreboardError(f"the scoreboard database has schema version {exc.version}, newer than this "
                              f"deckgen knows ({SCHEMA_VERSION})", where=setting, hint="upgrade deckgen") from exc
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise ScoreboardError(f"cannot open the scoreboard database {_safe(url)} ({_reason(exc)})",
                              where=setting, hint=_hint(url)) from exc
    return engine


def migrate(engine: Engine) -> int:
    """Apply the migrations the database lacks, one process at a time; return the schema version."""
    with writing(engine) as connection:
        if connection.dialect.name == "postgresql":
            # two first runs at once must not both create the tables
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7301)")
        schema_version.create(connection, checkfirst=True)
        current = connection.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
        if current > SCHEMA_VERSION:
            raise NewerSchemaError(current)
        for version in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version - 1](connection)
            connection.execute(schema_version.insert().values(version=version))
    return SCHEMA_VERSION


def writing(engine: Engine):
    """Return a transaction context for writes (on SQLite it takes the write lock up front)."""
    return engine.execution_options(deckgen_write=True).begin()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get("deckgen_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: a crash loses no committed event
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _make_sqlite_folder(url: str, setting: str) -> None:
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:":
        return
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScoreboardError(f"cannot create the folder of the scoreboard database {path} "
                              f"({exc.strerror or exc})", where=setting,
                              hint="set scoreboard.database in deckgen.yaml to a path you can write") from exc


def _safe(url: str) -> str:
    """The URL without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _reason(exc: sa.exc.SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc)
    return " ".join(text.split())[:300]


def _hint(url: str) -> str:
    if url.startswith("sqlite"):
        return "set scoreboard.database in deckgen.yaml to a file you can write, or false to log nothing"
    return "check the server address, user and password in scoreboard.database"


def require_url(config: ProjectConfig) -> str:
    """Return the configured database URL, or raise ConfigError when the deck log is off."""
    url = configured_url(config)
    if url is None:
        where = str(config.file) if config.file else "deckgen.yaml"
        raise ConfigError("the scoreboard is off (no database)", where=where,
                          hint="set scoreboard.database in deckgen.yaml, or run inside a deckgen project")
    return url


def write_event(connection: Connection, event: dict[str, Any], tags: list[dict[str, Any]],
                slides: list[dict[str, Any]], months: list[dict[str, Any]]) -> int:
    """Insert one event's rows (``deckgen.scoreboard.log.event_rows``) inside the caller's
    transaction; return the event's id."""
    event_id = connection.execute(events.insert().values(**event)).inserted_primary_key[0]
    if tags:
        connection.execute(event_tags.insert(), [{"event_id": event_id, **tag} for tag in tags])
    if slides:
        connection.execute(event_slides.insert(), [{"event_id": event_id, **slide} for slide in slides])
    if months:
        connection.execute(_summary_upsert(connection), months)
    return event_id


def _summary_upsert(connection: Connection):
    """Insert a slide-month-deck row, or widen its first/last build times (a deck rebuilt that month)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(slide_months)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[slide_months.c.slide_key, slide_months.c.month, slide_months.c.output_path],
        set_={"first_at": sa.case((new.first_at < slide_months.c.first_at, new.first_at),
                                  else_=slide_months.c.first_at),
              "last_at": sa.case((new.last_at > slide_months.c.last_at, new.last_at), else_=slide_months.c.last_at)})

"""The deck log: one event per deck built (who, when, recipe, prospect, each slide, the output), never failing a build."""
from __future__ import annotations

import datetime
import getpass
import hashlib
import os
import sqlite3
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from deckgen import __version__
from deckgen.config import ProjectConfig
from deckgen.errors import DeckgenError
from deckgen.prospect import Prospect
from deckgen.scoreboard.database import configured_url, setting_name, sqlite_file
from deckgen.scoreboard.sqlite_events import SqliteEvents

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

ENV_USER = "DECKGEN_USER"
KINDS = ("build", "batch", "rebuild", "serve")


def account_key(name: str, hashed: bool) -> str:
    """Return how a prospect or CRM account name is matched: case and spacing ignored, hashed when
    the privacy switch is on (so outcomes still find the decks of a hashed account)."""
    normal = " ".join(name.casefold().split())
    return private_name(normal) if hashed else normal


def private_name(text: str) -> str:
    """Return the stored form of a name under scoreboard.hash_prospect_names."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def current_user(config: ProjectConfig) -> str:
    """Return who is building: $DECKGEN_USER, else scoreboard.user in deckgen.yaml, else the login name."""
    explicit = os.environ.get(ENV_USER, "").strip()
    if explicit:
        return explicit
    if config.scoreboard.user:
        return config.scoreboard.user
    try:
        return getpass.getuser()
    except (KeyError, OSError):     # no passwd entry (containers)
        return "unknown"


def utc_now() -> datetime.datetime:
    """Return the current UTC time without tzinfo (how every timestamp is stored)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class DeckLog:
    """Records the decks one run builds. Every failure (a locked, unwritable or unreachable
    database) becomes a warning: logging never fails a build."""

    def __init__(self, config: ProjectConfig, kind: str, who: str | None = None):
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        self.config = config
        self.kind = kind
        self.url = configured_url(config)
        self.run_uid = uuid.uuid4().hex
        self.who = who or current_user(config)     # `serve` names the token or signed-in user
        self.hashed = config.scoreboard.hash_prospect_names
        self.warnings: list[str] = []
        self.recorded = 0
        self._engine: Engine | None = None
        self._unusable = self.url is None
        self._sqlite_path = sqlite_file(self.url) if self.url else None
        self._sqlite: SqliteEvents | None = None

    def record(self, recipe: str, prospect: Prospect, output: str | os.PathLike, record: Mapping[str, Any],
               *, at: datetime.datetime | None = None) -> bool:
        """Log one built deck from its build record; return False (with a warning) when it could not be."""
        rows = event_rows(self.event_row(recipe, prospect, output, record, at or utc_now()), prospect, record)
        try:
            written = self._write_sqlite(rows)
            if not written:
                written = self._write_engine(rows)
        except (sqlite3.Error, OSError) as exc:
            written = self._failed(output, exc)
        except Exception as exc:     # SQLAlchemy's errors (imported only when it is used)
            if not _is_sqlalchemy_error(exc):
                raise
            written = self._failed(output, exc)
        self.recorded += written
        return written

    def _write_sqlite(self, rows: EventRows) -> bool:
        """Write through the standard library when the database is a current SQLite file: a build
        does not pay for loading SQLAlchemy (a third of a second)."""
        if self._sqlite is None and self._sqlite_path is not None:
            self._sqlite = SqliteEvents.open(self._sqlite_path)
            if self._sqlite is None:
                self._sqlite_path = None       # new or older: SQLAlchemy creates or migrates it
        if self._sqlite is None:
            return False
        self._sqlite.write(*rows)
        return True

    def _write_engine(self, rows: EventRows) -> bool:
        engine = self._open()
        if engine is None:
            return False
        from deckgen.scoreboard.store import write_event, writing
        with writing(engine) as connection:
            write_event(connection, *rows)
        return True

    def _failed(self, output: str | os.PathLike, exc: BaseException) -> bool:
        self._warn(f"{Path(output).name} was built but not recorded in the deck log ({_reason(exc)})")
        return False

    def event_row(self, recipe: str, prospect: Prospect, output: str | os.PathLike, record: Mapping[str, Any],
                  at: datetime.datetime) -> dict[str, Any]:
        """Return the deck_events row of one build."""
        path = Path(output).resolve().as_posix()
        return {
            "event_uid": uuid.uuid4().hex, "at": at, "kind": self.kind, "run_uid": self.run_uid,
            "who": self.who, "recipe": recipe,
            "company": private_name(prospect.company) if self.hashed else prospect.company,
            "account_key": account_key(prospect.company, self.hashed),
            "crm_id": prospect.crm_id, "segment": prospect.segment, "industry": prospect.industry,
            # a deck's file name usually carries the company name
            "output_path": private_name(path) if self.hashed else path,
            "output_hash": str(record.get("output", "")), "deckgen_version": __version__,
        }

    def close(self) -> None:
        """Release the database connection."""
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> DeckLog:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _open(self) -> Engine | None:
        if self._engine is None and not self._unusable:
            from deckgen.scoreboard.store import connect
            try:
                self._engine = connect(self.url, setting_name(self.config))
            except DeckgenError as exc:
                self._unusable = True
                self._warn(f"decks are built but not logged: {exc}")
        return self._engine

    def _warn(self, message: str) -> None:
        self.warnings.append(message)     # the caller shows them (the CLI as "warning: ...")


EventRows = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def event_rows(event: dict[str, Any], prospect: Prospect, record: Mapping[str, Any]) -> EventRows:
    """The rows one built deck adds: its event, tags (competitors, objections), slides, and the
    slide-month summary rows (the event's id is filled in by the writer)."""
    tags = [{"tag": "competitor", "value": value} for value in prospect.competitors]
    tags += [{"tag": "objection", "value": value} for value in prospect.objections]
    slides = [{"position": position, "slide_key": slide["key"], "module": slide.get("module", ""),
               "content_hash": slide.get("closure", "")}
              for position, slide in enumerate(record.get("slides", ()), start=1)]
    month = event["at"].strftime("%Y-%m")
    months = [{"slide_key": key, "month": month, "output_path": event["output_path"],
               "first_at": event["at"], "last_at": event["at"]}
              for key in sorted({slide["slide_key"] for slide in slides})]
    return event, tags, slides, months


def _is_sqlalchemy_error(exc: BaseException) -> bool:
    sqlalchemy = sys.modules.get("sqlalchemy")      # loaded only when the log went through it
    return sqlalchemy is not None and isinstance(exc, sqlalchemy.exc.SQLAlchemyError)


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None)
    return " ".join(str(original if original is not None else exc).split())[:200]

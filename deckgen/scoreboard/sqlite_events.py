"""Deck events written to the embedded SQLite scoreboard with the standard library, so a build never loads SQLAlchemy."""
from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path
from typing import Any

from deckgen.scoreboard import database

_EVENT_COLUMNS = ("event_uid", "at", "kind", "run_uid", "who", "recipe", "company", "account_key", "crm_id",
                  "segment", "industry", "output_path", "output_hash", "deckgen_version")
_INSERT_EVENT = (f"INSERT INTO deck_events ({', '.join(_EVENT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})")
_INSERT_TAG = "INSERT INTO deck_event_tags (event_id, tag, value) VALUES (?, ?, ?)"
_INSERT_SLIDE = ("INSERT INTO deck_event_slides (event_id, position, slide_key, module, content_hash) "
                 "VALUES (?, ?, ?, ?, ?)")
# a slide-month-deck row, or its first/last build times widened (a deck rebuilt that month)
_UPSERT_MONTH = ("INSERT INTO deck_slide_months (slide_key, month, output_path, first_at, last_at) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (slide_key, month, output_path) DO UPDATE SET "
                 "first_at = CASE WHEN excluded.first_at < deck_slide_months.first_at "
                 "THEN excluded.first_at ELSE deck_slide_months.first_at END, "
                 "last_at = CASE WHEN excluded.last_at > deck_slide_months.last_at "
                 "THEN excluded.last_at ELSE deck_slide_months.last_at END")


def stored_time(value: datetime.datetime) -> str:
    """A timestamp as SQLAlchemy's SQLite DateTime stores it, so both read each other's rows."""
    return value.isoformat(sep=" ", timespec="microseconds")


class SqliteEvents:
    """An open SQLite scoreboard whose schema is current; ``None`` from ``open`` when it is not
    (a new or older file: the SQLAlchemy layer creates or migrates it first)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    @classmethod
    def open(cls, path: Path) -> SqliteEvents | None:
        if not path.is_file():
            return None
        connection = sqlite3.connect(path, timeout=database.LOCK_TIMEOUT, isolation_level=None)
        try:
            version = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        except sqlite3.Error:
            version = None
        if version != database.SCHEMA_VERSION:
            connection.close()
            return None
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")     # WAL + NORMAL: a crash loses no committed event
        connection.execute("PRAGMA foreign_keys=ON")
        return cls(connection)

    def write(self, event: dict[str, Any], tags: list[dict[str, Any]], slides: list[dict[str, Any]],
              months: list[dict[str, Any]]) -> None:
        """Insert one event with its tags, slides and month summary in one transaction."""
        db = self.connection
        db.execute("BEGIN IMMEDIATE")      # the write lock up front: two builds take turns
        try:
            event_id = db.execute(_INSERT_EVENT, [_value(event[column]) for column in _EVENT_COLUMNS]).lastrowid
            db.executemany(_INSERT_TAG, [(event_id, tag["tag"], tag["value"]) for tag in tags])
            db.executemany(_INSERT_SLIDE, [(event_id, s["position"], s["slide_key"], s["module"], s["content_hash"])
                                           for s in slides])
            db.executemany(_UPSERT_MONTH, [(m["slide_key"], m["month"], m["output_path"], stored_time(m["first_at"]),
                                            stored_time(m["last_at"])) for m in months])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


def _value(value: Any) -> Any:
    return stored_time(value) if isinstance(value, datetime.datetime) else value

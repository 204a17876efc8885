"""The deck log: one event per deck built (who, when, recipe, prospect, each slide, the output), never failing a build."""
from __future__ import annotations

import datetime
import getpass
import hashlib
import os
import uuid
from pathlib import Path
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from deckgen import __version__
from deckgen.config import ProjectConfig
from deckgen.errors import DeckgenError
from deckgen.prospect import Prospect
from deckgen.scoreboard.store import (configured_url, connect, event_slides, event_tags, events, setting_name,
                                      slide_months, writing)

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

    def record(self, recipe: str, prospect: Prospect, output: str | os.PathLike, record: Mapping[str, Any],
               *, at: datetime.datetime | None = None) -> bool:
        """Log one built deck from its build record; return False (with a warning) when it could not be."""
        engine = self._open()
        if engine is None:
            return False
        try:
            with writing(engine) as connection:
                write_event(connection, self.event_row(recipe, prospect, output, record, at or utc_now()),
                            prospect, record)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            self._warn(f"{Path(output).name} was built but not recorded in the deck log "
                       f"({_reason(exc)})")
            return False
        self.recorded += 1
        return True

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
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> DeckLog:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _open(self) -> Engine | None:
        if self._engine is None and not self._unusable:
            try:
                self._engine = connect(self.url, setting_name(self.config))
            except DeckgenError as exc:
                self._unusable = True
                self._warn(f"decks are built but not logged: {exc}")
        return self._engine

    def _warn(self, message: str) -> None:
        self.warnings.append(message)     # the caller shows them (the CLI as "warning: ...")


def write_event(connection: sa.engine.Connection, row: Mapping[str, Any], prospect: Prospect,
                record: Mapping[str, Any]) -> int:
    """Insert one event with its tags and slides inside the caller's transaction; return its id."""
    event_id = connection.execute(events.insert().values(**row)).inserted_primary_key[0]
    tags = [{"event_id": event_id, "tag": "competitor", "value": value} for value in prospect.competitors]
    tags += [{"event_id": event_id, "tag": "objection", "value": value} for value in prospect.objections]
    if tags:
        connection.execute(event_tags.insert(), tags)
    slides = [{"event_id": event_id, "position": position, "slide_key": slide["key"],
               "module": slide.get("module", ""), "content_hash": slide.get("closure", "")}
              for position, slide in enumerate(record.get("slides", ()), start=1)]
    if slides:
        connection.execute(event_slides.insert(), slides)
        month = row["at"].strftime("%Y-%m")
        summary = [{"slide_key": key, "month": month, "output_path": row["output_path"],
                    "first_at": row["at"], "last_at": row["at"]}
                   for key in sorted({slide["slide_key"] for slide in slides})]
        connection.execute(_summary_upsert(connection), summary)
    return event_id


def _summary_upsert(connection: sa.engine.Connection):
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


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None)
    return " ".join(str(original if original is not None else exc).split())[:200]

"""CRM outcomes: reading an opportunity export (CSV/JSON), storing it idempotently, and linking
each opportunity to the decks built for its account."""
from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deckgen.config import OUTCOME_FIELDS, ProjectConfig
from deckgen.errors import ConfigError, InputFileError
from deckgen.scoreboard.log import account_key, private_name, utc_now
from deckgen.scoreboard.database import setting_name
from deckgen.scoreboard.store import connect, events, opportunities, require_url, writing
from deckgen.fsutil import display_path
from deckgen.yamlio import load_file, where

MAX_FILE_BYTES = 200 * 1024 * 1024      # an export larger than this is refused, not read into memory
REQUIRED_FIELDS = ("account", "opportunity")
_COMPARED = ("account", "account_key", "account_id", "stage", "result", "amount", "close_date")
_TRUE = {"true", "yes", "y", "1", "won", "x"}
_FALSE = {"false", "no", "n", "0", "lost"}
_AMOUNT = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class RowProblem:
    """A row of the export that was skipped, and why."""

    where: str          # "opportunities.csv:7"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ImportReport:
    """What `deckgen outcomes import` did."""

    file: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowProblem] = field(default_factory=list)
    linked: int = 0                 # opportunities of the file that found a deck of their account
    decided: int = 0                # of which won or lost

    @property
    def exit_code(self) -> int:
        """0 when every row was imported, 1 when a row was skipped."""
        return 1 if self.skipped else 0


def import_outcomes(config: ProjectConfig, path: str | Path) -> ImportReport:
    """Import an opportunity export into the scoreboard; re-importing the same file changes nothing.

    Raises InputFileError/ConfigError for a file that cannot be used at all (missing, unknown
    format, a mapped column missing); bad rows are skipped and listed in the report.
    """
    target = Path(path)
    label = display_path(target)
    rows, problems = read_opportunities(target, config)
    engine = connect(require_url(config), setting_name(config))
    report = ImportReport(file=label, skipped=problems)
    try:
        with writing(engine) as connection:
            _store(connection, rows, report)
            ids = [row["opportunity_id"] for row in rows]
            report.linked, report.decided = _linked_counts(connection, ids)
    finally:
        engine.dispose()
    return report


def read_opportunities(path: Path, config: ProjectConfig) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Return the usable opportunity rows of an export (ready to store) and the rows skipped."""
    label = display_path(path)
    if not path.is_file():
        raise InputFileError("opportunity file not found", where=label, hint="check the path")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputFileError(f"the file is larger than {MAX_FILE_BYTES >> 20} MB", where=label,
                             hint="export fewer opportunities at a time")
    settings = config.scoreboard
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = list(_csv_records(path, label, dict(settings.outcomes.columns)))
    elif suffix in (".json", ".yaml", ".yml"):
        raw = list(_data_records(path, label, dict(settings.outcomes.columns)))
    else:
        raise InputFileError(f"unknown opportunity file type '{path.suffix}'", where=label,
                             hint="use a .csv or .json export")
    rows: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[str, str] = {}
    imported_at = utc_now()
    for location, record in raw:
        try:
            row = _opportunity(record, settings.outcomes.stages, settings.hash_prospect_names)
        except ValueError as exc:
            problems.append(RowProblem(location, str(exc)))
            continue
        first = seen.get(row["opportunity_id"])
        if first is not None:
            problems.append(RowProblem(location, f"opportunity '{row['opportunity_id']}' was already "
                                                 f"given at {first}; this row is skipped"))
            continue
        seen[row["opportunity_id"]] = location
        rows.append({**row, "source": location, "imported_at": imported_at})
    return rows, problems


def _csv_records(path: Path, label: str, columns: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first_line = handle.readline()
            handle.seek(0)
            delimiter = "," if "," in first_line else ("\t" if "\t" in first_line else
                                                       (";" if ";" in first_line else ","))
            reader = csv.reader(handle, delimiter=delimiter)
            header = [name.strip() for name in next(reader, None) or []]
            if not any(header):
                raise InputFileError("the CSV file is empty (no header row)", where=label)
            fields = {name: header.index(column)
                      for name, column in _field_columns(header, columns, f"{label}:1").items()}
            line = reader.line_num + 1
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield f"{label}:{line}", {name: cells[index].strip() if index < len(cells) else ""
                                              for name, index in fields.items()}
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise InputFileError("the CSV file is not UTF-8 text", where=label,
                             hint="export it from the CRM as CSV UTF-8") from exc
    except csv.Error as exc:
        raise InputFileError(f"the CSV file cannot be read ({exc})", where=label) from exc


def _data_records(path: Path, label: str, columns: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    data = load_file(path)
    if isinstance(data, Mapping) and isinstance(data.get("records"), list):
        data = data["records"]      # Salesforce's REST export wraps rows in {"records": [...]}
    if not isinstance(data, list):
        raise InputFileError("an opportunity file must be a list of opportunities (objects)", where=label)
    header = sorted({key for item in data if isinstance(item, Mapping) for key in item})
    fields = _field_columns(header, columns, label)
    for index, item in enumerate(data):
        location = str(where(data, index, f"{label}#{index + 1}"))
        if location == label:
            location = f"{label}#{index + 1}"
        if not isinstance(item, Mapping):
            yield location, {"__problem__": "each opportunity must be an object of columns"}
            continue
        yield location, {name: item.get(column) for name, column in fields.items()}


def _field_columns(header: list[str], columns: dict[str, str], location: str) -> dict[str, Any]:
    """Return {outcome field: column} for the fields the file provides; raise when a required one is missing."""
    if columns:
        missing = [column for column in columns if column not in header]
        if missing:
            raise ConfigError(f"column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(repr(c) for c in missing)} from scoreboard.outcomes.columns in "
                              f"deckgen.yaml not in the file", where=location,
                              hint="columns found: " + ", ".join(repr(h) for h in header if h))
        fields = {target: column for column, target in columns.items()}
    else:
        fields = {name: name for name in header if name in OUTCOME_FIELDS}
    needed = [name for name in REQUIRED_FIELDS if name not in fields]
    if "stage" not in fields and "won" not in fields:
        needed.append("stage (or won)")
    if needed:
        raise ConfigError(f"the file has no column for {', '.join(needed)}", where=location,
                          hint="map the export's columns in scoreboard.outcomes.columns in deckgen.yaml, "
                               "e.g. \"Opportunity ID\": opportunity")
    return fields


def _opportunity(record: Mapping[str, Any], stages: Mapping[str, str], hashed: bool) -> dict[str, Any]:
    """Return the stored row of one opportunity; ValueError with a one-line reason when unusable."""
    if "__problem__" in record:
        raise ValueError(record["__problem__"])
    opportunity = _text(record.get("opportunity"))
    account = _text(record.get("account"))
    if not opportunity:
        raise ValueError("the opportunity id is empty")
    if not account:
        raise ValueError(f"opportunity '{opportunity}' has no account name")
    stage = _text(record.get("stage"))
    result = None
    if "won" in record and _text(record.get("won")):
        flag = _text(record.get("won")).casefold()
        if flag in _TRUE:
            result = "won"
        elif flag in _FALSE:
            result = "lost" if stage is None or stages.get(stage.casefold()) != "open" else "open"
        else:
            raise ValueError(f"won value {record.get('won')!r} is not yes/no/true/false")
    if result is None:
        if not stage:
            raise ValueError(f"opportunity '{opportunity}' has no stage")
        result = stages.get(stage.casefold())
        if result is None:
            raise ValueError(f"unknown stage '{stage}' (add it to scoreboard.outcomes.stages in deckgen.yaml "
                             f"under won, lost or open)")
    return {
        "opportunity_id": opportunity,
        "account": private_name(" ".join(account.casefold().split())) if hashed else account,
        "account_key": account_key(account, hashed),
        "account_id": _text(record.get("account_id")),
        "stage": stage or result,
        "result": result,
        "amount": _amount(record.get("amount")),
        "close_date": _date(record.get("close_date")),
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _amount(value: Any) -> float | None:
    """Return an amount cell as a number ("$1,250,000.00", "EUR 5000", 5000); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    cleaned = re.sub(r"^[A-Z]{3}\s*|^[$€£]\s*|\s*[$€£]$", "", text).replace(",", "").replace(" ", "")
    if not _AMOUNT.match(cleaned):
        raise ValueError(f"amount {text!r} is not a number")
    return float(cleaned)


def _date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(f"close date {text!r} is not a date (write YYYY-MM-DD)")


def _store(connection: Connection, rows: list[dict[str, Any]], report: ImportReport) -> None:
    """Insert new opportunities and update changed ones; rows equal to what is stored are left alone."""
    table = opportunities
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        ids = [row["opportunity_id"] for row in chunk]
        stored = {row.opportunity_id: row for row in connection.execute(
            sa.select(table).where(table.c.opportunity_id.in_(ids)))}
        inserts = []
        for row in chunk:
            old = stored.get(row["opportunity_id"])
            if old is None:
                inserts.append(row)
                report.new += 1
            elif any(_differs(getattr(old, name), row[name]) for name in _COMPARED):
                connection.execute(table.update().where(table.c.opportunity_id == row["opportunity_id"])
                                   .values(**{k: v for k, v in row.items() if k != "opportunity_id"}))
                report.updated += 1
            else:
                report.unchanged += 1
        if inserts:
            connection.execute(table.insert(), inserts)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is None or new is None or abs(float(old) - float(new)) > 1e-9
    return old != new


def deck_links(connection: Connection, only: list[str] | None = None) -> dict[str, list[int]]:
    """Return {opportunity id: ids of the deck events that count for it}.

    A deck counts for an opportunity when it was built for the same account (by CRM id when both
    have one, else by name, case and spacing ignored) no later than the close date: a deck built
    after the deal closed cannot have helped it. Matched here rather than in SQL: an OR-join has
    no index to use, and both sides fit in memory (one row per deck and per opportunity).
    """
    query = sa.select(opportunities.c.opportunity_id, opportunities.c.account_key, opportunities.c.account_id,
                      opportunities.c.close_date)
    if only is not None and len(only) <= 500:
        query = query.where(opportunities.c.opportunity_id.in_(only))
    wanted = set(only) if only is not None else None
    by_key: dict[str, list] = {}
    by_crm: dict[str, list] = {}
    for row in connection.execute(query):
        if wanted is not None and row.opportunity_id not in wanted:
            continue
        (by_crm.setdefault(row.account_id, []) if row.account_id else by_key.setdefault(row.account_key, [])).append(row)
        if row.account_id:
            by_key.setdefault(("*", row.account_key), []).append(row)   # for decks without a CRM id
    links: dict[str, list[int]] = {}
    if not by_key and not by_crm:
        return links
    # only builds for an account some opportunity names (the database filters by index)
    candidates_query = sa.select(events.c.id, events.c.account_key, events.c.crm_id, events.c.at).where(sa.or_(
        events.c.account_key.in_(sa.select(opportunities.c.account_key)),
        events.c.crm_id.in_(sa.select(opportunities.c.account_id).where(opportunities.c.account_id.is_not(None)))))
    for event in connection.execute(candidates_query):
        candidates = list(by_key.get(event.account_key, ()))
        if event.crm_id:
            candidates += by_crm.get(event.crm_id, ())
        else:
            candidates += by_key.get(("*", event.account_key), ())
        day = event.at.date()
        for opportunity in candidates:
            if opportunity.close_date is None or day <= opportunity.close_date:
                links.setdefault(opportunity.opportunity_id, []).append(event.id)
    return links


def _linked_counts(connection: Connection, ids: list[str]) -> tuple[int, int]:
    """Return how many of the opportunities ``ids`` have a deck, and how many of those are decided."""
    if not ids:
        return 0, 0
    links = deck_links(connection, ids)
    decided = 0
    linked = list(links)
    for start in range(0, len(linked), 500):
        query = sa.select(sa.func.count()).where(opportunities.c.opportunity_id.in_(linked[start:start + 500]),
                                                 opportunities.c.result.in_(("won", "lost")))
        decided += connection.execute(query).scalar() or 0
    return len(links), decided

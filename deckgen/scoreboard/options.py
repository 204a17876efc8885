"""The report's knobs and their defaults (the usage window, "rarely used", "too few"): no SQLAlchemy, so the
command line can offer them without importing the database layer."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

DEFAULT_DAYS = 90
DEFAULT_MIN_SAMPLE = 5
DEFAULT_RARE = 2           # "rarely used": in fewer decks than this over the window
DEFAULT_EXPIRY_DAYS = 60


@dataclass(frozen=True)
class ReportOptions:
    """The knobs of the report: the usage window, and the rules for "rarely used" and "too few"."""

    today: datetime.date
    days: int = DEFAULT_DAYS
    min_sample: int = DEFAULT_MIN_SAMPLE
    rare_below: int = DEFAULT_RARE
    expiry_days: int = DEFAULT_EXPIRY_DAYS

    @property
    def since(self) -> datetime.datetime:
        """The first moment (UTC) of the usage window: the last ``days`` days up to and including today."""
        return datetime.datetime.combine(self.today - datetime.timedelta(days=self.days - 1), datetime.time())

    @property
    def until(self) -> datetime.datetime:
        """The first moment after the window."""
        return datetime.datetime.combine(self.today + datetime.timedelta(days=1), datetime.time())

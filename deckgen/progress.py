"""The progress report of every long run (batch, rebuild, preview, catalog): ``progress(done, total, label)``."""
from __future__ import annotations

from typing import Callable

Progress = Callable[[int, int, str], None]   # (units done, units in this phase, what was just done)

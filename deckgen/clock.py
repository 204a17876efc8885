"""The build time: now, or ``SOURCE_DATE_EPOCH`` when set, so the same inputs give the same bytes."""
from __future__ import annotations

import datetime
import os

from deckgen.errors import ConfigError


def build_time() -> datetime.datetime:
    """Now (UTC, whole seconds), or ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or not epoch.strip():
        return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    try:
        return datetime.datetime.fromtimestamp(int(epoch.strip()), datetime.timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970",
                          hint="set it to e.g. $(git log -1 --format=%ct), or unset it") from exc

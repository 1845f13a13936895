"""Reading the time windows people type on the command line (``--since 7d``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from bot.errors import UsageError

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``30d``, ``12h``, ``2w``, ``45m`` or an ISO date/time -> a naive UTC datetime.

    Naive UTC because that is how the store keeps times (SQLite has no time zones).
    """
    now = now or datetime.now(timezone.utc)
    match = _RELATIVE.match(text or "")
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return (now - timedelta(**{_UNITS[unit]: amount})).astimezone(timezone.utc).replace(tzinfo=None)
    try:
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UsageError(
            f"cannot read the period {text!r}: use a number and a unit (30m, 12h, 7d, 2w) or a date like 2026-01-31"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment

"""Reading the time windows people type on the command line (``--since 7d``).

One grammar for every command: a number and a unit, ``h`` hours, ``d`` days, ``w`` weeks or
``m`` calendar months, or a date. ``export`` turns it into an exact moment; ``report`` into whole
local days (``analytics.periods``), so ``6m`` means six months in both.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone

from bot.errors import UsageError

_LENGTH = re.compile(r"^\s*(\d+)\s*([hdwm])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_length(text: str | None) -> tuple[int, str] | None:
    """``"30d"`` -> ``(30, "d")``; None when the text is not a length (maybe a date)."""
    match = _LENGTH.match(text or "")
    return (int(match.group(1)), match.group(2).lower()) if match else None


def months_back(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months earlier (clamped to the month's end)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``12h``, ``7d``, ``2w``, ``6m`` or an ISO date/time -> a naive UTC datetime.

    Naive UTC because that is how the store keeps times (SQLite has no time zones).
    """
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    length = parse_length(text)
    if length:
        amount, unit = length
        if unit == "m":
            moment = datetime.combine(months_back(now.date(), amount), now.timetz())
        else:
            moment = now - timedelta(**{_UNITS[unit]: amount})
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    try:
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UsageError(
            f"cannot read the period {text!r}: use a number and a unit (12h, 7d, 2w, 6m for months) "
            "or a date like 2026-01-31"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment

"""Report windows and time buckets, in the manager's time zone.

Responses are stored in naive UTC. A manager in Berlin means Berlin days, so windows start at
local midnight and every period (day, ISO week from Monday, month) is a local one, daylight
saving included. The database groups by UTC day when the zone is at UTC+0 throughout the window,
else by UTC hour (by quarter hour in zones with a half-hour offset); this module maps each bucket
to its local day, week or month. Buckets never straddle a local midnight, so the mapping is exact
and still needs one pass only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Integer, cast, func, literal

from bot.errors import UsageError
from bot.period_syntax import months_back, parse_length

UNITS = ("day", "week", "month")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone '{name}' (use an IANA name such as UTC or Europe/Berlin)") from None


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"{option}: '{value}' is not a period; use a length such as 7d, 12w, 6m or a date such as 2026-01-31"
        ) from None


def to_utc(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of ``day`` as the naive UTC the store uses."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Window:
    """The reporting window [start, end) and the previous one of equal length, as local dates and UTC."""

    start_day: date
    end_day: date  # exclusive
    previous_day: date
    tz: ZoneInfo
    previous_end_day: date | None = None  # exclusive; None: where this window starts (the period just before)

    @property
    def start(self) -> datetime:
        return to_utc(self.start_day, self.tz)

    @property
    def end(self) -> datetime:
        return to_utc(self.end_day, self.tz)

    @property
    def previous_start(self) -> datetime:
        return to_utc(self.previous_day, self.tz)

    @property
    def previous_end(self) -> datetime:
        return to_utc(self.previous_end_day or self.start_day, self.tz)

    @property
    def adjacent(self) -> bool:
        """Whether the comparison period ends where this one starts (the default)."""
        return self.previous_end_day in (None, self.start_day)

    @property
    def days(self) -> int:
        return (self.end_day - self.start_day).days

    def describe(self) -> str:
        last = self.end_day - timedelta(days=1)
        return f"{self.start_day.isoformat()} to {last.isoformat()} ({self.tz.key})"

    def describe_previous(self) -> str:
        last = (self.previous_end_day or self.start_day) - timedelta(days=1)
        return f"{self.previous_day.isoformat()} to {last.isoformat()}"


def make_window(since: str, until: str | None, tz: ZoneInfo, now: datetime | None = None,
                compare: str | None = None) -> Window:
    """See ``_make_window``; a window past the calendar's ends (year 1 or 9999) is refused, not a crash."""
    try:
        return _make_window(since, until, tz, now, compare)
    except (OverflowError, ValueError):
        raise UsageError(f"the period {since}{f' to {until}' if until else ''} reaches past the calendar "
                         "(before year 1 or after 9999); choose a shorter one") from None


def _make_window(since: str, until: str | None, tz: ZoneInfo, now: datetime | None,
                 compare: str | None) -> Window:
    """Parse ``--since`` (30d, 12w, 6m or a date) and ``--until`` (a date, inclusive) into a window.

    The window ends after today (local), so today's answers count; ``30d`` means today and the 29
    days before. The previous window has the same number of days and ends where this one starts,
    unless ``compare`` (a date) chooses where it starts (the same weeks last year, say); a chosen
    one must end before this window starts, so no answer counts on both sides.
    """
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    today = now.astimezone(tz).date()
    end_day = _parse_date(until, "--until") + timedelta(days=1) if until else today + timedelta(days=1)
    length = parse_length(since)
    if length:
        amount, unit = length
        if unit == "h":
            raise UsageError(f"--since: '{since}' is in hours; reports cover whole days: use d, w or m")
        if amount < 1:
            raise UsageError(f"--since: '{since}' must be at least one day, week or month")
        if unit == "d":
            start_day = end_day - timedelta(days=amount)
        elif unit == "w":
            start_day = end_day - timedelta(weeks=amount)
        else:
            start_day = months_back(end_day, amount)
    else:
        start_day = _parse_date(since, "--since")
    if start_day >= end_day:
        raise UsageError(f"--since {since} is not before --until {until or today.isoformat()}")
    length_days = end_day - start_day
    if compare:
        previous_day = _parse_date(compare, "--compare")
        if previous_day + length_days > start_day:
            raise UsageError(f"--compare: the {length_days.days} days from {previous_day.isoformat()} must end "
                             f"before this period starts on {start_day.isoformat()}; choose an earlier date")
        return Window(start_day=start_day, end_day=end_day, previous_day=previous_day, tz=tz,
                      previous_end_day=previous_day + length_days)
    return Window(start_day=start_day, end_day=end_day, previous_day=start_day - length_days, tz=tz)


def trend_unit(requested: str | None, window: Window) -> str:
    """The period for trends: the one asked for, else one that gives a readable number of points."""
    if requested in UNITS:
        return requested
    if window.days <= 14:
        return "day"
    return "week" if window.days <= 190 else "month"


def granularity(window: Window) -> str:
    """The coarsest UTC bucket that still maps exactly onto local days in this window.

    "day" when the zone sits at UTC+0 through the whole window (UTC itself, London in winter),
    "quarter" when it has a non-whole-hour offset (India, Nepal, parts of Australia), else "hour".
    Coarser buckets mean fewer rows back from the database.
    """
    days = (window.end_day - window.previous_day).days
    offsets = {window.tz.utcoffset(datetime.combine(window.previous_day + timedelta(days=i), time(12)))
               for i in range(days + 1)}
    seconds = {o.total_seconds() for o in offsets if o is not None}
    if seconds <= {0.0}:
        return "day"
    return "quarter" if any(s % 3600 for s in seconds) else "hour"


def bucket_expression(column: Any, dialect: str, window: Window) -> Any:
    """SQL for the UTC bucket (day, hour or quarter hour) each row falls into."""
    size = granularity(window)
    if dialect == "postgresql":
        if size == "day":
            return func.date_trunc("day", column)
        hour = func.date_trunc("hour", column)
        if size == "hour":
            return hour
        minutes = func.floor(func.extract("minute", column) / 15) * 15
        return hour + func.make_interval(0, 0, 0, 0, 0, cast(minutes, Integer))
    if size == "day":
        return func.substr(column, 1, 10)
    hour = func.substr(column, 1, 13)
    if size == "hour":
        return hour
    # Floor division: SQLAlchemy 2's ``/`` is true division (SQLite would return 7.5 for minute 7).
    quarter_start = cast(func.substr(column, 15, 2), Integer) // 15 * 15
    return hour.op("||")(literal(":")).op("||")(quarter_start.self_group())


def bucket_start(value: Any) -> datetime:
    """The naive UTC start of a bucket value returned by ``bucket_expression``."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    text = str(value)
    try:
        if len(text) == 10:
            return datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]))
        hour = datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]))
    except ValueError:
        raise ValueError(f"not a time bucket: {text!r}") from None
    return hour + timedelta(minutes=int(text[14:])) if ":" in text else hour


def local_period(moment_utc: datetime, tz: ZoneInfo, unit: str) -> date:
    """The first local day of the day, ISO week (Monday) or month that a UTC moment falls into."""
    day = moment_utc.replace(tzinfo=timezone.utc).astimezone(tz).date()
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def period_end(start: date, unit: str) -> date:
    """The first day after the local day, week or month that starts on ``start`` (a period's exclusive end)."""
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_label(start: date, unit: str) -> str:
    if unit == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if unit == "month":
        return start.strftime("%Y-%m")
    return start.isoformat()

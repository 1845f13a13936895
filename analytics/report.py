"""The report model every renderer shares (table, CSV, JSON, HTML, dashboard), and how it is built.

Building a report costs one aggregation pass over the responses of this and the previous window
(sums per group and UTC hour, see ``analytics.metrics``), one over the attributions and the
hand-offs of the window, and a few index lookups for quotes and the theme sample. Nothing reads
every row into Python, so time and memory stay flat as the store grows.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Engine

from analytics import queries
from analytics.journey import cycle_labels
from analytics.metrics import METRIC_LABELS, OPTIONAL_METRICS, SUM_FIELDS, Change, MetricSettings, Sums, changes, derive
from analytics.periods import UNITS, Window, bucket_start, local_period, period_label, trend_unit
from analytics.queries import DIMENSIONS, Filters
from analytics.themes import Theme, find_themes
from bot.errors import UsageError
from bot.taxonomy import UNATTRIBUTED, Taxonomy

CYCLE = "cycle"  # first purchase cycle against repeat ones (analytics/cycles.py)
GROUPINGS = (*DIMENSIONS, CYCLE, *UNITS)
CYCLE_LABELS = {"first": "first purchase cycle", "repeat": "repeat cycles (2nd and later)",
                queries.UNKNOWN: "no customer known"}
THEME_SAMPLE = 1000  # the newest dissatisfied answers themes are found in


@dataclass(frozen=True)
class Quote:
    response_id: int
    created_at: str
    silo: str | None
    touchpoint: str | None
    channel: str | None
    score: int | None
    text: str
    sentiment: float | None


@dataclass
class Row:
    """One line of the report: a silo, touchpoint, channel or period."""

    key: str
    label: str
    metrics: dict[str, float | int | None]
    changes: dict[str, Change]
    mentions: int | None = None
    negative_mentions: int | None = None


@dataclass(frozen=True)
class TrendPoint:
    period: str
    start: str
    key: str
    metrics: dict[str, float | int | None]


@dataclass(frozen=True)
class HandoffCell:
    from_silo: str
    to_silo: str
    count: int
    mean_sentiment: float | None


@dataclass
class FrictionReport:
    """One window of friction numbers, as every renderer shows it (not ``bot.evaluation.Report``: model scores)."""

    generated_at: str
    window: str
    start: str
    end: str
    previous_start: str
    timezone: str
    group_by: str
    trend_unit: str
    filters: dict[str, str]
    rows: list[Row]
    total: Row
    trend: list[TrendPoint]
    handoffs: list[HandoffCell]
    quotes: dict[str, list[Quote]]
    themes: list[Theme]
    theme_sample: int

    @property
    def empty(self) -> bool:
        return self.total.metrics["volume"] == 0

    @property
    def shown_metrics(self) -> list[str]:
        """The metrics a table shows: every one, but an optional one (NPS) only when answers exist."""
        return [m for m in METRIC_LABELS if m not in OPTIONAL_METRICS or self.total.metrics.get(m) is not None]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON; each change also says its direction ("up", "down", or "" if not significant)."""
        data = asdict(self)
        for source, target in zip([*self.rows, self.total], [*data["rows"], data["total"]], strict=True):
            for name, change in source.changes.items():
                target["changes"][name]["direction"] = change.direction
        return data


def validate(taxonomy: Taxonomy, filters: Filters, group_by: str) -> None:
    """Unknown names fail loudly: a typo must not look like a silo without complaints."""
    if group_by not in GROUPINGS:
        raise UsageError(f"--by must be one of {', '.join(GROUPINGS)} (got '{group_by}')")
    silos = [*taxonomy.silos, UNATTRIBUTED]
    if filters.silo and filters.silo not in silos:
        raise UsageError(f"unknown silo '{filters.silo}'; known silos: {', '.join(silos)}")
    if filters.touchpoint and filters.touchpoint not in taxonomy.touchpoints:
        raise UsageError(
            f"unknown touchpoint '{filters.touchpoint}'; known touchpoints: {', '.join(taxonomy.touchpoints)}"
        )


def _label(dimension: str, key: str, taxonomy: Taxonomy) -> str:
    if dimension == CYCLE:
        return CYCLE_LABELS.get(key, key)
    if dimension == "touchpoint" and key in taxonomy.touchpoints:
        return taxonomy.touchpoints[key].label
    return key.replace("_", " ")


def quote_from_row(row: Any) -> Quote:
    """A quote from a row of ``queries.QUOTE_COLUMNS``; times become ISO text in UTC."""
    created = row.created_at
    return Quote(
        response_id=int(row.id),
        created_at=created.replace(tzinfo=timezone.utc).isoformat() if isinstance(created, datetime) else str(created),
        silo=row.primary_silo, touchpoint=row.touchpoint, channel=row.channel, score=row.score,
        text=row.text or "", sentiment=row.sentiment_score,
    )


def top_quotes(engine: Engine, window: Window, filters: Filters, silos: list[str], settings: MetricSettings,
               per_silo: int = 3, pool: int = 30) -> dict[str, list[Quote]]:
    """Per silo: of its newest dissatisfied answers, the most negative ones (recent and sharp)."""
    result: dict[str, list[Quote]] = {}
    with engine.connect() as connection:
        for silo in silos:
            rows = queries.recent_quotes(connection, window, filters, dimension="silo", key=silo,
                                         dissatisfied_at_or_below=settings.dissatisfied_at_or_below, limit=pool,
                                         scan=pool * 20)
            ranked = sorted(rows, key=lambda r: (r.sentiment_score if r.sentiment_score is not None else 0, r.score))
            if ranked:
                result[silo] = [quote_from_row(r) for r in ranked[:per_silo]]
    return result


def build_report(engine: Engine, taxonomy: Taxonomy, window: Window, *, filters: Filters | None = None,
                 group_by: str = "silo", trend: str | None = None, settings: MetricSettings | None = None,
                 theme_sample: int = THEME_SAMPLE, now: datetime | None = None,
                 cycle_gap_days: int = 30) -> FrictionReport:
    """Everything a manager reads about one window, in one model."""
    filters = filters or Filters()
    settings = settings or MetricSettings()
    validate(taxonomy, filters, group_by)
    unit = trend_unit(group_by if group_by in UNITS else trend, window)
    dimension = group_by if group_by in (*DIMENSIONS, CYCLE) else None
    with engine.connect() as connection:
        prefer_scan = queries.covers_most(connection, window.previous_start)
        slices = queries.id_slices(connection, os.cpu_count() or 1) if prefer_scan else [None]

    def main_pass(ids: tuple[int, int] | None) -> list[Any]:
        with engine.connect() as connection:
            if dimension == CYCLE:
                return queries.response_sums(connection, window, filters, settings, prefer_scan, ids)
            return queries.bucket_sums(connection, window, filters, dimension, settings, prefer_scan, ids)

    def blame_and_handoffs() -> tuple[dict[str, tuple[int, int]], list[Any]]:
        with engine.connect() as connection:
            blame = queries.mentions(connection, window, filters, prefer_scan) if dimension == "silo" else {}
            return blame, queries.handoff_matrix(connection, window, filters)

    def words() -> tuple[dict[str, list[Quote]], list[Theme], int]:
        silos = [filters.silo] if filters.silo else [*taxonomy.silos, UNATTRIBUTED]
        quotes = top_quotes(engine, window, filters, silos, settings)
        with engine.connect() as connection:
            sample = queries.complaint_sample(connection, window, filters, settings.dissatisfied_at_or_below,
                                              theme_sample)
        return quotes, find_themes(sample), len(sample)

    # Independent reads on their own connections: the database works on them in parallel (sqlite3
    # and scikit-learn release the GIL), and a big main pass is cut into id slices, one per core.
    def cycles() -> dict[int, str]:
        with engine.connect() as connection:
            return cycle_labels(connection, timedelta(days=cycle_gap_days), window.end)

    with ThreadPoolExecutor(max_workers=len(slices) + 3, thread_name_prefix="report") as pool:
        bucket_jobs = [pool.submit(main_pass, ids) for ids in slices]
        side_job, words_job = pool.submit(blame_and_handoffs), pool.submit(words)
        cycles_job = pool.submit(cycles) if dimension == CYCLE else None
        buckets: list[Any] = [row for job in bucket_jobs for row in job.result()]
        blame, handoff_rows = side_job.result()
        quotes, themes, sample_size = words_job.result()
        if cycles_job is not None:  # one row per response: name its cycle
            labels = cycles_job.result()
            buckets = [(labels.get(key, queries.UNKNOWN), *rest) for key, *rest in buckets]

    # Merge hour buckets into windows and local periods with plain lists (tens of thousands of rows).
    width = len(SUM_FIELDS)
    zero = [0] * width
    current: dict[str, list] = {}
    previous: dict[str, list] = {}
    by_period: dict[date, list] = {}  # both windows, for period rows
    per_period: dict[tuple[date, str], list] = {}
    start, tz = window.start, window.tz
    placed: dict[Any, tuple[bool, date]] = {}

    def add(target: dict, key: Any, values: list) -> None:
        found = target.get(key)
        target[key] = values if found is None else [a + b for a, b in zip(found, values, strict=True)]

    for key, bucket, *sums_of_row in buckets:
        values = [v or 0 for v in sums_of_row]
        where = placed.get(bucket)
        if where is None:
            moment = bucket_start(bucket)
            where = placed[bucket] = (moment >= start, local_period(moment, tz, unit))
        is_current, period = where
        add(by_period, period, values)
        if not is_current:
            add(previous, str(key), values)
            continue
        add(current, str(key), values)
        add(per_period, (period, "all"), values)
        if dimension is not None:
            add(per_period, (period, str(key)), values)

    def sums(values: list | None) -> Sums:
        return Sums(*(values or zero))

    total_now = Sums(*[sum(v[i] for v in current.values()) for i in range(width)])
    total_before = Sums(*[sum(v[i] for v in previous.values()) for i in range(width)])
    rows: list[Row] = []
    if dimension is None:
        # Each period compares with the one before it (the first with the last of the previous window).
        ordered = sorted(by_period)
        for index, period in enumerate(ordered):
            if period < local_period(start, tz, unit) or (period, "all") not in per_period:
                continue
            now_sums = sums(per_period[(period, "all")])
            before = sums(by_period[ordered[index - 1]] if index else None)
            rows.append(Row(key=period.isoformat(), label=period_label(period, unit),
                            metrics=derive(now_sums, settings), changes=changes(now_sums, before, settings)))
    else:
        keys = set(current) | (set(blame) if filters.silo is None else {filters.silo} & set(blame))
        for key in sorted(keys, key=lambda k: (-current[k][0] if k in current else 0, k)):
            n_mentions, n_negative = blame.get(key, (0, 0)) if dimension == "silo" else (None, None)
            rows.append(Row(key=key, label=_label(dimension, key, taxonomy), metrics=derive(sums(current.get(key)),
                                                                                              settings),
                            changes=changes(sums(current.get(key)), sums(previous.get(key)), settings),
                            mentions=n_mentions, negative_mentions=n_negative))
    total = Row(key="__total__", label="All responses", metrics=derive(total_now, settings),
                changes=changes(total_now, total_before, settings),
                mentions=sum(n for n, _ in blame.values()) if blame else None,
                negative_mentions=sum(n for _, n in blame.values()) if blame else None)
    trend_points = [
        TrendPoint(period=period_label(period, unit), start=period.isoformat(), key=key,
                   metrics=derive(sums(values), settings))
        for (period, key), values in sorted(per_period.items())
    ]
    handoffs = [HandoffCell(r.from_silo, r.to_silo, int(r.n), None if r.sentiment is None else float(r.sentiment))
                for r in sorted(handoff_rows, key=lambda r: (-r.n, r.from_silo, r.to_silo))]
    generated = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return FrictionReport(
        generated_at=generated.isoformat(timespec="seconds"), window=window.describe(),
        start=window.start_day.isoformat(), end=window.end_day.isoformat(),
        previous_start=window.previous_day.isoformat(), timezone=window.tz.key, group_by=group_by,
        trend_unit=unit, filters=filters.as_dict(), rows=rows, total=total, trend=trend_points,
        handoffs=handoffs, quotes=quotes, themes=themes, theme_sample=sample_size,
    )

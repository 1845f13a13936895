"""One entry point from options (CLI flags, dashboard query string) to a report, shared by both doors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from analytics.metrics import MetricSettings
from analytics.periods import Window, make_window, zone
from analytics.queries import Filters
from analytics.report import FrictionReport, build_report
from bot.errors import NoFeedback, UsageError
from bot.settings import Settings, get_settings
from bot.store.db import engine_for
from bot.taxonomy import Taxonomy, TaxonomyError, load_taxonomy


@dataclass(frozen=True)
class ReportOptions:
    since: str = "30d"
    until: str | None = None
    by: str = "silo"
    silo: str | None = None
    touchpoint: str | None = None
    channel: str | None = None
    tz: str | None = None
    compare: str | None = None  # where the comparison period starts (a date); None: just before the window

    @classmethod
    def from_query(cls, values: Mapping[str, str]) -> ReportOptions:
        """Options from a query string's values (the dashboard's filters); a missing one takes its default."""
        return cls(since=values.get("since", cls.since), until=values.get("until"), by=values.get("by", cls.by),
                   silo=values.get("silo"), touchpoint=values.get("touchpoint"), channel=values.get("channel"),
                   tz=values.get("tz"), compare=values.get("compare"))

    @property
    def filters(self) -> Filters:
        """The silo, touchpoint and channel filters; an empty value means no filter."""
        return Filters(silo=self.silo or None, touchpoint=self.touchpoint or None,
                       channel=(self.channel or "").lower() or None)  # channels match whatever their case


def analytics_settings(settings: Settings) -> tuple[MetricSettings, str]:
    """Metric settings and the default time zone from the ``analytics`` section of ``siloscope.yml``."""
    return settings.analytics.metrics, settings.analytics.timezone


def load(settings: Settings) -> Taxonomy:
    """The taxonomy as it is now (``load_taxonomy`` parses it again only when the file changed)."""
    try:
        return load_taxonomy(settings.silos_file)
    except TaxonomyError as exc:
        raise UsageError(str(exc)) from None


def window_for(options: ReportOptions, default_tz: str, now: datetime | None = None) -> Window:
    return make_window(options.since, options.until, zone(options.tz or default_tz), now, options.compare)


def make_report(options: ReportOptions, *, settings: Settings | None = None, engine: Engine | None = None,
                now: datetime | None = None, require_data: bool = True) -> FrictionReport:
    """Validate the options, build the report, and refuse an empty store with a hint."""
    settings = settings or get_settings()
    metric_settings, default_tz = analytics_settings(settings)
    window = window_for(options, default_tz, now)
    engine = engine or engine_for(settings.database_url)
    report = build_report(engine, load(settings), window, filters=options.filters, group_by=options.by,
                          settings=metric_settings, now=now, cycle_gap_days=settings.journey.cycle_gap_days)
    if require_data and report.empty:
        from analytics import queries

        with engine.connect() as connection:
            anything = queries.has_any_response(connection)
        if not anything:
            raise NoFeedback("the store has no feedback yet; collect some, or try `siloscope seed --rows 5000`")
        raise NoFeedback(f"no feedback matches {report.window}"
                         + (f" and {', '.join(f'{k}={v}' for k, v in report.filters.items())}"
                            if report.filters else "") + "; widen --since or drop a filter")
    return report

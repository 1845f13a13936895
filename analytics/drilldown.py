"""What lies behind one number of a report: the answers behind a bar, and one response as it was analysed.

The dashboard links every bar and row here. A bar's answers are read with the report's own
window, filters and grouping, so the page shows exactly the answers the bar counts; a period
bar (a day, week or month) is narrowed to the part of that period inside the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from analytics import queries
from analytics.journey import cycle_labels
from analytics.periods import UNITS, Window, make_window, period_end
from analytics.report import CYCLE, THEME_SAMPLE, Quote, quote_from_row, validate
from analytics.service import ReportOptions, analytics_settings, load, window_for
from analytics.themes import find_themes
from bot.errors import UsageError
from bot.settings import Settings
from bot.store.db import engine_for


@dataclass(frozen=True)
class QuotePage:
    """One page of the answers behind a bar, newest first."""

    window: str  # the report window, as the report describes it
    quotes: list[Quote]
    more: bool  # whether older answers follow on the next page


@dataclass(frozen=True)
class AttributionLine:
    rank: int
    silo: str
    confidence: float
    sentiment_label: str | None
    evidence: str | None


@dataclass(frozen=True)
class HandoffLine:
    from_silo: str
    to_silo: str
    evidence: str | None


@dataclass(frozen=True)
class CorrectionLine:
    from_silo: str | None
    to_silo: str
    corrected_by: str
    corrected_at: datetime


@dataclass(frozen=True)
class UnsureAnswer:
    """An answer in the review queue: what the model made of it, and how sure it was."""

    id: int
    created_at: datetime
    touchpoint: str | None
    score: int | None
    text: str
    primary_silo: str | None
    primary_confidence: float | None


@dataclass(frozen=True)
class CaseLine:
    """The case opened on a response (``bot.cases``): its number, status and owner department."""

    id: int
    status: str
    owner: str


@dataclass(frozen=True)
class ResponseDetail:
    """A stored response with everything the analysis wrote about it."""

    id: int
    created_at: datetime
    touchpoint: str | None
    channel: str | None
    score: int | None
    effort: int | None
    contact_count: int | None
    text: str | None
    probe_text: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    primary_silo: str | None
    primary_confidence: float | None
    status: str | None
    customer_ref: str | None
    order_id: str | None
    ticket_id: str | None
    human_requested: bool
    case: CaseLine | None  # the case somebody works on it, if one was opened
    attributions: list[AttributionLine]
    handoffs: list[HandoffLine]
    corrections: list[CorrectionLine]


def bar_window(window: Window, group_by: str, key: str) -> Window:
    """The window a bar covers: the report's own, or for a period bar that period cut to the report's window."""
    if group_by not in UNITS:
        return window
    period = make_window(key, None, window.tz)  # an unreadable key is refused like a bad --since
    return Window(max(period.start_day, window.start_day), min(period_end(period.start_day, group_by),
                                                                   window.end_day), period.start_day, window.tz)


def quotes_behind(options: ReportOptions, key: str | None, offset: int, limit: int, *, settings: Settings,
                  engine: Engine | None = None, handoff: tuple[str, str] | None = None) -> QuotePage:
    """Up to ``limit`` open answers behind the bar ``key`` of the report ``options`` describe, from ``offset``.

    With ``handoff`` (from, to) instead of a key: the answers behind that cell of the hand-off map,
    over the report's whole window and filters.
    """
    _, default_tz = analytics_settings(settings)
    window = window_for(options, default_tz)
    filters = options.filters
    taxonomy = load(settings)
    validate(taxonomy, filters, options.by)
    if handoff is not None:
        unknown = [s for s in handoff if s not in taxonomy.silos]
        if unknown:
            raise UsageError(f"unknown silo '{unknown[0]}' in the hand-off; known silos: {', '.join(taxonomy.silos)}")
    elif not key:
        raise UsageError("choose a bar: the drill-down needs a key")
    grouped = options.by in queries.DIMENSIONS and handoff is None
    engine = engine or engine_for(settings.database_url)
    with engine.connect() as connection:
        among = None
        if options.by == CYCLE and handoff is None:  # cycles are found in Python (analytics/cycles.py)
            labels = cycle_labels(connection, timedelta(days=settings.journey.cycle_gap_days), window.end)
            among = ((True, [rid for rid, label in labels.items() if label == key]) if key != queries.UNKNOWN
                     else (False, list(labels)))
        rows = queries.recent_quotes(connection, window if handoff else bar_window(window, options.by, key or ""),
                                     filters, dimension=options.by if grouped else None,
                                     key=key if grouped else None, limit=limit + 1, offset=offset, handoff=handoff,
                                     among=among)
    return QuotePage(window=window.describe(), quotes=[quote_from_row(r) for r in rows[:limit]],
                     more=len(rows) > limit)


@dataclass(frozen=True)
class ThemePage:
    """All the answers of one recurring theme, as the report found it."""

    window: str
    name: str
    silos: dict[str, int]
    quotes: list[Quote]  # closest to the theme's centre first


def theme_quotes(options: ReportOptions, name: str, *, settings: Settings,
                 engine: Engine | None = None) -> ThemePage | None:
    """Every answer of the theme ``name`` in the report ``options`` describe; None when no such theme is found.

    The themes are found again in the same sample the report used, so the page lists exactly the
    answers the theme's count is made of (newer answers may have moved the themes since).
    """
    metric_settings, default_tz = analytics_settings(settings)
    window = window_for(options, default_tz)
    validate(load(settings), options.filters, options.by)
    engine = engine or engine_for(settings.database_url)
    with engine.connect() as connection:
        sample = queries.complaint_sample(connection, window, options.filters,
                                          metric_settings.dissatisfied_at_or_below, THEME_SAMPLE)
    theme = next((t for t in find_themes(sample) if t.name == name), None)
    if theme is None:
        return None
    rows = {int(r.id): r for r in sample}
    return ThemePage(window=window.describe(), name=theme.name, silos=theme.silos,
                     quotes=[quote_from_row(rows[i]) for i in theme.response_ids])


def response_detail(response_id: int, *, settings: Settings, engine: Engine | None = None) -> ResponseDetail | None:
    """One stored response with its attributions (strongest first) and hand-offs; None when there is none."""
    engine = engine or engine_for(settings.database_url)
    with engine.connect() as connection:
        row = queries.response_by_id(connection, response_id)
        if row is None:
            return None
        attributions = queries.attributions_of(connection, response_id)
        handoffs = queries.handoffs_of(connection, response_id)
        corrections = queries.corrections_of(connection, response_id)
    return ResponseDetail(
        id=row.id, created_at=row.created_at, touchpoint=row.touchpoint, channel=row.channel, score=row.score,
        effort=row.effort, contact_count=row.contact_count, text=row.text, probe_text=row.probe_text,
        sentiment_label=row.sentiment_label, sentiment_score=row.sentiment_score, primary_silo=row.primary_silo,
        primary_confidence=row.primary_confidence, status=row.status, customer_ref=row.customer_ref,
        order_id=row.order_id, ticket_id=row.ticket_id, human_requested=bool(row.human_requested),
        case=None if row.case_id is None else CaseLine(row.case_id, row.case_status, row.case_owner),
        attributions=[AttributionLine(a.rank, a.silo, a.confidence, a.sentiment_label, a.evidence)
                      for a in attributions],
        handoffs=[HandoffLine(h.from_silo, h.to_silo, h.evidence) for h in handoffs],
        corrections=[CorrectionLine(c.from_silo, c.to_silo, c.corrected_by, c.corrected_at) for c in corrections],
    )


def responses_matching(options: ReportOptions, *, settings: Settings, engine: Engine | None = None) -> list[int]:
    """The ids of the responses the report ``options`` describe counts (its window and filters), oldest first."""
    _, default_tz = analytics_settings(settings)
    window = window_for(options, default_tz)
    validate(load(settings), options.filters, options.by)
    engine = engine or engine_for(settings.database_url)
    with engine.connect() as connection:
        return queries.response_ids(connection, window, options.filters)


def channels_present(*, settings: Settings, engine: Engine | None = None) -> list[str]:
    """The channels in the store, for the dashboard's channel choice."""
    engine = engine or engine_for(settings.database_url)
    with engine.connect() as connection:
        return queries.channels_present(connection)


def review_queue(
    limit: int, offset: int = 0, *, settings: Settings, engine: Engine | None = None
) -> list[UnsureAnswer]:
    """The answers a manager should check first: the model's least sure, none corrected yet."""
    engine = engine or engine_for(settings.database_url)
    with engine.connect() as connection:
        rows = queries.least_sure(connection, limit, offset)
    return [UnsureAnswer(r.id, r.created_at, r.touchpoint, r.score, r.text, r.primary_silo, r.primary_confidence)
            for r in rows]

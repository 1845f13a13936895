"""The SQL behind a report. Every query aggregates in the database or reads a bounded number of rows.

Which silo does a response count for?
- **Volume, scores, effort, sentiment share, repeat contact, friction**: the response's
  ``primary_silo`` (the silo its words blame most; ``unattributed`` when nothing was clear).
  Each response counts once, so silo volumes add up to the total.
- **Mentions** (blame): rows of the ``attributions`` table, so a response that blames sales
  *and* finance counts for both; ``negative mentions`` are those with negative sentiment about
  that silo. This is where secondary silos become visible.
- **Hand-offs**: rows of the ``handoffs`` table, counted per (from, to) pair.

On SQLite the big aggregations are steered to a plain table scan when the window covers a large
part of the data (an index walk with a lookup per row is several times slower there), and to the
``created_at`` index when the window is a small slice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal, literal_column, or_, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Table
from sqlalchemy.types import DateTime

from analytics.metrics import MetricSettings, sum_columns
from analytics.periods import Window, bucket_expression
from bot.store.models import Attribution, Case, Conversation, Customer, FeedbackResponse, Handoff, SiloCorrection
from bot.taxonomy import UNATTRIBUTED

RESPONSES: Table = FeedbackResponse.__table__
ATTRIBUTIONS: Table = Attribution.__table__
HANDOFFS: Table = Handoff.__table__
CORRECTIONS: Table = SiloCorrection.__table__
CONVERSATIONS: Table = Conversation.__table__
CUSTOMERS: Table = Customer.__table__
CASES: Table = Case.__table__
DIMENSIONS = ("silo", "touchpoint", "channel")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Filters:
    silo: str | None = None
    touchpoint: str | None = None
    channel: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("silo", self.silo), ("touchpoint", self.touchpoint),
                                  ("channel", self.channel)) if v}


def dimension_column(dimension: str) -> Any:
    """The column a report groups by; missing values get a name so they still show up."""
    if dimension == "silo":
        return func.coalesce(RESPONSES.c.primary_silo, UNATTRIBUTED)
    if dimension == "channel":  # "Web" and "web" are one channel, as the filter treats them
        return func.lower(func.coalesce(RESPONSES.c.channel, UNKNOWN))
    return func.coalesce(RESPONSES.c[dimension], UNKNOWN)


def _created(connection: Connection, table: Table, prefer_scan: bool) -> Any:
    """``table.created_at``, written ``+created_at`` on SQLite when a scan beats the index."""
    if prefer_scan and connection.dialect.name == "sqlite":
        return type_coerce(literal_column(f"+{table.name}.created_at"), DateTime)
    return table.c.created_at


def _filter_conditions(filters: Filters) -> list[Any]:
    conditions = []
    if filters.silo:
        conditions.append(dimension_column("silo") == filters.silo)
    if filters.touchpoint:
        conditions.append(RESPONSES.c.touchpoint == filters.touchpoint)
    if filters.channel:  # case-insensitive: webhooks and widgets spell channels differently
        conditions.append(func.lower(RESPONSES.c.channel) == filters.channel.lower())
    return conditions


def covers_most(connection: Connection, since: datetime) -> bool:
    """Whether rows since ``since`` are likely most of the table (two index lookups, no scan)."""
    oldest = connection.execute(select(func.min(RESPONSES.c.created_at))).scalar()
    newest = connection.execute(select(func.max(RESPONSES.c.created_at))).scalar()
    if oldest is None or newest is None or newest <= oldest:
        return True
    return (newest - since) / (newest - oldest) > 0.2


def id_slices(connection: Connection, parts: int, minimum: int = 100_000) -> list[tuple[int, int] | None]:
    """Split the responses table into ``parts`` id ranges of at least ``minimum`` ids (or one: None).

    The sums are additive, so a scan can be cut into slices that run side by side on separate
    connections and cores; each slice walks its own part of the table (a rowid range, no index).
    """
    low = connection.execute(select(func.min(RESPONSES.c.id))).scalar()
    high = connection.execute(select(func.max(RESPONSES.c.id))).scalar()
    if low is None or high is None:
        return [None]
    parts = max(1, min(parts, (high - low + 1) // minimum))
    if parts == 1:
        return [None]
    step = (high - low + 1 + parts - 1) // parts
    return [(low + i * step, min(high + 1, low + (i + 1) * step)) for i in range(parts)]


def bucket_sums(connection: Connection, window: Window, filters: Filters, dimension: str | None,
                settings: MetricSettings, prefer_scan: bool, ids: tuple[int, int] | None = None) -> list[Any]:
    """One pass over the responses of this and the previous window: sums per (group, time bucket).

    With ``ids`` only that id range is read (see ``id_slices``).
    """
    created = _created(connection, RESPONSES, prefer_scan)
    bucket = bucket_expression(RESPONSES.c.created_at, connection.dialect.name, window).label("bucket")
    key = (dimension_column(dimension) if dimension else literal("all")).label("key")
    conditions = [created >= window.previous_start, created < window.end, *_filter_conditions(filters)]
    if not window.adjacent:  # a chosen comparison period: leave out the days between the two
        conditions.append(or_(created < window.previous_end, created >= window.start))
    if ids is not None:
        conditions += [RESPONSES.c.id >= ids[0], RESPONSES.c.id < ids[1]]
    statement = select(key, bucket, *sum_columns(RESPONSES, settings)).where(*conditions).group_by(key, bucket)
    return list(connection.execute(statement))


def response_sums(connection: Connection, window: Window, filters: Filters, settings: MetricSettings,
                  prefer_scan: bool, ids: tuple[int, int] | None = None) -> list[Any]:
    """Like ``bucket_sums``, but one row per response (key: its id), for groups SQL cannot name.

    ``report --by cycle`` uses it: a response's purchase cycle depends on the customer's earlier
    touchpoints (``analytics.cycles``), so the report adds these rows up by cycle in Python.
    """
    created = _created(connection, RESPONSES, prefer_scan)
    bucket = bucket_expression(RESPONSES.c.created_at, connection.dialect.name, window).label("bucket")
    conditions = [created >= window.previous_start, created < window.end, *_filter_conditions(filters)]
    if ids is not None:
        conditions += [RESPONSES.c.id >= ids[0], RESPONSES.c.id < ids[1]]
    statement = (select(RESPONSES.c.id.label("key"), bucket, *sum_columns(RESPONSES, settings))
                 .where(*conditions).group_by(RESPONSES.c.id, bucket))
    return list(connection.execute(statement))


def mentions(connection: Connection, window: Window, filters: Filters, prefer_scan: bool) -> dict[str, tuple[int, int]]:
    """Per silo: attribution rows and negative ones in the window (a response may blame several)."""
    negative = func.sum(case((ATTRIBUTIONS.c.sentiment_label == "negative", 1), else_=0))
    created = _created(connection, ATTRIBUTIONS, prefer_scan)
    silo = func.coalesce(ATTRIBUTIONS.c.silo, UNATTRIBUTED)
    statement = select(silo.label("silo"), func.count().label("n"), negative.label("negative"))
    conditions = [created >= window.start, created < window.end]
    if filters.silo:
        conditions.append(ATTRIBUTIONS.c.silo == filters.silo)
    response_filters = _filter_conditions(Filters(touchpoint=filters.touchpoint, channel=filters.channel))
    if response_filters:
        statement = statement.join_from(ATTRIBUTIONS, RESPONSES, ATTRIBUTIONS.c.response_id == RESPONSES.c.id)
        conditions += response_filters
    statement = statement.where(*conditions).group_by(silo)
    return {row.silo: (int(row.n), int(row.negative or 0)) for row in connection.execute(statement)}


def handoff_matrix(connection: Connection, window: Window, filters: Filters) -> list[Any]:
    """(from, to, count, mean sentiment) over hand-offs in the window.

    A hand-off row is written with its response, in the same transaction, so its own
    ``created_at`` places it in time; the join to responses is made only for their filters.
    """
    statement = select(HANDOFFS.c.from_silo, HANDOFFS.c.to_silo, func.count().label("n"),
                       func.avg(HANDOFFS.c.sentiment_score).label("sentiment"))
    conditions = [HANDOFFS.c.created_at >= window.start, HANDOFFS.c.created_at < window.end]
    if filters.silo:
        conditions.append(or_(HANDOFFS.c.from_silo == filters.silo, HANDOFFS.c.to_silo == filters.silo))
    response_filters = _filter_conditions(Filters(touchpoint=filters.touchpoint, channel=filters.channel))
    if response_filters:
        statement = statement.join_from(HANDOFFS, RESPONSES, HANDOFFS.c.response_id == RESPONSES.c.id)
        conditions += response_filters
    statement = statement.where(*conditions).group_by(HANDOFFS.c.from_silo, HANDOFFS.c.to_silo)
    return list(connection.execute(statement))


QUOTE_COLUMNS = (
    RESPONSES.c.id, RESPONSES.c.created_at, RESPONSES.c.primary_silo, RESPONSES.c.touchpoint,
    RESPONSES.c.channel, RESPONSES.c.score, RESPONSES.c.text, RESPONSES.c.sentiment_score,
    RESPONSES.c.primary_confidence,
)


def recent_quotes(connection: Connection, window: Window, filters: Filters, *, dimension: str | None = None,
                  key: str | None = None, dissatisfied_at_or_below: int | None = None, limit: int = 30,
                  offset: int = 0, scan: int | None = None, handoff: tuple[str, str] | None = None,
                  among: tuple[bool, Collection[int]] | None = None) -> list[Any]:
    """The newest open answers matching the filters (and one group, or one hand-off pair), newest first.

    ``among`` (inside, ids) keeps only the responses in (or, inside False, not in) ``ids``: a grouping
    computed outside SQL, such as purchase cycles. The ids are written into the statement, so any
    number of them fits (no bound-parameter limit).

    With ``scan``, only the newest ``scan`` responses of the group are looked at: a bounded walk
    down the ``created_at`` indexes, however many rows the window holds and however rare the
    matches are (report quotes and the theme sample use it; the drill-down pages do not).
    """
    if dimension == "silo" and key == UNATTRIBUTED:
        # "unattributed" is stored as the name or as NULL; an OR would defeat the index, so ask twice.
        both = []
        for condition in (RESPONSES.c.primary_silo == UNATTRIBUTED, RESPONSES.c.primary_silo.is_(None)):
            both += _recent(connection, window, filters, condition, dissatisfied_at_or_below, limit + offset, 0, scan)
        both.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return both[offset:offset + limit]
    condition = None
    if dimension and key is not None:
        condition = RESPONSES.c.primary_silo == key if dimension == "silo" else dimension_column(dimension) == key
    if handoff is not None:
        condition = RESPONSES.c.id.in_(select(HANDOFFS.c.response_id).where(
            HANDOFFS.c.from_silo == handoff[0], HANDOFFS.c.to_silo == handoff[1]))
    if among is not None:
        inside, ids = among
        listed = bindparam("among_ids", sorted(ids), expanding=True, literal_execute=True)
        condition = RESPONSES.c.id.in_(listed) if inside else RESPONSES.c.id.not_in(listed)
    return _recent(connection, window, filters, condition, dissatisfied_at_or_below, limit, offset, scan)


def _recent(connection: Connection, window: Window, filters: Filters, condition: Any,
            dissatisfied_at_or_below: int | None, limit: int, offset: int, scan: int | None) -> list[Any]:
    conditions = [RESPONSES.c.created_at >= window.start, RESPONSES.c.created_at < window.end,
                  *_filter_conditions(filters)]
    if condition is not None:
        conditions.append(condition)
    wanted = [RESPONSES.c.text.is_not(None)]
    if dissatisfied_at_or_below is not None:
        wanted.append(RESPONSES.c.score <= dissatisfied_at_or_below)
    newest = (RESPONSES.c.created_at.desc(), RESPONSES.c.id.desc())
    if scan is None:
        statement = select(*QUOTE_COLUMNS).where(and_(*conditions, *wanted))
        return list(connection.execute(statement.order_by(*newest).limit(limit).offset(offset)))
    recent = select(*QUOTE_COLUMNS).where(and_(*conditions)).order_by(*newest).limit(scan).subquery()
    statement = (select(*recent.c).where(recent.c.text.is_not(None))
                 .order_by(recent.c.created_at.desc(), recent.c.id.desc()).limit(limit).offset(offset))
    if dissatisfied_at_or_below is not None:
        statement = statement.where(recent.c.score <= dissatisfied_at_or_below)
    return list(connection.execute(statement))


def complaint_sample(connection: Connection, window: Window, filters: Filters, dissatisfied_at_or_below: int,
                     size: int) -> list[Any]:
    """The newest dissatisfied open answers themes are found in (a bounded walk, see ``recent_quotes``).

    The report and a theme's own page read the same sample, so a theme opens on the answers it counted.
    """
    return recent_quotes(connection, window, filters, limit=size, scan=size * 8,
                         dissatisfied_at_or_below=dissatisfied_at_or_below)


def response_ids(connection: Connection, window: Window, filters: Filters) -> list[int]:
    """Ids of the responses in the window that match the filters, oldest first (the dashboard's raw export)."""
    statement = (select(RESPONSES.c.id)
                 .where(RESPONSES.c.created_at >= window.start, RESPONSES.c.created_at < window.end,
                        *_filter_conditions(filters))
                 .order_by(RESPONSES.c.created_at, RESPONSES.c.id))
    return [int(i) for i in connection.execute(statement).scalars()]


def channels_present(connection: Connection) -> list[str]:
    """The channels answers came through, lower-cased and sorted (the dashboard's channel choice)."""
    channel = func.lower(RESPONSES.c.channel)
    statement = select(channel).where(RESPONSES.c.channel.is_not(None)).group_by(channel).order_by(channel)
    return [str(value) for value in connection.execute(statement).scalars()]


def has_any_response(connection: Connection) -> bool:
    return connection.execute(select(RESPONSES.c.id).limit(1)).first() is not None


def response_by_id(connection: Connection, response_id: int) -> Any | None:
    """One stored response row with who answered about what (customer, order, ticket, asked for a person)
    and its case (``case_id``, ``case_status``, ``case_owner``; None without one), or None."""
    statement = (select(RESPONSES, CUSTOMERS.c.ref.label("customer_ref"), CONVERSATIONS.c.order_id,
                        CONVERSATIONS.c.ticket_id, CONVERSATIONS.c.human_requested, CASES.c.id.label("case_id"),
                        CASES.c.status.label("case_status"), CASES.c.owner.label("case_owner"))
                 .join_from(RESPONSES, CONVERSATIONS, RESPONSES.c.conversation_id == CONVERSATIONS.c.id)
                 .outerjoin(CASES, CASES.c.response_id == RESPONSES.c.id)
                 .outerjoin(CUSTOMERS, func.coalesce(RESPONSES.c.customer_id, CONVERSATIONS.c.customer_id)
                            == CUSTOMERS.c.id)
                 .where(RESPONSES.c.id == response_id))
    return connection.execute(statement).first()


def attributions_of(connection: Connection, response_id: int) -> list[Any]:
    """The silos one response blames, strongest (rank 1) first."""
    statement = select(ATTRIBUTIONS).where(ATTRIBUTIONS.c.response_id == response_id).order_by(ATTRIBUTIONS.c.rank)
    return list(connection.execute(statement))


def handoffs_of(connection: Connection, response_id: int) -> list[Any]:
    """The hand-offs between silos one response describes, in the order they were stored."""
    statement = select(HANDOFFS).where(HANDOFFS.c.response_id == response_id).order_by(HANDOFFS.c.id)
    return list(connection.execute(statement))


def corrections_of(connection: Connection, response_id: int) -> list[Any]:
    """Managers' corrections of one response's silo, oldest first."""
    statement = select(CORRECTIONS).where(CORRECTIONS.c.response_id == response_id).order_by(CORRECTIONS.c.id)
    return list(connection.execute(statement))


def least_sure(connection: Connection, limit: int, offset: int = 0) -> list[Any]:
    """Answers with words that no manager has corrected, the model's least sure first.

    Unattributed answers (no confidence at all) come first, then by rising confidence of the top silo,
    newest first among equals: where a manager's look teaches the model most.
    """
    corrected = select(CORRECTIONS.c.response_id)
    unsure_first = case((RESPONSES.c.primary_confidence.is_(None), 0), else_=1)
    statement = (
        select(RESPONSES.c.id, RESPONSES.c.created_at, RESPONSES.c.touchpoint, RESPONSES.c.channel,
               RESPONSES.c.score, RESPONSES.c.text, RESPONSES.c.primary_silo, RESPONSES.c.primary_confidence)
        .where(RESPONSES.c.text.isnot(None), RESPONSES.c.id.not_in(corrected))
        .order_by(unsure_first, RESPONSES.c.primary_confidence, RESPONSES.c.created_at.desc(), RESPONSES.c.id.desc())
        .limit(limit).offset(offset)
    )
    return list(connection.execute(statement))

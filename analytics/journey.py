"""One customer's journey: every touchpoint and every answer, in time order, cut into purchase cycles.

A step is a touchpoint event (the shop, the helpdesk, the bank told us something happened) with
the survey that followed it, a survey without an event (the website widget), or an event nobody
answered (``status`` "not answered"). A survey belongs to an event when it is the same customer
and touchpoint (and order, when both name one) and started within ``MATCH_WITHIN`` after it:
the conversation's own ``event_id`` wins when the trigger recorded it. Texts are shown as stored,
so already redacted (and gone after the retention sweep or an erasure).

``load_steps`` serves both the timeline of one customer and the journey analytics over all of
them (``analytics/journey_stats.py``), so both read the same steps and the same cycles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection, Engine

from analytics.cycles import cycle_label, number_cycles
from bot.errors import UsageError
from bot.store.models import Attribution, Conversation, Customer, FeedbackResponse, Handoff, TouchpointEvent

EVENTS = TouchpointEvent.__table__
CONVERSATIONS = Conversation.__table__
RESPONSES = FeedbackResponse.__table__
NOT_ANSWERED = "not answered"
MATCH_WITHIN = timedelta(days=7)  # a survey taken a week after its event is its own step


class NoJourney(UsageError):
    """The customer is unknown, erased, or opted out: nothing of theirs is shown."""


@dataclass
class Step:
    """One touchpoint of one customer, with the survey answer if there is one."""

    at: datetime
    touchpoint: str | None
    department: str | None  # the silo that owns the touchpoint (silos.yml), the stage of the walk
    order_id: str | None
    ticket_id: str | None
    channel: str | None
    status: str
    cycle: int = 0
    response_id: int | None = None
    score: int | None = None
    effort: int | None = None
    contact_count: int | None = None
    primary_silo: str | None = None
    human_requested: bool = False
    text: str | None = None
    people: int | None = None  # different people or groups the tool says handled it, when it says
    silos: list[str] = field(default_factory=list)
    handoffs: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.response_id is not None and self.score is not None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = _iso(self.at)
        return data


@dataclass(frozen=True)
class CycleSummary:
    cycle: int
    start: str
    end: str
    orders: list[str]
    touchpoints: int
    answered: int
    mean_score: float | None


@dataclass(frozen=True)
class Journey:
    customer_ref: str
    cycle_gap_days: int
    cycles: list[CycleSummary]
    steps: list[Step]

    def to_dict(self) -> dict[str, Any]:
        return {"customer_ref": self.customer_ref, "cycle_gap_days": self.cycle_gap_days,
                "cycles": [asdict(c) for c in self.cycles], "steps": [s.to_dict() for s in self.steps]}


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds")


def _handlers(payload: Any) -> set[str]:
    """The agents and groups a ticket tool named on one event (``assignees``/``groups``, see bot/channels)."""
    if not isinstance(payload, dict):
        return set()
    return {f"{kind}:{v}" for kind in ("assignees", "groups") for v in payload.get(kind) or [] if v}


def _people_per_ticket(events: list[Any]) -> dict[str, int]:
    """Per ticket, the different agents and groups over all its events: the people met for one problem."""
    named: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.ticket_id:
            named[event.ticket_id] |= _handlers(event.payload)
    return {ticket: len(people) for ticket, people in named.items() if people}


def _people(event: Any, per_ticket: dict[str, int]) -> int | None:
    if event is None:
        return None
    return per_ticket.get(event.ticket_id) if event.ticket_id else (len(_handlers(event.payload)) or None)


def _match(events: list[Any], conversation: Any, used: set[int]) -> Any | None:
    """The event a survey followed: its own ``event_id``, else the latest unused one it fits."""
    if not events:
        return None
    if conversation.event_id is not None:
        return next((e for e in events if e.id == conversation.event_id), None)
    started = conversation.started_at
    fits = [e for e in events if e.id not in used and e.touchpoint == conversation.touchpoint
            and e.occurred_at <= started <= e.occurred_at + MATCH_WITHIN
            and not (e.order_id and conversation.order_id and e.order_id != conversation.order_id)]
    return max(fits, key=lambda e: e.occurred_at, default=None)


Pair = tuple[Any, Any]  # (event or None, conversation or None): one step


def _pairs(events: list[Any], conversations: list[Any], gap: timedelta) -> list[tuple[Pair, int]]:
    """One customer's steps as (event, conversation) pairs, oldest first, each with its cycle."""
    pairs: list[Pair]
    if events:
        used: set[int] = set()
        pairs = []
        for c in sorted(conversations, key=lambda c: (c.started_at, c.id)):
            event = _match(events, c, used)
            if event is not None:
                used.add(event.id)
            pairs.append((event, c))
        pairs += [(e, None) for e in events if e.id not in used]
    else:  # most customers of a survey tool: nothing to match (the common, fast path)
        pairs = [(None, c) for c in conversations]
    timed = sorted(((_at(e, c), (c.response_id if c is not None else None) or 0, e, c) for e, c in pairs),
                   key=itemgetter(0, 1))
    cycles = number_cycles(((at, _first(c, e, "order_id")) for at, _, e, c in timed), gap)
    return [((e, c), cycle) for (_, _, e, c), cycle in zip(timed, cycles, strict=True)]


def _at(event: Any, conversation: Any) -> datetime:
    """When the step happened: the touchpoint's own time, else when the customer answered or was asked."""
    if event is not None:
        return event.occurred_at  # type: ignore[no-any-return]
    return conversation.created_at if conversation.response_id is not None else conversation.started_at  # type: ignore[no-any-return]


def _first(conversation: Any, event: Any, name: str) -> Any:
    """The conversation's value of ``name``, else the event's."""
    value = getattr(conversation, name) if conversation is not None else None
    return value if value or event is None else getattr(event, name)


def _step(event: Any, c: Any, cycle: int, texts: bool, per_ticket: dict[str, int]) -> Step:
    people = _people(event, per_ticket)
    if c is None:
        return Step(at=event.occurred_at, touchpoint=event.touchpoint, department=event.silo, order_id=event.order_id,
                    ticket_id=event.ticket_id, channel=event.channel, status=NOT_ANSWERED, cycle=cycle, people=people)
    answered = c.response_id is not None
    return Step(
        at=_at(event, c), touchpoint=c.r_touchpoint or _first(c, event, "touchpoint"),
        department=c.touchpoint_silo or (event.silo if event is not None else None),
        order_id=_first(c, event, "order_id"), ticket_id=_first(c, event, "ticket_id"),
        channel=c.r_channel or _first(c, event, "channel"), status=c.r_status if answered else NOT_ANSWERED,
        cycle=cycle, response_id=c.response_id, score=c.score, effort=c.effort, contact_count=c.contact_count,
        primary_silo=c.primary_silo, human_requested=bool(c.human_requested), text=c.text if texts else None,
        people=people,
    )


def _read(connection: Connection, *, lean: bool, customer_id: int | None = None, texts: bool = False,
          until: datetime | None = None) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Events and conversations (with their response) by customer; ``lean``: only what cycles need."""
    event_columns = [EVENTS.c.id, EVENTS.c.customer_id, EVENTS.c.occurred_at, EVENTS.c.touchpoint, EVENTS.c.order_id]
    conversation_columns = [
        CONVERSATIONS.c.id, CONVERSATIONS.c.customer_id, CONVERSATIONS.c.event_id, CONVERSATIONS.c.touchpoint,
        CONVERSATIONS.c.order_id, CONVERSATIONS.c.started_at, RESPONSES.c.id.label("response_id"),
        RESPONSES.c.customer_id.label("r_customer_id"), RESPONSES.c.created_at,
    ]
    if not lean:
        event_columns += [EVENTS.c.silo, EVENTS.c.channel, EVENTS.c.ticket_id, EVENTS.c.payload]
        conversation_columns += [
            CONVERSATIONS.c.channel, CONVERSATIONS.c.ticket_id, CONVERSATIONS.c.human_requested,
            RESPONSES.c.touchpoint.label("r_touchpoint"), RESPONSES.c.touchpoint_silo,
            RESPONSES.c.channel.label("r_channel"), RESPONSES.c.score, RESPONSES.c.effort, RESPONSES.c.contact_count,
            RESPONSES.c.primary_silo, RESPONSES.c.status.label("r_status"), *([RESPONSES.c.text] if texts else []),
        ]
    events_q = select(*event_columns)
    conversations_q = select(*conversation_columns).select_from(
        CONVERSATIONS.outerjoin(RESPONSES, RESPONSES.c.conversation_id == CONVERSATIONS.c.id))
    if customer_id is not None:
        events_q = events_q.where(EVENTS.c.customer_id == customer_id)
        conversations_q = conversations_q.where(or_(CONVERSATIONS.c.customer_id == customer_id,
                                                    RESPONSES.c.customer_id == customer_id))
    else:
        conversations_q = conversations_q.where(or_(CONVERSATIONS.c.customer_id.is_not(None),
                                                    RESPONSES.c.customer_id.is_not(None)))
    if until is not None:
        events_q = events_q.where(EVENTS.c.occurred_at < until)
        conversations_q = conversations_q.where(CONVERSATIONS.c.started_at < until)
    events: dict[int, list[Any]] = defaultdict(list)
    for row in connection.execute(events_q):
        events[row.customer_id].append(row)
    conversations: dict[int, list[Any]] = defaultdict(list)
    for row in connection.execute(conversations_q):
        conversations[row.customer_id if row.customer_id is not None else row.r_customer_id].append(row)
    return events, conversations


def load_steps(connection: Connection, gap: timedelta, *, customer_id: int | None = None,
               texts: bool = False, until: datetime | None = None) -> dict[int, list[Step]]:
    """Every customer's steps (or one customer's), oldest first, with their cycles; ``until`` excludes later ones.

    Reads a handful of columns per event and per conversation; the free text only with ``texts``.
    """
    events, conversations = _read(connection, lean=False, customer_id=customer_id, texts=texts, until=until)
    steps: dict[int, list[Step]] = {}
    for cid in sorted(set(events) | set(conversations)):
        mine = events.get(cid, [])
        per_ticket = _people_per_ticket(mine) if mine else {}
        steps[cid] = [_step(e, c, cycle, texts, per_ticket) for (e, c), cycle in
                      _pairs(mine, conversations.get(cid, []), gap)]
    return steps


def _details(connection: Connection, steps: list[Step]) -> None:
    """The silos each answer blames (strongest first) and its hand-offs, for the timeline of one customer."""
    ids = [s.response_id for s in steps if s.response_id is not None]
    if not ids:
        return
    silos: dict[int, list[str]] = defaultdict(list)
    pairs: dict[int, list[str]] = defaultdict(list)
    attributions, handoffs = Attribution.__table__, Handoff.__table__
    for row in connection.execute(select(attributions.c.response_id, attributions.c.silo)
                                  .where(attributions.c.response_id.in_(ids)).order_by(attributions.c.rank)):
        silos[row.response_id].append(row.silo)
    for row in connection.execute(select(handoffs.c.response_id, handoffs.c.from_silo, handoffs.c.to_silo)
                                  .where(handoffs.c.response_id.in_(ids)).order_by(handoffs.c.id)):
        pairs[row.response_id].append(f"{row.from_silo}→{row.to_silo}")
    for step in steps:
        if step.response_id is not None:
            step.silos, step.handoffs = silos.get(step.response_id, []), pairs.get(step.response_id, [])


def _summaries(steps: list[Step]) -> list[CycleSummary]:
    by_cycle: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        by_cycle[step.cycle].append(step)
    result = []
    for cycle, members in sorted(by_cycle.items()):
        scores = [s.score for s in members if s.score is not None]
        orders = list(dict.fromkeys(s.order_id for s in members if s.order_id))
        result.append(CycleSummary(cycle=cycle, start=_iso(members[0].at), end=_iso(members[-1].at), orders=orders,
                                   touchpoints=len(members), answered=sum(1 for s in members if s.answered),
                                   mean_score=round(sum(scores) / len(scores), 2) if scores else None))
    return result


def customer_journey(engine: Engine, ref: str, gap_days: int) -> Journey:
    """The timeline of the customer the company calls ``ref``; ``NoJourney`` when there is none to show."""
    ref = ref.strip()
    if not ref:
        raise NoJourney("give the customer reference, e.g. C-42")
    customers = Customer.__table__
    with engine.connect() as connection:
        customer = connection.execute(select(customers.c.id, customers.c.opted_out)
                                      .where(customers.c.ref == ref)).first()
        if customer is None:
            raise NoJourney(f"no customer {ref!r} is stored (unknown, or erased)")
        if customer.opted_out:
            raise NoJourney(f"customer {ref!r} opted out: their journey is not shown")
        steps = load_steps(connection, timedelta(days=gap_days), customer_id=customer.id, texts=True)
        mine = steps.get(customer.id, [])
        _details(connection, mine)
    if not mine:
        raise NoJourney(f"customer {ref!r} has no touchpoints or answers stored")
    return Journey(customer_ref=ref, cycle_gap_days=gap_days, cycles=_summaries(mine), steps=mine)


def cycle_labels(connection: Connection, gap: timedelta, until: datetime) -> dict[int, str]:
    """Response id to "first" or "repeat" cycle, over every customer's steps before ``until``.

    Cycles depend on everything a customer did before, so this reads the steps of all customers
    (a few columns each): the cost of ``report --by cycle``, paid only when it is asked for.
    """
    events, conversations = _read(connection, lean=True, until=until)
    return {c.response_id: cycle_label(cycle) for cid in set(events) | set(conversations)
            for (_e, c), cycle in _pairs(events.get(cid, []), conversations.get(cid, []), gap)
            if c is not None and c.response_id is not None}

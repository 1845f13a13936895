"""A case: one response a department must act on, from the moment it is opened until it is closed.

A case is opened when the customer asks for a person (at once, while the survey may still go on) or
when the finished response crosses the alert thresholds (``bot.channels.alerts``); both lead to the
same case, one per response. Opening is idempotent, because the chat's operations are replayed from
the spool: opening again only adds a reason the case does not have yet. Every change (status, owner,
note, closing with its outcome) is a ``CaseEvent`` saying who did what and when. A change that cannot
be made raises :class:`CaseRefused` before anything is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UsageError
from bot.settings.sections import CaseSettings
from bot.store.models import Case, CaseEvent, FeedbackResponse, utcnow
from bot.taxonomy import UNATTRIBUTED, Taxonomy

STATUSES = ("open", "in_progress", "closed")
ASKED_FOR_PERSON = "asked for a person"
SYSTEM_ACTOR = "siloscope"
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 4000
REASON_CHARS = 300  # the column's size


class CaseRefused(UsageError):
    """The change names an unknown case, silo or status, or would change nothing; nothing was written."""


class NoSuchCase(CaseRefused):
    """The change names a case that does not exist."""


def owner_for(response: FeedbackResponse, settings: CaseSettings) -> str:
    """Who must act: the department the words blame, else the touchpoint's, else the configured default."""
    if response.primary_silo and response.primary_silo != UNATTRIBUTED:
        return response.primary_silo
    return response.touchpoint_silo or settings.default_owner


def _due(opened_at: datetime, reason: str, settings: CaseSettings) -> datetime:
    hours = settings.due_hours_asked_for_person if reason == ASKED_FOR_PERSON else settings.due_hours_alert_thresholds
    return opened_at + timedelta(hours=hours)


def case_of(session: Session, response_id: int) -> Case | None:
    return session.execute(select(Case).where(Case.response_id == response_id)).scalar_one_or_none()


def open_case(session: Session, response: FeedbackResponse, owner: str, reason: str,
              settings: CaseSettings) -> Case:
    """The response's case, opened now if it has none; a reason it lacks is added (the due time may come closer).

    A closed case stays closed: the department has answered, and a replayed operation must not undo that.
    """
    if response.id is None:
        session.flush()
    case = case_of(session, response.id)
    now = utcnow()
    if case is None:
        case = Case(response_id=response.id, customer_id=response.customer_id, owner=owner,
                    reason=reason[:REASON_CHARS], status="open", opened_at=now, due_at=_due(now, reason, settings))
        case.events.append(CaseEvent(at=now, actor=SYSTEM_ACTOR, kind="opened", to_value=owner, note=reason))
        session.add(case)
        session.flush()
        return case
    if reason in case.reason.split("; "):
        return case
    case.reason = f"{case.reason}; {reason}"[:REASON_CHARS]
    case.due_at = min(case.due_at, _due(case.opened_at, reason, settings))
    case.events.append(CaseEvent(at=now, actor=SYSTEM_ACTOR, kind="reason", to_value=reason))
    session.flush()
    return case


def _actor(by: str) -> str:
    by = " ".join((by or "").split())
    if not by or len(by) > MAX_NAME_CHARS:
        raise CaseRefused(f"say who makes the change (a name of 1 to {MAX_NAME_CHARS} characters)")
    return by


def _text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise CaseRefused(f"the {what} is empty")
    if len(value) > MAX_NOTE_CHARS:
        raise CaseRefused(f"the {what} is longer than {MAX_NOTE_CHARS} characters")
    return value


def _get(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NoSuchCase(f"no case #{case_id}")
    return case


def update_case(session: Session, case_id: int, by: str, taxonomy: Taxonomy, *, status: str | None = None,
                owner: str | None = None, note: str | None = None) -> Case:
    """Change a case's status (not to closed: closing needs an outcome) or owner, or add a note.

    A closed case can be reopened with ``status="open"`` or ``"in_progress"``; its outcome stays in the history.
    """
    by = _actor(by)
    note = _text(note, "note")
    if status is not None and status not in STATUSES:
        raise CaseRefused(f"unknown status '{status}' (expected one of: {', '.join(STATUSES)})")
    if status == "closed":
        raise CaseRefused("a case is closed with its outcome: use close (cases close ID --outcome TEXT)")
    if owner is not None and owner not in taxonomy.silos:
        raise CaseRefused(f"unknown silo '{owner}' (expected one of: {', '.join(taxonomy.silos)})")
    case = _get(session, case_id)
    changes = [(kind, old, new) for kind, old, new in (("status", case.status, status), ("owner", case.owner, owner))
               if new is not None and new != old]
    if not changes and note is None:
        raise CaseRefused(f"nothing to change on case #{case_id}: it is already {case.status}, owned by {case.owner}")
    now = utcnow()
    for kind, old, new in changes:
        setattr(case, kind, new)
        case.events.append(CaseEvent(at=now, actor=by, kind=kind, from_value=old, to_value=new))
    if case.status != "closed":  # reopened: the outcome stays in the history only
        case.closed_at = case.outcome = None
    if note is not None:
        case.events.append(CaseEvent(at=now, actor=by, kind="note", note=note))
    session.flush()
    return case


def close_case(session: Session, case_id: int, outcome: str, by: str) -> Case:
    """Close the case with what was done about it (the outcome is required: it is what the loop was for)."""
    by = _actor(by)
    text = _text(outcome, "outcome")
    case = _get(session, case_id)
    if case.status == "closed":
        raise CaseRefused(f"case #{case_id} is already closed (outcome: {case.outcome})")
    now = utcnow()
    case.events.append(CaseEvent(at=now, actor=by, kind="closed", from_value=case.status, to_value="closed",
                                 note=text))
    case.status, case.closed_at, case.outcome = "closed", now, text
    session.flush()
    return case


def is_overdue(case: Case, now: datetime | None = None) -> bool:
    return case.status != "closed" and case.due_at < (now or utcnow())


def update(database_url: str, case_id: int, by: str, *, status: str | None = None, owner: str | None = None,
           note: str | None = None) -> None:
    """``update_case`` in a transaction of its own on the configured store (the CLI's and the dashboard's door)."""
    from bot.store.db import engine_for, session_factory
    from bot.taxonomy import load_taxonomy

    with session_factory(engine_for(database_url)).begin() as session:
        update_case(session, case_id, by, load_taxonomy(), status=status, owner=owner, note=note)


def close(database_url: str, case_id: int, outcome: str, by: str) -> None:
    """``close_case`` in a transaction of its own on the configured store."""
    from bot.store.db import engine_for, session_factory

    with session_factory(engine_for(database_url)).begin() as session:
        close_case(session, case_id, outcome, by)

"""Reading cases back for the people who work them: a department's queue and one case with its history.

The CLI (``siloscope cases``) and the dashboard (``bot.web.case_pages``) show the same rows, so the
queue's order is decided once, here: overdue cases first, then the nearest due time; closed cases,
when asked for, newest closed first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import STATUSES, CaseRefused, is_overdue
from bot.store.models import Case, Customer, FeedbackResponse, utcnow
from bot.taxonomy import Taxonomy

OPEN_STATUSES = ("open", "in_progress")
QUOTE_CHARS = 120


@dataclass(frozen=True)
class CaseRow:
    id: int
    response_id: int
    owner: str
    status: str
    reason: str
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None
    overdue: bool
    touchpoint: str | None
    score: int | None
    quote: str | None
    outcome: str | None

    def as_json(self) -> dict[str, Any]:
        stamp = {k: _iso(getattr(self, k)) for k in ("opened_at", "due_at", "closed_at")}
        return {**{k: v for k, v in self.__dict__.items() if k not in stamp}, **stamp}


@dataclass(frozen=True)
class CaseEventRow:
    at: datetime
    by: str
    kind: str
    from_value: str | None
    to_value: str | None
    note: str | None

    def as_json(self) -> dict[str, Any]:
        return {"at": _iso(self.at), "by": self.by, "kind": self.kind, "from": self.from_value, "to": self.to_value,
                "note": self.note}


@dataclass(frozen=True)
class CaseDetail:
    case: CaseRow
    customer_ref: str | None
    text: str | None  # every word the customer gave, not cut
    history: list[CaseEventRow]

    def as_json(self) -> dict[str, Any]:
        return {**self.case.as_json(), "customer_ref": self.customer_ref, "text": self.text,
                "history": [e.as_json() for e in self.history]}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _quote(text: str | None) -> str | None:
    if not text or len(text) <= QUOTE_CHARS:
        return text
    return text[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _row(case: Case, response: FeedbackResponse, now: datetime) -> CaseRow:
    return CaseRow(id=case.id, response_id=case.response_id, owner=case.owner, status=case.status,
                   reason=case.reason, opened_at=case.opened_at, due_at=case.due_at, closed_at=case.closed_at,
                   overdue=is_overdue(case, now), touchpoint=response.touchpoint, score=response.score,
                   quote=_quote(response.words), outcome=case.outcome)


def check_filters(taxonomy: Taxonomy, silo: str | None, status: str | None) -> None:
    """Refuse an unknown silo or status in one line (a typo must not show an empty, reassuring queue)."""
    if silo and silo not in taxonomy.silos:
        raise CaseRefused(f"unknown silo '{silo}' (expected one of: {', '.join(taxonomy.silos)})")
    if status and status not in STATUSES:
        raise CaseRefused(f"unknown status '{status}' (expected one of: {', '.join(STATUSES)})")


def list_cases(session: Session, *, silo: str | None = None, status: str | None = None, overdue: bool = False,
               now: datetime | None = None) -> list[CaseRow]:
    """The queue: ``status`` None means every case still to work (open and in progress)."""
    now = now or utcnow()
    query = select(Case, FeedbackResponse).join(FeedbackResponse, FeedbackResponse.id == Case.response_id)
    query = query.where(Case.status == status) if status else query.where(Case.status.in_(OPEN_STATUSES))
    if silo:
        query = query.where(Case.owner == silo)
    if overdue:
        query = query.where(Case.status != "closed", Case.due_at < now)
    rows = [_row(case, response, now) for case, response in session.execute(query)]
    if status == "closed":
        return sorted(rows, key=lambda r: (r.closed_at or r.opened_at, r.id), reverse=True)
    return sorted(rows, key=lambda r: (not r.overdue, r.due_at, r.id))


def case_detail(session: Session, case_id: int, now: datetime | None = None) -> CaseDetail | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    response = session.get(FeedbackResponse, case.response_id)
    customer = session.get(Customer, case.customer_id) if case.customer_id is not None else None
    history = [CaseEventRow(e.at, e.actor, e.kind, e.from_value, e.to_value, e.note) for e in case.events]
    return CaseDetail(case=_row(case, response, now or utcnow()), customer_ref=customer.ref if customer else None,
                      text=response.words, history=history)

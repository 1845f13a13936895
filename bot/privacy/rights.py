"""A customer's rights over what we keep: a copy of all of it, its erasure, and a retention window.

Everything about one customer is found from the ref the company gave us: the customer row,
its touchpoint events, conversations and responses (with their attributions and hand-offs),
the cases opened on those responses (with their notes and history),
the outbox messages made for them (``trigger:<event>``, ``alert:<response>:...``), operations
waiting in the spool (``var/spool/*.jsonl``), messages in the development callback inbox, and,
when Rasa keeps its trackers in the same database, the chat transcript (table ``events``).

Erasure keeps the aggregate counts honest: a response keeps its score, effort, sentiment and
silos (the reports' numbers do not change), but loses every free text and every link back to
the person. The customer row stays as an anonymous ``erased-…`` id, so "distinct customers"
stays right. The tool's own event id is kept, so a replayed webhook is still a duplicate and
does not survey the person again. Each erasure and each retention sweep writes a row to
``privacy_audit`` (who, when, how many of what), naming the customer only by a hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import column, delete, false, inspect, or_, select, table, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.privacy.files import write_private
from bot.store.models import (
    Attribution,
    Case,
    CaseEvent,
    CompanyExample,
    Conversation,
    Customer,
    FeedbackResponse,
    Handoff,
    OutboxMessage,
    PrivacyAudit,
    TouchpointEvent,
    utcnow,
)
from bot.store.repository import export_records, find_customer
from bot.store.spool import Spool

log = logging.getLogger(__name__)

RASA_TRACKER_TABLE = "events"  # rasa's SQLTrackerStore, when it shares our database


def subject_of(customer_ref: str) -> str:
    """How the audit names a customer: a hash, so the log proves an erasure without keeping the ref."""
    return hashlib.sha256(customer_ref.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Files:
    """The local files that may hold customers' words, besides the database."""

    spool_dir: Path
    inbox: Path

    def spools(self) -> list[Spool]:
        """Each spool in the folder (its dead letters go with it)."""
        if not self.spool_dir.is_dir():
            return []
        return [Spool(p) for p in sorted(self.spool_dir.glob("*.jsonl")) if not p.name.endswith(".dead.jsonl")]

    def spooled(self) -> list[dict[str, Any]]:
        """Every record waiting in a spool or set aside as a dead letter."""
        return [r for spool in self.spools() for r in _read_jsonl(spool.path)] + [
            entry["record"] for spool in self.spools() for entry in _read_jsonl(spool.dead_path)
            if isinstance(entry.get("record"), dict)]


def default_files() -> Files:
    from bot.feedback import spool_dir
    from bot.web.customer_messages import inbox_file

    return Files(spool_dir(), inbox_file())


# -- finding one customer's data ----------------------------------------------------------
@dataclass
class Footprint:
    """The ids of everything stored about one customer."""

    ref: str
    customer: Customer | None = None
    conversations: list[Conversation] = field(default_factory=list)
    events: list[TouchpointEvent] = field(default_factory=list)
    response_ids: list[int] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    # Taken when found, so they still match the files after the rows are anonymised.
    keys: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)  # every chat id used (a webhook survey uses the ref)

    def owns_spooled(self, record: dict[str, Any]) -> bool:
        ref = record.get("ref") or {}
        return (ref.get("customer_ref") == self.ref or ref.get("key") in self.keys
                or ref.get("sender_id") in self.senders)

    def owns_message(self, message: dict[str, Any]) -> bool:
        return message.get("recipient_id") in self.senders


def footprint(session: Session, ref: str) -> Footprint:
    found = Footprint(ref)
    customer = found.customer = find_customer(session, ref)
    found.conversations = list(session.scalars(select(Conversation).where(or_(
        Conversation.customer_id == customer.id if customer else false(), Conversation.sender_id == ref,
    )).order_by(Conversation.id)))
    if customer is not None:
        found.events = list(session.scalars(
            select(TouchpointEvent).where(TouchpointEvent.customer_id == customer.id).order_by(TouchpointEvent.id)))
    found.response_ids = list(session.scalars(select(FeedbackResponse.id).where(or_(
        FeedbackResponse.customer_id == customer.id if customer else false(),
        FeedbackResponse.conversation_id.in_([c.id for c in found.conversations]),
    )).order_by(FeedbackResponse.id)))
    if found.response_ids:
        found.cases = list(session.scalars(select(Case).where(Case.response_id.in_(found.response_ids))
                                           .order_by(Case.id)))
    found.keys = {c.key for c in found.conversations}
    found.senders = {ref, *(c.sender_id for c in found.conversations)}
    keys = [f"trigger:{e.event_id}" for e in found.events]
    alerts = [OutboxMessage.dedupe_key.like(f"alert:{rid}:%") for rid in found.response_ids]
    if keys or alerts:
        found.outbox = list(session.scalars(select(OutboxMessage).where(or_(
            OutboxMessage.dedupe_key.in_(keys), *alerts)).order_by(OutboxMessage.id)))
    return found


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                records.append({"unreadable_line": line})
    return records


def _drop_jsonl(path: Path, drop: Callable[[dict[str, Any]], bool]) -> int:
    """Rewrite ``path`` without the records ``drop`` picks (atomically, owner-only); how many went."""
    if not path.exists():
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = []
    for line in lines:
        try:
            record = json.loads(line) if line.strip() else None
        except ValueError:
            record = None
        if record is None or not drop(record):
            kept.append(line)
    if len(kept) != len(lines):
        write_private(path, "".join(kept))
    return len(lines) - len(kept)


def _tracker_table(connection: Connection) -> bool:
    inspector = inspect(connection)
    return inspector.has_table(RASA_TRACKER_TABLE) and "sender_id" in {
        c["name"] for c in inspector.get_columns(RASA_TRACKER_TABLE)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


# -- the right of access -------------------------------------------------------------------
def export_customer(factory: sessionmaker, ref: str, files: Files | None = None) -> dict[str, Any] | None:
    """Everything stored about ``ref`` as one JSON-ready document; None when nothing is."""
    files = files or default_files()
    with factory() as session:
        found = footprint(session, ref)
        customer = found.customer
        responses = list(export_records(session, response_ids=found.response_ids)) if found.response_ids else []
        transcript: list[dict[str, Any]] = []
        connection = session.connection()
        if found.conversations and _tracker_table(connection):
            events = table(RASA_TRACKER_TABLE, column("sender_id"), column("type_name"), column("timestamp"),
                           column("data"))
            transcript = [dict(row._mapping) for row in connection.execute(
                select(events).where(events.c.sender_id.in_(sorted(found.senders))).order_by(events.c.timestamp))]
        document = {
            "customer_ref": ref,
            "exported_at": _iso(utcnow()),
            "customer": None if customer is None else {
                "ref": customer.ref, "opted_out": customer.opted_out, "opted_out_at": _iso(customer.opted_out_at),
                "last_surveyed_at": _iso(customer.last_surveyed_at), "created_at": _iso(customer.created_at),
            },
            "events": [{
                "event_id": e.event_id, "source": e.source, "touchpoint": e.touchpoint, "silo": e.silo,
                "channel": e.channel, "order_id": e.order_id, "ticket_id": e.ticket_id,
                "occurred_at": _iso(e.occurred_at), "received_at": _iso(e.received_at), "payload": e.payload,
            } for e in found.events],
            "conversations": [{
                "key": c.key, "sender_id": c.sender_id, "touchpoint": c.touchpoint, "channel": c.channel,
                "order_id": c.order_id, "ticket_id": c.ticket_id, "status": c.status,
                "human_requested": c.human_requested, "started_at": _iso(c.started_at),
                "updated_at": _iso(c.updated_at),
            } for c in found.conversations],
            "responses": responses,
            "cases": [{
                "id": c.id, "response_id": c.response_id, "owner": c.owner, "reason": c.reason, "status": c.status,
                "opened_at": _iso(c.opened_at), "due_at": _iso(c.due_at), "closed_at": _iso(c.closed_at),
                "outcome": c.outcome,
                "history": [{"at": _iso(e.at), "by": e.actor, "kind": e.kind, "from": e.from_value,
                             "to": e.to_value, "note": e.note} for e in c.events],
            } for c in found.cases],
            "outbox": [{
                "id": m.id, "kind": m.kind, "destination": m.destination, "status": m.status,
                "created_at": _iso(m.created_at), "delivered_at": _iso(m.delivered_at), "payload": m.payload,
            } for m in found.outbox],
            "chat_transcript": transcript,
            "spooled": [r for r in files.spooled() if found.owns_spooled(r)],
            "messages_sent": [m for m in _read_jsonl(files.inbox) if found.owns_message(m)],
        }
    empty = ("customer", "events", "conversations", "responses", "cases", "outbox", "spooled", "messages_sent")
    return document if any(document[key] for key in empty) else None


# -- the right to erasure ------------------------------------------------------------------
def _audit(session: Session, actor: str, action: str, subject: str | None, counts: dict[str, int]) -> None:
    session.add(PrivacyAudit(actor=actor, action=action, subject=subject, counts=counts))


def _scrub_free_text(session: Session, response_ids: Any) -> dict[str, int]:
    """Free text off these responses and their analysis; scores, silos and dates untouched."""
    responses = session.execute(
        update(FeedbackResponse)
        .where(FeedbackResponse.id.in_(response_ids),
               or_(FeedbackResponse.text.isnot(None), FeedbackResponse.probe_text.isnot(None)))
        .values(text=None, probe_text=None, updated_at=FeedbackResponse.updated_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    evidence = 0
    for model in (Attribution, Handoff):
        evidence += session.execute(
            update(model).where(model.response_id.in_(response_ids), model.evidence.isnot(None))
            .values(evidence=None).execution_options(synchronize_session=False)
        ).rowcount
    # a manager's correction made the customer's words a training example: they go with the text
    examples = session.execute(
        delete(CompanyExample).where(CompanyExample.response_id.in_(response_ids))
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"texts": responses, "evidence": evidence, "training_examples": examples}


def count_customer(factory: sessionmaker, ref: str, files: Files | None = None) -> dict[str, int]:
    """How many of each kind of record an erasure of ``ref`` would touch (for the confirmation)."""
    files = files or default_files()
    with factory() as session:
        found = footprint(session, ref)
        return {
            "customer": int(found.customer is not None), "events": len(found.events),
            "conversations": len(found.conversations), "responses": len(found.response_ids),
            "cases": len(found.cases), "outbox": len(found.outbox),
            "spooled": sum(1 for r in files.spooled() if found.owns_spooled(r)),
            "messages_sent": sum(1 for m in _read_jsonl(files.inbox) if found.owns_message(m)),
        }


def erase_customer(factory: sessionmaker, ref: str, actor: str, files: Files | None = None) -> dict[str, int]:
    """Erase or anonymise everything about ``ref`` (one transaction, then the files); the counts."""
    files = files or default_files()
    with factory.begin() as session:
        found = footprint(session, ref)
        counts = {"customer": 0, "events": len(found.events), "conversations": len(found.conversations),
                  "responses": len(found.response_ids), "cases": len(found.cases), "outbox": len(found.outbox),
                  "chat_events": 0}
        counts.update(_scrub_free_text(session, found.response_ids))
        # a case's notes and outcome are staff's words about this person: the case goes whole
        case_ids = [c.id for c in found.cases]
        if case_ids:
            session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(case_ids))
                            .execution_options(synchronize_session=False))
            session.execute(delete(Case).where(Case.id.in_(case_ids)).execution_options(synchronize_session=False))
        senders = sorted(found.senders)
        for conversation in found.conversations:
            conversation.key = f"erased-{uuid.uuid4().hex}"
            conversation.sender_id = "erased"
            conversation.order_id = conversation.ticket_id = None
        for event in found.events:
            event.payload, event.order_id, event.ticket_id = None, None, None
        for message in found.outbox:  # a pending trigger would survey them; an alert quotes them
            session.delete(message)
        if found.customer is not None:
            found.customer.ref = f"erased-{uuid.uuid4().hex}"
            counts["customer"] = 1
        connection = session.connection()
        if _tracker_table(connection):
            events = table(RASA_TRACKER_TABLE, column("sender_id"))
            counts["chat_events"] = connection.execute(
                delete(events).where(events.c.sender_id.in_(senders))).rowcount
        counts["spooled"] = sum(spool.discard(found.owns_spooled) for spool in files.spools())
        counts["messages_sent"] = _drop_jsonl(files.inbox, found.owns_message)
        _audit(session, actor, "erase", subject_of(ref), counts)
    log.info("erased customer %s: %s", subject_of(ref), counts)
    return counts


# -- the retention window ------------------------------------------------------------------
def purge_expired(factory: sessionmaker, retention_days: int, actor: str = "retention",
                  files: Files | None = None, now: datetime | None = None) -> dict[str, int]:
    """Erase free text last changed more than ``retention_days`` ago; writes an audit row if any went."""
    files = files or default_files()
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    with factory.begin() as session:
        old = select(FeedbackResponse.id).where(FeedbackResponse.updated_at < cutoff).scalar_subquery()
        counts = _scrub_free_text(session, old)
        alerts = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "alert", OutboxMessage.status.in_(("delivered", "dead")),
            OutboxMessage.created_at < cutoff)))
        for message in alerts:
            session.delete(message)
        counts["outbox"] = len(alerts)
        counts["case_notes"] = _scrub_case_text(session, cutoff)
        counts["messages_sent"] = _drop_jsonl(files.inbox, lambda m: _older(m.get("received_at"), cutoff))
        counts["chat_events"] = 0
        connection = session.connection()
        if _tracker_table(connection):  # Rasa's transcript holds the words as typed, before our door
            events = table(RASA_TRACKER_TABLE, column("timestamp"))
            epoch = (cutoff - datetime(1970, 1, 1)).total_seconds()
            counts["chat_events"] = connection.execute(delete(events).where(events.c.timestamp < epoch)).rowcount
        if any(counts.values()):
            _audit(session, actor, "purge_expired", None, {**counts, "retention_days": retention_days})
    return counts


def _scrub_case_text(session: Session, cutoff: datetime) -> int:
    """Staff's notes and outcomes on cases are free text about a customer too: older than ``cutoff``, they go.

    The case stays (owner, status, dates, reasons), so "how many cases, closed how fast" still holds.
    """
    notes = session.execute(
        update(CaseEvent).where(CaseEvent.at < cutoff, CaseEvent.note.isnot(None)).values(note=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    outcomes = session.execute(
        update(Case).where(Case.closed_at < cutoff, Case.outcome.isnot(None))
        .values(outcome=None, updated_at=Case.updated_at).execution_options(synchronize_session=False)
    ).rowcount
    return notes + outcomes


def _older(stamp: Any, cutoff: datetime) -> bool:
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        return False
    return (when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when) < cutoff


def audit_rows(factory: sessionmaker, limit: int = 50) -> Iterable[PrivacyAudit]:
    with factory() as session:
        return list(session.scalars(select(PrivacyAudit).order_by(PrivacyAudit.id.desc()).limit(limit)))

"""The durable outbox: everything we owe a peer, written in the same transaction as its cause.

A message is ``pending`` until delivered. A worker *claims* a due message by moving it to
``sending`` with a lease (one UPDATE that only one worker can win), sends it, then marks it
``delivered`` - so two workers (the web service's loop and ``siloscope outbox retry``) never
send the same message twice. A failure schedules the next attempt with doubling backoff;
after ``max_attempts`` the message is ``dead`` and waits for ``siloscope outbox retry --dead``.
A worker that dies mid-send leaves a ``sending`` row whose lease runs out; it is then due again
(at-least-once in that one case; the generic webhook's ``X-Siloscope-Delivery`` header lets a
receiver drop the repeat).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.rasa_trigger import DeliveryError
from bot.channels.transports import Envelope, Transports
from bot.settings import Settings, get_settings
from bot.settings.sections import OutboxConfig
from bot.store.db import engine_for, session_factory
from bot.store.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

PENDING, SENDING, DELIVERED, DEAD = "pending", "sending", "delivered", "dead"
STATUSES = (PENDING, SENDING, DELIVERED, DEAD)


def enqueue(session: Session, *, dedupe_key: str, destination: str, kind: str, payload: dict[str, Any]) -> bool:
    """Add a message in the caller's transaction; False (and nothing added) if the key is already queued."""
    exists = session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    pending_keys = {m.dedupe_key for m in session.new if isinstance(m, OutboxMessage)}
    if exists is not None or dedupe_key in pending_keys:
        return False
    session.add(OutboxMessage(dedupe_key=dedupe_key, destination=destination, kind=kind, payload=payload,
                              status=PENDING, attempts=0, next_attempt_at=utcnow()))
    return True


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)  # skipped: their peer already failed in this pass

    def summary(self) -> str:
        return (f"{len(self.delivered)} delivered, {len(self.failed)} failed (will retry), "
                f"{len(self.dead)} dead-lettered, {len(self.deferred)} deferred")


Sender = Callable[[Envelope], None]


def _claim(factory: sessionmaker, message_id: int, now: datetime, lease: timedelta) -> Envelope | None:
    with factory.begin() as session:
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_((PENDING, SENDING)),
                   OutboxMessage.next_attempt_at <= now)
            .values(status=SENDING, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return None
        row = session.get(OutboxMessage, message_id)
        return Envelope(row.id, row.dedupe_key, row.destination, row.kind, dict(row.payload))


def _settle(factory: sessionmaker, envelope: Envelope, error: str | None, config: OutboxConfig,
            report: DeliveryReport) -> None:
    with factory.begin() as session:
        row = session.get(OutboxMessage, envelope.id)
        row.attempts += 1
        if error is None:
            row.status, row.delivered_at, row.last_error = DELIVERED, utcnow(), None
            report.delivered.append(row.id)
            return
        row.last_error = error[:2000]
        if row.attempts >= config.max_attempts:
            row.status = DEAD
            report.dead.append(row.id)
            log.warning("outbox message %s to %s dead after %s attempts: %s", row.id, row.destination,
                        row.attempts, error)
        else:
            row.status = PENDING
            row.next_attempt_at = utcnow() + timedelta(seconds=config.backoff(row.attempts))
            report.failed.append(row.id)


def deliver_due(
    factory: sessionmaker,
    send: Sender,
    config: OutboxConfig,
    *,
    ids: Sequence[int] | None = None,
    limit: int = 200,
    now: datetime | None = None,
) -> DeliveryReport:
    """Deliver every message that is due (or the given ids, if due); returns what happened to each."""
    now = now or utcnow()
    report = DeliveryReport()
    with factory() as session:
        query = (
            select(OutboxMessage.id, OutboxMessage.destination)
            .where(OutboxMessage.status.in_((PENDING, SENDING)), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(list(ids)))
        due = session.execute(query).all()
    down: set[str] = set()
    for message_id, destination in due:
        if destination in down:
            report.deferred.append(message_id)
            continue
        envelope = _claim(factory, message_id, now, timedelta(seconds=config.lease_seconds))
        if envelope is None:
            continue  # another worker has it
        try:
            send(envelope)
        except DeliveryError as exc:
            down.add(destination)
            _settle(factory, envelope, str(exc), config, report)
        except Exception as exc:  # a bug in formatting must not wedge the queue
            log.exception("outbox message %s failed unexpectedly", message_id)
            _settle(factory, envelope, f"{exc.__class__.__name__}: {exc}", config, report)
        else:
            _settle(factory, envelope, None, config, report)
    return report


def deliver_now(settings: Settings | None = None) -> DeliveryReport:
    """One delivery pass with this deployment's settings (what the web loop and ``outbox retry`` run)."""
    settings = settings or get_settings()
    config = settings.outbox
    transports = Transports(settings.webhooks, settings.alerts, config)
    return deliver_due(session_factory(engine_for(settings.database_url)), transports.send, config)


def requeue(factory: sessionmaker, *, ids: Sequence[int] | None = None, dead: bool = False) -> int:
    """Make messages due now: the given ids (any undelivered status), and all dead ones if ``dead``.

    A revived dead letter starts again with a fresh attempt budget.
    """
    if not ids and not dead:
        return 0
    now = utcnow()
    with factory.begin() as session:
        changed = 0
        if ids:
            changed += session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status.in_((PENDING, DEAD)))
                .values(status=PENDING, attempts=0, next_attempt_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
        if dead:
            changed += session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == DEAD)
                .values(status=PENDING, attempts=0, next_attempt_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
    return changed


def list_messages(factory: sessionmaker, *, status: str | None = None, limit: int = 50) -> list[OutboxMessage]:
    with factory() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status:
            query = query.where(OutboxMessage.status == status)
        return list(session.scalars(query))

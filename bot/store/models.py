"""The tables. Written 2.0-style on SQLAlchemy 1.4 (Rasa's pin), so upgrading is a version bump.

Responses carry a few denormalised columns (touchpoint, channel, created_at, primary silo)
because the analytics aggregate over millions of them and should not need joins to group.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Customer(Base):
    """A pseudonymous customer: only the reference the company gave us, never a name."""

    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    ref = Column(String(128), nullable=False, unique=True)
    opted_out = Column(Boolean, nullable=False, default=False)
    opted_out_at = Column(DateTime)
    last_surveyed_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class TouchpointEvent(Base):
    """Something that happened to a customer in another tool (ticket solved, order delivered...)."""

    __tablename__ = "touchpoint_events"
    id = Column(Integer, primary_key=True)
    event_id = Column(String(200), nullable=False, unique=True)
    source = Column(String(50), nullable=False, default="siloscope")
    touchpoint = Column(String(64), nullable=False)
    silo = Column(String(64))
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    channel = Column(String(64))
    order_id = Column(String(128))
    ticket_id = Column(String(128))
    occurred_at = Column(DateTime, nullable=False)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    payload = Column(JSON)


class Conversation(Base):
    """One feedback chat, from the trigger or greeting to the thanks (or the customer leaving)."""

    __tablename__ = "conversations"
    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False, unique=True)
    sender_id = Column(String(200), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    touchpoint = Column(String(64))
    channel = Column(String(64))
    order_id = Column(String(128))
    ticket_id = Column(String(128))
    event_id = Column(Integer, ForeignKey("touchpoint_events.id"))
    status = Column(String(20), nullable=False, default="open")
    human_requested = Column(Boolean, nullable=False, default=False)
    started_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    response = relationship("FeedbackResponse", back_populates="conversation", uselist=False)


class FeedbackResponse(Base):
    """What the customer told us in one conversation, with its analysis. Partial until finished."""

    __tablename__ = "feedback_responses"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id"), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    touchpoint = Column(String(64))
    touchpoint_silo = Column(String(64))
    channel = Column(String(64))
    score = Column(Integer)
    text = Column(Text)
    probe_text = Column(Text)
    effort = Column(Integer)
    contact_count = Column(Integer)
    nps = Column(Integer)  # 0-10 "how likely to recommend us", asked only with conversation.ask_nps
    language = Column(String(16))
    polarity = Column(Float)
    subjectivity = Column(Float)
    sentiment_label = Column(String(16))
    sentiment_score = Column(Float)
    primary_silo = Column(String(64))
    primary_confidence = Column(Float)
    status = Column(String(20), nullable=False, default="partial")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    conversation = relationship("Conversation", back_populates="response")
    attributions = relationship(
        "Attribution", cascade="all, delete-orphan", order_by="Attribution.rank", back_populates="response"
    )
    handoffs = relationship("Handoff", cascade="all, delete-orphan", back_populates="response")

    @property
    def words(self) -> str | None:
        """Everything the customer wrote: the open answer, then the probe's; None when they wrote nothing."""
        return " ".join(part for part in (self.text, self.probe_text) if part) or None

    __table_args__ = (
        Index("ix_responses_created", "created_at"),
        Index("ix_responses_silo_created", "primary_silo", "created_at"),
        Index("ix_responses_touchpoint_created", "touchpoint", "created_at"),
        Index("ix_responses_customer", "customer_id"),
    )


class Attribution(Base):
    """One silo blamed (or praised) by a response, with how sure we are and the words that say so."""

    __tablename__ = "attributions"
    id = Column(Integer, primary_key=True)
    response_id = Column(Integer, ForeignKey("feedback_responses.id", ondelete="CASCADE"), nullable=False)
    rank = Column(Integer, nullable=False)
    silo = Column(String(64), nullable=False)
    confidence = Column(Float, nullable=False)
    sentiment_label = Column(String(16))
    sentiment_score = Column(Float)
    evidence = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    response = relationship("FeedbackResponse", back_populates="attributions")

    __table_args__ = (
        UniqueConstraint("response_id", "rank", name="uq_attribution_rank"),
        Index("ix_attributions_silo_created", "silo", "created_at"),
    )


class Handoff(Base):
    """Two silos linked in one complaint ("sales promised X, billing charged Y")."""

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    response_id = Column(Integer, ForeignKey("feedback_responses.id", ondelete="CASCADE"), nullable=False)
    from_silo = Column(String(64), nullable=False)
    to_silo = Column(String(64), nullable=False)
    sentiment_score = Column(Float)
    evidence = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    response = relationship("FeedbackResponse", back_populates="handoffs")

    __table_args__ = (Index("ix_handoffs_pair", "from_silo", "to_silo"),)


class OutboxMessage(Base):
    """An alert waiting to reach a department's channel; survives a peer (or us) being down."""

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(200), nullable=False, unique=True)
    destination = Column(String(200), nullable=False)
    kind = Column(String(32), nullable=False)
    payload = Column(JSON, nullable=False)
    status = Column(String(20), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    delivered_at = Column(DateTime)

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class PrivacyAudit(Base):
    """Who erased or purged customers' data, when, and how much: proof without the data itself.

    ``subject`` is a hash of the erased customer's ref (``bot.privacy.rights.subject_of``), so
    "was C-42 erased?" can be answered later without keeping C-42 anywhere.
    """

    __tablename__ = "privacy_audit"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(200), nullable=False)
    action = Column(String(32), nullable=False)
    subject = Column(String(64))
    counts = Column(JSON, nullable=False)

    __table_args__ = (Index("ix_privacy_audit_at", "at"),)


class CompanyExample(Base):
    """One of the company's own sentences labelled with a silo: a training example beside the default corpus.

    Kept in the database, never in git: it is the company's data (a helpdesk history, a manager's
    correction), and every process that attributes must see the same examples.
    """

    __tablename__ = "company_examples"
    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    text_hash = Column(String(64), nullable=False)  # sha256 of the normalised text: the same sentence is kept once
    silo = Column(String(64), nullable=False)
    source = Column(String(200), nullable=False)  # which file (or "correction") it came from
    # the response a manager's correction was made on: erasing that customer erases this example too
    response_id = Column(Integer, ForeignKey("feedback_responses.id", ondelete="CASCADE"))
    added_by = Column(String(200), nullable=False)
    added_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("text_hash", "silo", name="uq_company_examples_text_silo"),)


class SiloCorrection(Base):
    """A manager said a response belongs to another silo: who, when, from what to what."""

    __tablename__ = "silo_corrections"
    id = Column(Integer, primary_key=True)
    response_id = Column(Integer, ForeignKey("feedback_responses.id", ondelete="CASCADE"), nullable=False)
    from_silo = Column(String(64))  # None: it was unattributed
    to_silo = Column(String(64), nullable=False)
    corrected_by = Column(String(200), nullable=False)
    corrected_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_silo_corrections_response", "response_id"),)


class Case(Base):
    """A response somebody must act on: a customer asked for a person, or the answer crossed the alert thresholds.

    One per response at most; its owner is a department (silo), its due time comes from ``cases:`` in
    siloscope.yml. What happened to it, by whom and when, is in ``case_events``.
    """

    __tablename__ = "cases"
    id = Column(Integer, primary_key=True)
    response_id = Column(Integer, ForeignKey("feedback_responses.id", ondelete="CASCADE"), nullable=False,
                         unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    owner = Column(String(64), nullable=False)
    reason = Column(String(300), nullable=False)
    status = Column(String(20), nullable=False, default="open")
    opened_at = Column(DateTime, nullable=False, default=utcnow)
    due_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime)
    outcome = Column(Text)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    events = relationship("CaseEvent", cascade="all, delete-orphan", order_by="CaseEvent.id", back_populates="case")

    __table_args__ = (
        Index("ix_cases_owner_status", "owner", "status"),
        Index("ix_cases_status_due", "status", "due_at"),
        Index("ix_cases_customer", "customer_id"),
    )


class CaseEvent(Base):
    """One change to a case: opened, a status or owner change, a note, a new reason, closed with its outcome."""

    __tablename__ = "case_events"
    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(200), nullable=False)
    kind = Column(String(20), nullable=False)
    from_value = Column(String(300))
    to_value = Column(String(300))
    note = Column(Text)

    case = relationship("Case", back_populates="events")

    __table_args__ = (Index("ix_case_events_case", "case_id"),)

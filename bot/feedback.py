"""Storing what a customer tells us, analysed, whatever state the conversation ends in.

This is the one door through which the chat (``actions/``) writes: every accepted answer is
recorded at once, so a customer who leaves after the score still leaves a partial response.
Recording is idempotent (natural keys, upserts), and when the database cannot be reached the
operation goes to a local spool and is replayed by the next write that succeeds. An operation
that is neither in the database nor in the spool (disk full, an operation that can never be
applied) raises :class:`AnswerNotKept`, so the chat can ask for it again instead of thanking.
The customer's words are cleaned first (``bot.privacy.text``: control characters out, card
numbers and the personal data ``privacy.redact`` names replaced by tags), so neither the spool,
the store nor the analysis ever sees them raw.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.case_opening import person_requested
from bot.channels.alerts import enqueue_alerts
from bot.privacy.text import clean_customer_text
from bot.settings import get_settings, var_dir
from bot.settings.sections import RedactionRules
from bot.store import repository
from bot.store.db import DatabaseMissing, engine_for, session_factory
from bot.store.models import Attribution, Customer, FeedbackResponse, Handoff
from bot.store.repository import ConversationRef
from bot.store.spool import Spool, SpoolWriteError, Transient
from bot.survey_window import last_survey
from bot.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from bot.attribution import Attributor

__all__ = ["AnswerNotKept", "Answers", "ConversationRef", "FeedbackService", "get_feedback_service"]

log = logging.getLogger(__name__)


class AnswerNotKept(Exception):
    """The operation is in neither the database nor the spool: the customer must be told."""


def _database_away(exc: Exception) -> bool:
    """Whether a failed write may succeed later unchanged (the database is down or missing)."""
    if isinstance(exc, OperationalError | DatabaseMissing):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


ANSWER_FIELDS = ("score", "text", "probe_text", "effort", "contact_count", "language", "nps")
FREE_TEXT_FIELDS = ("text", "probe_text")


@dataclass(frozen=True)
class Answers:
    """Normalised answers from one or more turns; None means "not given in this turn"."""

    score: int | None = None
    text: str | None = None
    probe_text: str | None = None
    effort: int | None = None
    contact_count: int | None = None
    language: str | None = None
    nps: int | None = None  # 0-10, only when conversation.ask_nps


def analyse_response(
    response: FeedbackResponse, attributor: Attributor | None = None
) -> tuple[list[Attribution], list[Handoff]]:
    """(Re)compute sentiment and silo attribution from the customer's own words.

    Sets the response's own sentiment columns and returns the new attribution and hand-off
    rows. Text in another language is kept but not analysed: an English model would guess.
    ``attributor``: the company's (``bot.attribution.company``); the default one when None.
    """
    from bot.attribution import get_attributor
    from bot.sentiment import analyse_sentiment

    words = response.words
    foreign = response.language not in (None, "en")
    if not words or foreign:
        response.polarity = response.subjectivity = response.sentiment_score = None
        response.sentiment_label = response.primary_silo = response.primary_confidence = None
        return [], []
    sentiment = analyse_sentiment(response.text or words)
    response.polarity = sentiment.polarity
    response.subjectivity = sentiment.subjectivity
    response.sentiment_label = sentiment.label
    response.sentiment_score = sentiment.score
    result = (attributor or get_attributor()).attribute(words, touchpoint=response.touchpoint)
    response.primary_silo = result.primary
    response.primary_confidence = result.mentions[0].confidence if result.mentions else None
    attributions = [
        Attribution(
            rank=rank,
            silo=mention.silo,
            confidence=mention.confidence,
            sentiment_label=mention.sentiment_label,
            sentiment_score=mention.sentiment_score,
            evidence=mention.evidence,
        )
        for rank, mention in enumerate(result.mentions, start=1)
    ]
    handoffs = [
        Handoff(from_silo=h.from_silo, to_silo=h.to_silo, evidence=h.evidence, sentiment_score=sentiment.score)
        for h in result.handoffs
    ]
    return attributions, handoffs


def _reanalyse(session: Session, response: FeedbackResponse) -> None:
    """Attribute the response again with the company's current model (its learnt examples included).

    A manager's correction of its silo still stands afterwards (``bot.corrections``). Imported here,
    not at the top: scikit-learn loads only when an answer is analysed.
    """
    from bot.attribution.company import company_attributor
    from bot.corrections import reapply

    repository.replace_attributions(session, response, *analyse_response(response, company_attributor(session)))
    reapply(session, response)


def _append_follow_up(response: FeedbackResponse, text: str) -> None:
    """The open answer with ``text`` as its last line (unchanged when that line is already there)."""
    lines = (response.text or "").split("\n") if response.text else []
    if text not in lines:
        response.text = "\n".join([*lines, text])


class FeedbackService:
    """Writes conversations and responses; safe to call again with the same turn."""

    def __init__(
        self, database_url: str, taxonomy: Taxonomy | None, spool: Spool, redaction: RedactionRules | None = None
    ) -> None:
        self.database_url = database_url
        self._taxonomy = taxonomy  # None: the configured silos.yml as it is now
        self.spool = spool
        self.redaction = redaction or get_settings().privacy.redact

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy or load_taxonomy()

    @property
    def sessions(self) -> sessionmaker:
        """Sessions on the migrated database; raises OperationalError while it is unreachable."""
        return session_factory(engine_for(self.database_url))

    # -- the public operations -------------------------------------------------------
    def record(self, ref: ConversationRef, answers: Answers) -> None:
        """Store the given answers (non-None fields) for this conversation, the free text cleaned first."""
        self._run("record", ref, self._cleaned(dataclasses.asdict(answers)))

    def finish(self, ref: ConversationRef, status: str = "complete") -> None:
        """The customer reached the end (or left): mark the response done."""
        self._run("finish", ref, {"status": status})

    def opt_out(self, ref: ConversationRef) -> None:
        """Never ask this customer again, and end this conversation."""
        self._run("opt_out", ref, {})

    def restart(self, ref: ConversationRef) -> None:
        """The customer starts the survey over: forget this conversation's answers, keep its context.

        Without it an answer that is not asked again (a probe after a new, higher score) would
        stay in the row beside answers it no longer belongs to.
        """
        self._run("restart", ref, {})

    def add_follow_up(self, ref: ConversationRef, text: str) -> None:
        """Add what the customer says after the survey ended to its response, which is analysed again.

        Appended as a line of the open answer, so the words reach the same touchpoint, order and
        department as the rest of the story; the same line twice (a retried turn) is added once.
        """
        self._run("follow_up", ref, self._cleaned({"text": text}))

    def request_human(self, ref: ConversationRef) -> None:
        """The customer wants a person: their case is opened and its department alerted now (``bot.case_opening``)."""
        self._run("request_human", ref, {})

    def surveyed_recently(
        self, customer_ref: str | None, order_id: str | None, touchpoint: str | None, current_key: str | None = None
    ) -> bool:
        """Whether this customer already had a survey about this order and touchpoint in the survey window.

        The rule is ``bot.survey_window``; a down database must not end the chat, so it then says False.
        """
        if not customer_ref or not touchpoint:
            return False
        try:
            with self.sessions() as session:
                customer = repository.find_customer(session, customer_ref)
                return customer is not None and last_survey(
                    session, customer.id, order_id, touchpoint, get_settings().webhooks.survey_window_hours,
                    except_conversation=current_key,
                ) is not None
        except (OperationalError, DatabaseMissing) as exc:
            log.error("database unavailable, cannot check earlier surveys of %s: %s", customer_ref, _one_line(exc))
            return False

    def is_opted_out(self, customer_ref: str | None) -> bool:
        if not customer_ref:
            return False
        try:
            with self.sessions() as session:
                customer = repository.find_customer(session, customer_ref)
                return bool(customer and customer.opted_out)
        except (OperationalError, DatabaseMissing) as exc:
            # The customer is already talking to us; a down database must not end the chat.
            log.error("database unavailable, cannot check opt-out of %s: %s", customer_ref, _one_line(exc))
            return False

    def replay_spool(self, wait: bool = True) -> int:
        """Apply what the spool holds, in order (every write does this first); raises ``Transient`` while
        the database is away, and ``SpoolBusy`` without ``wait`` while another process holds the spool.
        Returns how many records were applied or set aside."""
        return self.spool.replay(self._replay_one, wait)

    # -- how each operation is applied ---------------------------------------------
    def _cleaned(self, data: dict[str, Any]) -> dict[str, Any]:
        """The answers with every free text as it may be kept (idempotent: a tag stays a tag)."""
        return {
            field: clean_customer_text(value, self.redaction) if field in FREE_TEXT_FIELDS and value else value
            for field, value in data.items()
        }

    def _apply(self, session: Session, op: str, ref: ConversationRef, data: dict[str, Any]) -> None:
        conversation = repository.get_or_create_conversation(session, ref)
        if op == "opt_out":
            conversation.status = "opted_out"
            if conversation.customer_id is not None:
                repository.mark_opted_out(session, session.get(Customer, conversation.customer_id))
            return
        response = repository.get_or_create_response(
            session, conversation, self.taxonomy.owner(conversation.touchpoint)
        )
        if op == "request_human":
            conversation.human_requested = True
            person_requested(session, response)  # same transaction: the case and its alert exist iff it does
            return
        if op == "restart":
            for field in ANSWER_FIELDS:
                setattr(response, field, None)
            _reanalyse(session, response)
            response.status, conversation.status = "partial", "open"
            return
        if op == "follow_up":
            _append_follow_up(response, data["text"])
            _reanalyse(session, response)
            return
        if op == "finish":
            response.status = data["status"]
            conversation.status = data["status"]
            session.flush()
            enqueue_alerts(session, response)  # same transaction: an alert exists iff its response does
            return
        changed_words = False
        for field, value in data.items():
            if value is None or getattr(response, field) == value:
                continue
            setattr(response, field, value)
            changed_words |= field in ("text", "probe_text", "language")
        if changed_words:
            _reanalyse(session, response)

    def _transaction(self, op: str, ref: ConversationRef, data: dict[str, Any]) -> None:
        for attempt in (1, 2):
            try:
                with self.sessions.begin() as session:
                    self._apply(session, op, ref, data)
                return
            except IntegrityError:
                # Two writers created the same conversation at once: the second try finds it.
                if attempt == 2:
                    raise

    def _run(self, op: str, ref: ConversationRef, data: dict[str, Any]) -> None:
        """Apply after what is spooled, else spool; raise :class:`AnswerNotKept` when neither worked."""
        record = {"op": op, "ref": dataclasses.asdict(ref), "data": data}
        try:
            self.replay_spool()
            self._transaction(op, ref, data)
            return
        except Transient as exc:
            reason: BaseException = exc.__cause__ or exc
        except SpoolWriteError as exc:  # replay could not set a record aside: the disk is the problem
            log.critical("feedback %s for %s is LOST: %s", op, ref.key, exc)
            raise AnswerNotKept(f"{op} for {ref.key}: {exc}") from exc
        except Exception as exc:
            if not _database_away(exc):
                self._set_aside(record, exc)
            reason = exc
        level = logging.CRITICAL if isinstance(reason, DatabaseMissing) else logging.ERROR
        log.log(level, "database unavailable, spooling %s for %s: %s", op, ref.key, _one_line(reason))
        try:
            self.spool.append(record)
        except SpoolWriteError as exc:
            log.critical("feedback %s for %s is LOST: database unavailable (%s) and spool not writable (%s)",
                         op, ref.key, _one_line(reason), exc)
            raise AnswerNotKept(f"{op} for {ref.key}: {exc}") from exc

    def _set_aside(self, record: dict[str, Any], exc: Exception) -> None:
        """An operation the database refuses for good: dead-letter it (kept for an operator), then say so."""
        reason = f"{type(exc).__name__}: {_one_line(exc)[:500]}"
        try:
            self.spool.dead_letter(record, reason)
        except SpoolWriteError as write_error:
            log.critical("feedback %s for %s is LOST: %s; dead-letter file not writable (%s)",
                         record["op"], record["ref"]["key"], reason, write_error)
            raise AnswerNotKept(reason) from exc
        raise AnswerNotKept(reason) from exc

    def _replay_one(self, record: dict[str, Any]) -> None:
        # Cleaned again: a spool written by an older version may hold raw text.
        try:
            self._transaction(record["op"], ConversationRef(**record["ref"]), self._cleaned(record["data"]))
        except Exception as exc:
            if _database_away(exc):
                raise Transient(str(exc)) from exc
            raise


def _one_line(exc: BaseException) -> str:
    """Drivers write several lines; a log line wants one."""
    return " ".join(str(getattr(exc, "orig", None) or exc).split())


def spool_dir() -> Path:
    """Where operations wait while the database is down (every ``*.jsonl`` in it holds customers' words)."""
    return var_dir() / "spool"


@lru_cache(maxsize=4)
def _service_for(database_url: str) -> FeedbackService:
    return FeedbackService(database_url, None, Spool(spool_dir() / "feedback.jsonl"))


def get_feedback_service() -> FeedbackService:
    """The service for the configured database (created, and the schema migrated, once)."""
    return _service_for(get_settings().database_url)

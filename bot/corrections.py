"""A manager's correction of the silo a response was attributed to.

The correction is kept (who, when, from what to what), the response and therefore every report number
follow it at once (its primary silo and rank-1 attribution become the chosen silo, the silo it replaced
is dropped), and its words become one of the company's training examples, so the model learns from it
(``bot.attribution.company``). Analysing the response again later, after a follow-up answer, keeps the
manager's word: ``reapply`` runs after every analysis.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.attribution.company import text_hash
from bot.errors import UsageError
from bot.store.models import Attribution, CompanyExample, FeedbackResponse, SiloCorrection
from bot.taxonomy import Taxonomy

CORRECTION_SOURCE = "correction"
MAX_NAME_CHARS = 200


class CorrectionRefused(UsageError):
    """The correction names an unknown silo or no one; nothing was changed."""


class NoSuchResponse(CorrectionRefused):
    """The correction names a response that does not exist."""


def correct_silo(session: Session, response_id: int, silo: str, by: str, taxonomy: Taxonomy) -> SiloCorrection:
    """Record the correction, make the response follow it and learn from its words."""
    by = " ".join(by.split())
    if not by or len(by) > MAX_NAME_CHARS:
        raise CorrectionRefused(f"say who corrects (a name of 1 to {MAX_NAME_CHARS} characters)")
    if silo not in taxonomy.silos:
        raise CorrectionRefused(f"unknown silo '{silo}' (expected one of: {', '.join(taxonomy.silos)})")
    response = session.get(FeedbackResponse, response_id)
    if response is None:
        raise NoSuchResponse(f"no response #{response_id}")
    correction = SiloCorrection(response_id=response_id, from_silo=response.primary_silo, to_silo=silo,
                                corrected_by=by)
    session.add(correction)
    _follow(session, response, silo)
    _learn(session, response, silo, by)
    session.flush()
    return correction


def correct(database_url: str, response_id: int, silo: str, by: str) -> SiloCorrection:
    """``correct_silo`` in a transaction of its own on the configured store (the dashboard's door)."""
    from bot.store.db import engine_for, session_factory
    from bot.taxonomy import load_taxonomy

    with session_factory(engine_for(database_url)).begin() as session:
        return correct_silo(session, response_id, silo, by, load_taxonomy())


def latest_correction(session: Session, response_id: int) -> SiloCorrection | None:
    return session.execute(
        select(SiloCorrection).where(SiloCorrection.response_id == response_id)
        .order_by(SiloCorrection.id.desc()).limit(1)
    ).scalar_one_or_none()


def reapply(session: Session, response: FeedbackResponse) -> None:
    """After the response was analysed again, the manager's latest correction still stands."""
    if response.id is None:
        return
    correction = latest_correction(session, response.id)
    if correction is not None:
        _follow(session, response, correction.to_silo)
        _learn(session, response, correction.to_silo, correction.corrected_by)


def _follow(session: Session, response: FeedbackResponse, silo: str) -> None:
    """The chosen silo first with full confidence; the silo it replaced out; the others as they were."""
    current = sorted(response.attributions, key=lambda a: a.rank)
    chosen = next((a for a in current if a.silo == silo), None)
    wrong = response.primary_silo
    kept = [a for a in current if a.silo not in (silo, wrong)]
    first = Attribution(
        rank=1, silo=silo, confidence=1.0,
        sentiment_label=chosen.sentiment_label if chosen else response.sentiment_label,
        sentiment_score=chosen.sentiment_score if chosen else response.sentiment_score,
        evidence=chosen.evidence if chosen else None,
    )
    rest = [Attribution(rank=rank, silo=a.silo, confidence=a.confidence, sentiment_label=a.sentiment_label,
                        sentiment_score=a.sentiment_score, evidence=a.evidence)
            for rank, a in enumerate(kept, start=2)]
    for old in current:
        session.delete(old)
    session.flush()
    response.attributions = [first, *rest]
    response.primary_silo, response.primary_confidence = silo, 1.0


def _learn(session: Session, response: FeedbackResponse, silo: str, by: str) -> None:
    """The response's words, labelled with the corrected silo, replace any earlier correction's example."""
    session.execute(delete(CompanyExample).where(CompanyExample.response_id == response.id,
                                                 CompanyExample.source == CORRECTION_SOURCE))
    words = response.words
    if not words:
        return
    key = text_hash(words)
    duplicate = session.execute(
        select(CompanyExample.id).where(CompanyExample.text_hash == key, CompanyExample.silo == silo)
    ).first()
    if duplicate is None:
        session.add(CompanyExample(text=words, text_hash=key, silo=silo, source=CORRECTION_SOURCE,
                                   response_id=response.id, added_by=by))

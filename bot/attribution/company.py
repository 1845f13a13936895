"""The company's own labelled examples, and the attributor that learns from them.

Examples live in the ``company_examples`` table, so every process (action servers, the web service, the
CLI, on one host or many) attributes with the same ones, and none of them is in git. The model is the
default one adapted with them (``bot.attribution.adaptation``: the company's rows weigh as much as
a silo's default text, and its label counts become the priors), the method ``siloscope eval
--adapt-labelled`` measures. ``siloscope learn --from-answers`` adds the company's unlabelled answers the
same way ``--adapt-unlabeled`` measures: the ones the model is sure about, stored as examples of source
``answers`` (each linked to its response, so erasing the customer erases it), learnt whole and as their
words the default model does not know, outside the priors. It is retrained when the examples change:
each process asks the database for a cheap version stamp, and a trained model is kept on disk under
its content's hash, so after ``siloscope learn`` trained it, the servers load it instead of training again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, load_only

from bot.attribution import Attributor, get_attributor
from bot.attribution.adaptation import self_labelled, train_adapted
from bot.attribution.model import _read_cached, _training_key, _write_cached
from bot.evaluation import normalised
from bot.privacy.text import clean_customer_text
from bot.settings.sections import RedactionRules
from bot.store.models import CompanyExample, FeedbackResponse
from bot.taxonomy import Taxonomy

ANSWERS_SOURCE = "answers"  # examples the model taught itself from stored answers (learn --from-answers)
MAX_ANSWERS = 20_000  # the newest answers read by learn --from-answers: enough for any vocabulary, bounded time

Version = tuple[int, int, str]  # how many examples, the newest id, the newest time: changes on every edit


@dataclass(frozen=True)
class LearnOutcome:
    """What ``add_examples`` did, for the command's message and --json."""

    added: int
    already_known: int
    per_silo: dict[str, int]  # every stored example per silo, after the change
    total: int


def text_hash(text: str) -> str:
    """The same sentence (case and spacing aside) for the same silo is kept once."""
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()


def add_examples(
    session: Session,
    pairs: Iterable[tuple[str, str]],
    source: str,
    added_by: str,
    redaction: RedactionRules,
) -> LearnOutcome:
    """Store the (text, silo) pairs not stored yet, their text cleaned as the chat's answers are."""
    known = {(h, s) for h, s in session.execute(select(CompanyExample.text_hash, CompanyExample.silo))}
    added = already = 0
    for text, silo in pairs:
        cleaned = clean_customer_text(text, redaction)
        key = (text_hash(cleaned), silo)
        if key in known:
            already += 1
            continue
        known.add(key)
        session.add(CompanyExample(text=cleaned, text_hash=key[0], silo=silo, source=source, added_by=added_by))
        added += 1
    session.flush()
    per_silo = examples_per_silo(session)
    return LearnOutcome(added=added, already_known=already, per_silo=per_silo, total=sum(per_silo.values()))


def examples_per_silo(session: Session) -> dict[str, int]:
    rows = session.execute(select(CompanyExample.silo, func.count()).group_by(CompanyExample.silo))
    return dict(sorted((silo, int(n)) for silo, n in rows))


def examples_per_source(session: Session) -> dict[str, int]:
    rows = session.execute(select(CompanyExample.source, func.count()).group_by(CompanyExample.source))
    return dict(sorted((source, int(n)) for source, n in rows))


def forget_source(session: Session, source: str) -> int:
    """Delete every example that came from ``source``; how many went."""
    result = session.execute(delete(CompanyExample).where(CompanyExample.source == source))
    return int(result.rowcount or 0)


def version(session: Session) -> Version:
    count, newest_id, newest_at = session.execute(
        select(func.count(), func.max(CompanyExample.id), func.max(CompanyExample.added_at))
    ).one()
    return int(count), int(newest_id or 0), str(newest_at or "")


Pairs = list[tuple[str, str]]


def _pairs(session: Session) -> tuple[Pairs, Pairs]:
    """The company's labelled (text, silo) rows, and those the model taught itself from its answers."""
    rows = session.execute(
        select(CompanyExample.text, CompanyExample.silo, CompanyExample.source).order_by(CompanyExample.id)
    )
    labelled: Pairs = []
    self_taught: Pairs = []
    for text, silo, source in rows:
        (self_taught if source == ANSWERS_SOURCE else labelled).append((text, silo))
    return labelled, self_taught


def company_model_path(taxonomy: Taxonomy, labelled: Pairs, self_taught: Pairs, cache_dir: Path) -> Path:
    digest = hashlib.sha256(_training_key(taxonomy).encode())
    digest.update(json.dumps([labelled, self_taught], ensure_ascii=False).encode("utf-8"))
    return cache_dir / f"attribution-company-{digest.hexdigest()[:24]}.json"


def train_company_attributor(taxonomy: Taxonomy, labelled: Pairs, self_taught: Pairs, cache_dir: Path) -> Attributor:
    """The default model adapted to these examples, from the disk cache when it was trained on the same."""
    path = company_model_path(taxonomy, labelled, self_taught, cache_dir)
    model = _read_cached(path)
    if model is None:
        model = train_adapted(taxonomy, labelled, self_taught)
        _write_cached(path, model)
    return Attributor(taxonomy, sentiment=get_attributor().sentiment, model=model)


@dataclass(frozen=True)
class SelfTaughtOutcome:
    """What ``learn_from_answers`` did, for the command's message and --json."""

    answers: int  # stored answers with words that were read
    added: int  # of them, the ones the model was sure about
    per_silo: dict[str, int]  # the added ones per silo


def learn_from_answers(session: Session, added_by: str, cache_dir: Path) -> SelfTaughtOutcome:
    """Replace the self-taught examples by those the company's model (without them) is sure of now.

    The model that labels is the labelled one, never one that already learnt from its own labels, so
    running this again does not drift. Answers a manager corrected are labelled already and left out.
    """
    default = get_attributor()
    session.execute(delete(CompanyExample).where(CompanyExample.source == ANSWERS_SOURCE))
    labelled, _ = _pairs(session)
    teacher = train_company_attributor(default.taxonomy, labelled, [], cache_dir).model
    taken = {h for (h,) in session.execute(select(CompanyExample.text_hash))}
    corrected = select(CompanyExample.response_id).where(CompanyExample.response_id.isnot(None))
    linked = {r for (r,) in session.execute(corrected)}
    newest = session.scalars(
        select(FeedbackResponse)
        .options(load_only(FeedbackResponse.id, FeedbackResponse.text, FeedbackResponse.probe_text))
        .where(FeedbackResponse.text.isnot(None) | FeedbackResponse.probe_text.isnot(None))
        .order_by(FeedbackResponse.id.desc()).limit(MAX_ANSWERS)
    ).all()
    answers: dict[str, int] = {}  # words -> response id, each text once
    for response in newest:
        words = response.words or ""
        if response.id not in linked and text_hash(words) not in taken:
            answers.setdefault(words, response.id)
    sure = self_labelled(teacher, answers)
    for words, silo in sure:
        session.add(CompanyExample(text=words, text_hash=text_hash(words), silo=silo, source=ANSWERS_SOURCE,
                                   response_id=answers[words], added_by=added_by))
    session.flush()
    return SelfTaughtOutcome(answers=len(newest), added=len(sure), per_silo=dict(Counter(s for _, s in sure)))


_lock = threading.Lock()
_current: dict[tuple[int, Version], Attributor] = {}


def company_attributor(session: Session) -> Attributor:
    """The attributor for this company now: the default one until it has examples of its own."""
    from bot.settings import var_dir

    default = get_attributor()  # follows silos.yml; its taxonomy is the one the company model adapts
    stamp = version(session)
    if stamp[0] == 0:
        return default
    key = (id(default.taxonomy), stamp)
    with _lock:
        if key not in _current:
            _current.clear()  # one company model per process: the newest
            _current[key] = train_company_attributor(default.taxonomy, *_pairs(session), var_dir() / "cache")
        return _current[key]


def describe(per_silo: dict[str, int]) -> str:
    return ", ".join(f"{silo} {n}" for silo, n in Counter(per_silo).most_common()) or "none"

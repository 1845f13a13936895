"""The survey's answer policy: what one answer to one question does, with no chat in it.

Each answer is read (``bot.answers``), stored at once through ``keep`` (a customer who leaves
after the score still leaves a partial response) and decided on: accepted, asked again with a
reason, given up after ``conversation.max_reasks`` re-asks, small talk answered, or not saved.
The chat (``actions/``) turns the :class:`Outcome` into messages and slots; the customer's
words are never lost on the way (a story told instead of a rating is kept as the open answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from bot.answers import (
    UNCLEAR,
    Reading,
    is_aside,
    read_contact_count,
    read_effort,
    read_first_contact,
    read_nps,
    read_open_text,
    read_score,
    read_touchpoint,
    score_band,
    tells_a_story,
)
from bot.feedback import Answers
from bot.language import ENGLISH, detect_language
from bot.settings import ConversationSettings

# Stores the answers of one turn on the conversation; False when they were not kept (logged).
Keep = Callable[[Answers], bool]
# Adds words to the response of a survey that has ended; False when they were not kept (logged).
AddFollowUp = Callable[[str], bool]

# The open questions and the response field each one fills.
OPEN_QUESTIONS = {"feedback_text": "text", "probe_text": "probe_text"}
RATINGS = ("score", "effort", "first_contact", "contact_count", "nps")
# Intents that an open question takes as the answer unless the message is a short, sure aside.
ASIDE_INTENTS = ("chitchat", "thank", "out_of_scope")
ASIDE_CONFIDENCE = 0.9

# What the customer is told besides the reading problems of ``bot.answers`` (EMPTY, TOO_LONG, ...).
STORY_KEPT = "story_kept"  # their story was kept as the open answer; the question follows again
FOREIGN = "foreign"  # kept, but the chat speaks English only for now
MOVING_ON = "moving_on"  # the question is given up
NOT_SAVED = "not_saved"  # could not be kept: asked again, never moved on
ASIDE = "aside"  # small talk (``Outcome.aside`` names its intent), or a stray message that is no feedback
FOLLOW_UP = "follow_up"  # added to the response of the survey that just ended


class Kind(Enum):
    """What the survey does next."""

    STORED = "stored"  # the answer is in: go on
    REASK = "reask"  # ask the same question again (counted)
    SKIPPED = "skipped"  # give the question up (counted): go on
    ASIDE = "aside"  # not an answer: reply, ask again (not counted)
    NOT_KEPT = "not_kept"  # the answer could not be saved: ask again (not counted)


@dataclass(frozen=True)
class Said:
    """One message of the customer: its words and what the NLU made of them."""

    text: str | None
    intent: str | None = None
    confidence: float = 0.0


@dataclass(frozen=True)
class Progress:
    """What the survey knew before this answer."""

    reasks: int = 0  # times this question was already asked again
    has_open_answer: bool = False  # the open question ("what happened?") is answered


@dataclass(frozen=True)
class Outcome:
    """The decision on one answer.

    ``values`` are what the survey now knows, by question name: the answer and what it implies
    (``score_band``, ``contact_count``) or a story kept as ``feedback_text``. ``say`` lists what
    to tell the customer, in order. ``stored`` says whether anything was written.
    """

    question: str | None  # None for a message outside the survey
    kind: Kind
    values: Mapping[str, Any] = field(default_factory=dict)
    say: tuple[str, ...] = ()
    reasks: int = 0
    stored: bool = False
    aside: str | None = None

    @property
    def counted(self) -> bool:
        """Whether this answer used up one of the question's re-asks."""
        return self.kind in (Kind.REASK, Kind.SKIPPED)


def questions_left(
    questions: Iterable[str], skipped: Iterable[str], score: Any, first_contact: Any, rules: ConversationSettings
) -> list[str]:
    """The questions that still apply: none given up, no probe for a good score, no count for a first contact,
    no NPS question unless ``conversation.ask_nps``."""
    gone = set(skipped)
    low_score = isinstance(score, int) and not isinstance(score, bool) and score <= rules.probe_at_or_below
    left = []
    for question in questions:
        if question in gone:
            continue
        if question == "probe_text" and not low_score:
            continue
        if question == "contact_count" and first_contact is not False:
            continue
        if question == "nps" and not rules.ask_nps:
            continue
        left.append(question)
    return left


def answer(
    question: str,
    said: Said,
    progress: Progress,
    keep: Keep,
    rules: ConversationSettings,
    touchpoints: Mapping[str, str] | None = None,
) -> Outcome:
    """Read, store and decide on the answer to ``question``; ``touchpoints`` maps names to labels (silos.yml)."""
    if question == "touchpoint":
        reading = read_touchpoint(said.text, touchpoints or {})
        if not reading.ok:
            return _retry(question, progress, rules, _problem(reading))
        return Outcome(question, Kind.STORED, {question: reading.value})
    if question in OPEN_QUESTIONS:
        return _open(question, said, progress, keep, rules)
    if question in RATINGS:
        return _rating(question, said, progress, keep, rules)
    raise ValueError(f"no such survey question: {question!r}")


def keep_story(question: str | None, text: str | None, keep: Keep, rules: ConversationSettings) -> bool:
    """Store an interruption asked at an open question that also tells what happened; True when kept.

    "I want to stop paying for this, the app never works" ends the survey, and its words still
    reach the team responsible; a bare "stop" is no answer.
    """
    if question not in OPEN_QUESTIONS or not tells_a_story(text):
        return False
    reading = read_open_text(text, rules.max_text_length)
    return reading.ok and reading.value is not None and _store_open(question, reading.value, keep) is not None


def outside_survey(
    text: str | None, survey_ended: bool, keep: Keep, add_follow_up: AddFollowUp, rules: ConversationSettings
) -> Outcome:
    """A message while no question is open: after this chat's survey ended it belongs to that survey.

    "meh", "yes" or "Also: the driver was rude" right after the thanks are the customer adding to
    what they said, so they are added to the same response (FOLLOW_UP), never a new survey that
    knows no touchpoint or order; with no survey behind it the message is a :func:`stray` one.
    """
    if not survey_ended:
        return stray(text, keep, rules)
    reading = read_open_text(text, rules.max_text_length)
    if not reading.ok or reading.value is None:
        return Outcome(None, Kind.ASIDE, say=(_problem(reading),))
    if not add_follow_up(reading.value):
        return _not_kept(None)
    return Outcome(None, Kind.STORED, say=(FOLLOW_UP,), stored=True)


def stray(text: str | None, keep: Keep, rules: ConversationSettings) -> Outcome:
    """A message outside a survey that the chat cannot place.

    In another language it is kept as feedback, marked with its language (STORED, say FOREIGN);
    anything else is no feedback (ASIDE: the chat says what it is for).
    """
    reading = read_open_text(text, rules.max_text_length)
    language = detect_language(reading.value) if reading.ok else ENGLISH
    if language == ENGLISH:
        return Outcome(None, Kind.ASIDE, say=(ASIDE,))
    if not keep(Answers(text=reading.value, language=language)):
        return _not_kept(None)
    return Outcome(None, Kind.STORED, say=(FOREIGN,), stored=True)


# -- the two kinds of question -------------------------------------------------------------
def _open(question: str, said: Said, progress: Progress, keep: Keep, rules: ConversationSettings) -> Outcome:
    """A free answer: small talk is answered, everything else that is readable is the answer."""
    if said.intent in ASIDE_INTENTS and said.confidence >= ASIDE_CONFIDENCE and is_aside(said.text):
        # "are you a bot?" is small talk, not what went wrong: answer it, ask again.
        return Outcome(question, Kind.ASIDE, {question: None}, say=(ASIDE,), aside=said.intent)
    reading = read_open_text(said.text, rules.max_text_length)
    if not reading.ok or reading.value is None:
        return _retry(question, progress, rules, _problem(reading))
    language = _store_open(question, reading.value, keep)
    if language is None:
        return _not_kept(question)
    say = (FOREIGN,) if language != ENGLISH else ()
    return Outcome(question, Kind.STORED, {question: reading.value}, say=say, stored=True)


def _rating(question: str, said: Said, progress: Progress, keep: Keep, rules: ConversationSettings) -> Outcome:
    """A rating or yes/no: stored when readable, else the words are weighed as a story."""
    reading = _read_rating(question, said.text)
    if not reading.ok or reading.value is None:
        return _unreadable_rating(question, said.text, reading, progress, keep, rules)
    values: dict[str, Any] = {question: reading.value}
    if question == "score":
        values["score_band"] = score_band(reading.value, rules.probe_at_or_below, rules.praise_at_or_above)
        answers = Answers(score=reading.value)
    elif question == "effort":
        answers = Answers(effort=reading.value)
    elif question == "contact_count":
        answers = Answers(contact_count=reading.value)
    elif question == "nps":
        answers = Answers(nps=reading.value)
    else:  # first_contact: a plain "no" leaves the count to the next question
        values = {question: reading.value.first, "contact_count": reading.value.contact_count}
        if reading.value.contact_count is None:
            return Outcome(question, Kind.STORED, values)
        answers = Answers(contact_count=reading.value.contact_count)
    if not keep(answers):
        return _not_kept(question)
    return Outcome(question, Kind.STORED, values, stored=True)


def _read_rating(question: str, text: str | None) -> Reading[Any]:
    if question == "score":
        return read_score(text)
    if question == "effort":
        return read_effort(text)
    if question == "first_contact":
        return read_first_contact(text)
    if question == "nps":
        return read_nps(text)
    return read_contact_count(text, not_first=True)


def _unreadable_rating(
    question: str, text: str | None, reading: Reading[Any], progress: Progress, keep: Keep, rules: ConversationSettings
) -> Outcome:
    """A rating that could not be read.

    A story told instead ("the parcel came late and ...") or an answer in another language is
    kept as the open answer, so the customer's words are never lost, and the question is asked
    again: the customer hears that it was kept (or that the chat speaks English only) instead of
    the forms a rating takes.
    """
    words = (text or "").strip()
    language = detect_language(words) if words else ENGLISH
    story = read_open_text(words, rules.max_text_length)
    worth_keeping = story.ok and not progress.has_open_answer and (language != ENGLISH or tells_a_story(words))
    kept: dict[str, Any] = {}
    if worth_keeping:
        if not keep(Answers(text=story.value, language=language)):
            return _not_kept(question)
        kept = {"feedback_text": story.value}
    if language == ENGLISH and not kept:
        return _retry(question, progress, rules, _problem(reading))
    note = STORY_KEPT if language == ENGLISH else FOREIGN
    outcome = _retry(question, progress, rules, note, told=True)
    return replace(outcome, values={**outcome.values, **kept}, stored=bool(kept))


# -- the shared rules ----------------------------------------------------------------------
def _retry(question: str, progress: Progress, rules: ConversationSettings, reason: str, told: bool = False) -> Outcome:
    """One more re-ask of ``question`` for ``reason``; after ``max_reasks`` of them it is given up.

    ``told``: the customer already hears ``reason`` whatever happens (their story was kept), so
    giving up says nothing more; otherwise the re-ask says the reason, or the give-up says so.
    """
    reasks = progress.reasks + 1
    given_up = reasks > rules.max_reasks
    say = (reason,) if told or not given_up else (MOVING_ON,)
    return Outcome(question, Kind.SKIPPED if given_up else Kind.REASK, {question: None}, say=say, reasks=reasks)


def _problem(reading: Reading[Any]) -> str:
    return reading.problem or UNCLEAR


def _not_kept(question: str | None) -> Outcome:
    """The answer could not be saved (the store logged why): ask for it again, never move on."""
    return Outcome(question, Kind.NOT_KEPT, {question: None} if question else {}, say=(NOT_SAVED,))


def _store_open(question: str, text: str, keep: Keep) -> str | None:
    """Store an open answer with its language; return that language, None if not kept.

    An English probe answer leaves the response's language as the first open answer set it.
    """
    language = detect_language(text)
    marked = None if question == "probe_text" and language == ENGLISH else language
    fields: dict[str, Any] = {OPEN_QUESTIONS[question]: text, "language": marked}
    return language if keep(Answers(**fields)) else None

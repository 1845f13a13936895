"""When a destructive intent (start again, stop, opt out) may be acted on.

Restarting wipes the answers already stored and stopping ends the survey for good, so a guess is
not enough: "late again, start to finish a mess" contains "again" and "start" and is a complaint.
A destructive intent is acted on only when the classifier is confident, clearly prefers it to
every other intent, and the message is short enough to be a request rather than a story. When it
is not, the best non-destructive intent takes its place, so the message is read as the answer to
the open question (or, outside a survey, as what it most likely is).

Pure logic, no Rasa import: ``rasa_server.nlu_certainty`` applies it inside Rasa's NLU pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The intents whose action cannot be undone by the next message: `restart` forgets the stored
# answers, `stop` ends the survey and opts the customer out.
DESTRUCTIVE_INTENTS = frozenset({"restart", "stop"})

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class CertaintyRules:
    """How sure the classifier must be before a destructive intent is acted on."""

    min_confidence: float = 0.8  # the destructive intent's own confidence
    min_margin: float = 0.3  # its lead over the best other intent
    max_words: int = 8  # requests are short ("stop", "can we start over"); stories are not

    def __post_init__(self) -> None:
        if not 0 <= self.min_confidence <= 1 or not 0 <= self.min_margin <= 1:
            raise ValueError("min_confidence and min_margin are confidences, between 0 and 1")
        if self.max_words < 1:
            raise ValueError("max_words must be at least 1")


@dataclass(frozen=True)
class Verdict:
    """Whether a destructive intent stands, and why not when it does not (for the log)."""

    certain: bool
    reason: str = ""


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def judge(intent: str, ranking: list[tuple[str, float]], text: str, rules: CertaintyRules) -> Verdict:
    """Whether ``intent`` (the top of ``ranking``, name and confidence, best first) may be acted on.

    Non-destructive intents always stand: only what cannot be undone needs certainty.
    """
    if intent not in DESTRUCTIVE_INTENTS:
        return Verdict(True)
    confidence = next((c for name, c in ranking if name == intent), 0.0)
    runner_up = max((c for name, c in ranking if name != intent), default=0.0)
    if confidence < rules.min_confidence:
        return Verdict(False, f"confidence {confidence:.2f} < {rules.min_confidence:.2f}")
    if confidence - runner_up < rules.min_margin:
        return Verdict(False, f"margin {confidence - runner_up:.2f} to the next intent < {rules.min_margin:.2f}")
    words = word_count(text)
    if words > rules.max_words:
        return Verdict(False, f"{words} words: a story, not a request (at most {rules.max_words})")
    return Verdict(True)


def demote(ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The ranking with every destructive intent moved behind the others (each group keeps its order).

    The first entry is then what the message most likely is when it is not a request to restart
    or stop; the destructive guesses stay visible at the end.
    """
    kept = [entry for entry in ranking if entry[0] not in DESTRUCTIVE_INTENTS]
    return kept + [entry for entry in ranking if entry[0] in DESTRUCTIVE_INTENTS]

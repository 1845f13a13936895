"""Which department a customer's words point at, clause by clause, with hand-offs between them.

The survey's touchpoint is only a prior: a customer asked about delivery who complains about
the invoice is attributed to finance. Each clause is scored on its own, so "sales was great
but the invoice was wrong" gives sales (positive) and finance (negative), and two silos linked
by cause, contrast or sequence give a hand-off pair. Below the threshold in ``silos.yml`` the
answer is "unattributed", never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.attribution.model import ExtraExample, SiloModel, load_or_train
from bot.sentiment import SentimentScorer, get_scorer
from bot.sentiment.text import Clause, split_clauses
from bot.taxonomy import UNATTRIBUTED, Taxonomy, load_taxonomy

MAX_EVIDENCE_CHARS = 300
# A silo's confidence blends its best probability in any one clause (a silo named once in a long answer
# still counts) with the whole answer's probability, so that what a long answer is mostly about outranks a
# silo one clause touches in passing: a story of a lost parcel that ends "and I was charged twice" is a
# delivery complaint first. The whole answer's share grows with its clauses, n / (n + WHOLE_ANSWER_CLAUSES):
# one clause 1/3, five clauses 5/7, a fifteen-clause complaint letter 15/17, where single clauses are noise.
WHOLE_ANSWER_CLAUSES = 2.0


@dataclass(frozen=True)
class SiloMention:
    silo: str
    confidence: float  # 0..1
    sentiment_label: str
    sentiment_score: float
    evidence: str  # the customer's clause(s) that point at this silo


@dataclass(frozen=True)
class HandoffPair:
    from_silo: str
    to_silo: str
    evidence: str


@dataclass(frozen=True)
class AttributionResult:
    mentions: tuple[SiloMention, ...]  # ranked, most confident first; only those above the threshold
    handoffs: tuple[HandoffPair, ...]

    @property
    def primary(self) -> str:
        return self.mentions[0].silo if self.mentions else UNATTRIBUTED

    @property
    def primary_confidence(self) -> float:
        return self.mentions[0].confidence if self.mentions else 0.0


@dataclass
class _ClauseScore:
    clause: Clause
    evidence: tuple[list[float], int]  # the model's summed weights and known-feature count
    probabilities: list[float]  # per silo (the model's "none" class left out)
    sentiment: float

    def top(self, threshold: float) -> int | None:
        best = max(range(len(self.probabilities)), key=self.probabilities.__getitem__, default=None)
        if best is None or self.probabilities[best] < threshold:
            return None
        return best


_COORDINATION = re.compile(r",\s*|\s+(?:and|plus|also|&)\s+", re.IGNORECASE)


def _coordinated_parts(text: str) -> list[str]:
    """'the driver was rude and the invoice was wrong' -> both halves, so one sentence can blame two silos.

    Only used for confidences: an "and" is not a hand-off. Parts of one or two words are too
    short to name a silo on their own ("rude and slow"), so those clauses are kept whole.
    """
    parts = [p for p in _COORDINATION.split(text) if p.strip()]
    if len(parts) < 2 or any(len(p.split()) < 3 for p in parts):
        return []
    return parts


def _clip(text: str) -> str:
    return text if len(text) <= MAX_EVIDENCE_CHARS else text[: MAX_EVIDENCE_CHARS - 1] + "…"


class Attributor:
    """Attributes feedback to the silos of one taxonomy."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        sentiment: SentimentScorer | None = None,
        model_cache: Path | None = None,
        extra: Sequence[ExtraExample] = (),
        model: SiloModel | None = None,
    ) -> None:
        """``extra``: the company's own sentences to train on; ``model``: an already trained model to use."""
        self.taxonomy = taxonomy
        self.model: SiloModel = model or load_or_train(taxonomy, model_cache, extra)
        self.sentiment = sentiment or get_scorer()

    def _score_clause(self, clause: Clause) -> _ClauseScore:
        evidence = self.model.evidence(clause.text)
        probabilities = self.model.probabilities_from(*evidence)[:-1]
        return _ClauseScore(clause, evidence, probabilities, self.sentiment.score(clause.text))

    def attribute(self, text: str, touchpoint: str | None = None) -> AttributionResult:
        """Ranked silo mentions with sentiment and evidence, plus hand-offs, for one response.

        A silo's confidence is its best probability in any one clause or in the whole answer,
        so a silo named in one clause of a long answer is not diluted by the others, blended with
        the whole answer's probability (``WHOLE_ANSWER_CLAUSES``) so that the answer's main subject ranks first.
        """
        clauses = [self._score_clause(c) for c in split_clauses(text or "")]
        names = self.model.silos
        if len(clauses) > 1:
            summed = [sum(values) for values in zip(*(c.evidence[0] for c in clauses), strict=True)]
            whole = self.model.probabilities_from(summed, sum(c.evidence[1] for c in clauses))[:-1]
        else:
            whole = clauses[0].probabilities if clauses else [0.0] * len(names)
        parts = [self.model.probabilities(p)[:-1] for c in clauses for p in _coordinated_parts(c.clause.text)]
        candidates = [whole] + [c.probabilities for c in clauses] + parts
        share = len(clauses) / (len(clauses) + WHOLE_ANSWER_CLAUSES) if clauses else 0.0
        confidences = [share * whole[i] + (1.0 - share) * max(p[i] for p in candidates) for i in range(len(names))]
        owner = self.taxonomy.owner(touchpoint)
        if owner in names:
            index = names.index(owner)
            confidences[index] += self.taxonomy.touchpoint_prior * (1.0 - confidences[index])

        threshold = self.taxonomy.threshold
        mentions = [
            self._mention(index, confidences[index], clauses)
            for index in range(len(names))
            if confidences[index] >= threshold
        ]
        # Siloscope looks for pain points: a silo the customer praises ranks after the others
        # ("sales was great but the invoice was wrong" -> finance first). Neutral and negative
        # mentions keep the model's order: a clause read as neutral is often a complaint in plain words.
        mentions.sort(key=lambda m: (m.sentiment_label == "positive", -m.confidence))
        return AttributionResult(tuple(mentions), self._handoffs(clauses, threshold))

    def _mention(self, index: int, confidence: float, clauses: list[_ClauseScore]) -> SiloMention:
        """The silo's sentiment and evidence come from the clause that points at it most."""
        name = self.model.silos[index]
        if clauses:
            best = max(clauses, key=lambda c: c.probabilities[index])
            supporting = [c for c in clauses if c.probabilities[index] >= 0.5 * best.probabilities[index] > 0]
            supporting = supporting or clauses
        else:
            supporting = []
        weight = sum(c.probabilities[index] for c in supporting)
        if weight > 0:
            score = sum(c.sentiment * c.probabilities[index] for c in supporting) / weight
        else:
            score = sum(c.sentiment for c in supporting) / max(len(supporting), 1)
        return SiloMention(
            silo=name,
            confidence=round(min(confidence, 1.0), 4),
            sentiment_label=self.sentiment.label(score),
            sentiment_score=round(score, 4),
            evidence=_clip(" … ".join(c.clause.text for c in supporting)),
        )

    def _handoffs(self, clauses: list[_ClauseScore], threshold: float) -> tuple[HandoffPair, ...]:
        """Consecutive clauses about different silos, linked by a connective, give a hand-off.

        With a cause ("because", "after") the later clause happened first, so it is the 'from' side.
        """
        pairs: list[HandoffPair] = []
        previous: tuple[int, _ClauseScore] | None = None
        for clause in clauses:
            top = clause.top(threshold)
            if top is None:
                continue
            if previous is not None and clause.clause.relation is not None and previous[0] != top:
                first, second = self.model.silos[previous[0]], self.model.silos[top]
                if clause.clause.relation == "cause":
                    first, second = second, first
                evidence = f"{previous[1].clause.text}, {clause.clause.connective} {clause.clause.text}"
                pair = HandoffPair(from_silo=first, to_silo=second, evidence=_clip(evidence))
                if all((p.from_silo, p.to_silo) != (pair.from_silo, pair.to_silo) for p in pairs):
                    pairs.append(pair)
            previous = (top, clause)
        return tuple(pairs)


@lru_cache(maxsize=4)
def _cached(taxonomy: Taxonomy, model_cache: Path) -> Attributor:
    return Attributor(taxonomy, model_cache=model_cache)


def get_attributor() -> Attributor:
    """The attributor for the current version of the configured ``silos.yml``, built once per version.

    ``load_taxonomy`` gives the same object until the file changes, so an edit is attributed with at
    once, as the chat already shows its touchpoints. The trained model is kept under var/cache, so the
    next process with the same inputs starts at once.
    """
    from bot.settings import var_dir

    return _cached(load_taxonomy(), var_dir() / "cache")


__all__ = ["AttributionResult", "Attributor", "HandoffPair", "SiloMention", "get_attributor"]

"""One sentence's positive and negative valence: phrases, negation, boosters, emphasis, 'but' and questions."""

from __future__ import annotations

from bot.sentiment.openers import opens
from bot.sentiment.settings import ScoringSettings
from bot.sentiment.vocabulary import Vocabulary


class SentenceScorer:
    """Scores the tokens of one sentence; the text-level rules (irony, emoji, '!') are the caller's."""

    def __init__(self, vocabulary: Vocabulary, settings: ScoringSettings) -> None:
        self.vocabulary = vocabulary
        self.settings = settings

    def _negation(self, tokens: list[str], start: int, consumed: set[int]) -> int | None:
        """Index of a negation within three words before ``start`` that no phrase or earlier word used yet.

        A negation flips only the first sentiment word after it: in "doesn't solve my problem"
        it flips "solve", not "problem" as well.
        """
        vocabulary = self.vocabulary
        for index in range(start - 1, max(0, start - 3) - 1, -1):
            token = tokens[index]
            if index not in consumed and vocabulary.is_negation(token):
                if start - index > 2 and token in vocabulary.short_negations:
                    continue  # "no" denies the noun after it, not a later verb: "no change fees saved me"
                return index
        return None

    def score(self, tokens: list[str], emphasised: set[int] | frozenset[int] = frozenset(),
              shouted: frozenset[str] = frozenset()) -> tuple[float, float, float]:
        """Positive and negative valence of one sentence, with phrases, negation, boosters and 'but'.

        The third value is the part of the positive that a complaint discounts: laughter ("4 hours at the gate
        lol" is a shrug) and part of courtesy ("thanks for the update, still no bag" is politeness).

        Words stretched ("sooo goood", positions in ``emphasised``) or shouted in capitals (``shouted``)
        weigh more, as VADER does for capitals.
        """
        settings, vocabulary = self.settings, self.vocabulary
        contrast_at = max((i for i, t in enumerate(tokens) if t in ("but", "however")), default=-1)
        positive = negative = discount = 0.0
        consumed: set[int] = set()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            length, value = 1, 0.0
            for phrase, phrase_value in vocabulary.phrases.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    length, value = len(phrase), phrase_value
                    consumed.update(range(i, i + length))
                    break
            else:
                value = 0.0 if token in vocabulary.boosters else vocabulary.word(token)
            if value:
                # Weak context words ("again", "still", "hours") are not what a negation denies:
                # in "can't sleep again" the complaint is not undone.
                # A phrase that carries its own negation ("no info", "never arrived") is not negated again by an
                # earlier one: in "no food, no water, no info" each "no" complains.
                own_negation = length > 1 and vocabulary.is_negation(token)
                negation = (
                    self._negation(tokens, i, consumed)
                    if abs(value) >= settings.negation_min and not own_negation
                    else None
                )
                if negation is not None:
                    value *= settings.negation_scalar
                    consumed.add(negation)
                    # "never" (-0.8) is used up by "never disappoints", but "nobody helped" stays twice a complaint
                    own = vocabulary.word(tokens[negation])
                    if own < 0 < value:
                        negative -= own
                    elif value < 0 < own:
                        positive -= own
                if i > 0 and tokens[i - 1] in vocabulary.boosters:
                    stretched = 1 + settings.emphasis if i - 1 in emphasised else 1  # "sooo good"
                    value *= 1 + vocabulary.boosters[tokens[i - 1]] * stretched
                if (emphasised or shouted) and (i in emphasised or token in shouted):
                    value *= 1 + settings.emphasis
                if contrast_at >= 0:
                    value *= settings.contrast_weight if i > contrast_at else (2 - settings.contrast_weight) / 1.5
                if value > 0:
                    positive += value
                    # (a phrase, "thank you for the help", means what it says: only single words are discounted)
                    if length == 1 and token in vocabulary.laughter:
                        discount += value
                    elif length == 1 and token in vocabulary.courtesy:
                        discount += value * (1 - settings.courtesy_in_complaint)
                else:
                    negative += value
            i += length
        for index, token in enumerate(tokens):
            if (
                index not in consumed
                and vocabulary.is_negation(token)
                and token not in vocabulary.prepositional_negations
            ):
                negative += settings.unmet_negation  # no sentiment word took this negation
        negative += settings.excess * self._excesses(tokens)
        if tokens and (tokens[-1] == "?" or opens(tokens, vocabulary.asking_openers)):
            # "anyone know a good plumber?" asks, it does not praise; tweets often drop the "?"
            if self._asks_for_information(tokens):
                positive *= settings.information_question_positive_scale
                negative *= settings.question_negative_scale
            else:
                positive *= settings.question_positive_scale
        return positive, negative, discount

    def _excesses(self, tokens: list[str]) -> int:
        """How often the sentence says "too" + something neutral ("too small"), not after a negation."""
        vocabulary = self.vocabulary
        return sum(
            1
            for i in range(len(tokens) - 1)
            if tokens[i] == "too" and tokens[i + 1] in vocabulary.excess_words
            and not (i > 0 and vocabulary.is_negation(tokens[i - 1]))
        )

    def _asks_for_information(self, tokens: list[str]) -> bool:
        """Of a sentence that asks (ends in "?" or opens like a question; the caller checks): whether it asks
        for information: it opens like one ("is there ..."), or ends in "?" with such an opener inside it
        ("I have a credit from a cancelled trip, how do I use it?")."""
        vocabulary = self.vocabulary
        if opens(tokens, vocabulary.question_openers):
            return True
        return tokens[-1] == "?" and any(
            opens(tokens[i:], vocabulary.inner_question_openers) for i in range(1, len(tokens) - 1)
        )

"""A whole text's sentiment: its sentences scored, then irony, emoji, laughter, patterns and '!' applied.

This is where the pieces meet: tweet reading (``tweet``), the vocabulary, one sentence at a time
(``sentence``), irony (``irony``) and emoji (``emoji``); the result is a score in -1..1 and a label.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from textblob.en import sentiment as textblob_sentiment  # what TextBlob(text).sentiment calls, minus its overhead

from bot.sentiment.emoji import read_emoji
from bot.sentiment.irony import IronyReader
from bot.sentiment.sentence import SentenceScorer
from bot.sentiment.settings import ScoringSettings
from bot.sentiment.text import clean, words
from bot.sentiment.tweet import TweetReader
from bot.sentiment.vocabulary import Vocabulary

LABELS = ("negative", "neutral", "positive")
# Scores remembered: enough for one response and its clauses, too few for a benchmark to replay.
RECENT_TEXTS = 32
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class SentimentResult:
    label: str  # 'negative' | 'neutral' | 'positive'
    score: float  # -1..1, the scorer's own
    polarity: float  # TextBlob's, -1..1
    subjectivity: float  # TextBlob's, 0..1


class SentimentScorer:
    """Scores text with a word lexicon, multi-word phrases and regular-expression patterns."""

    def __init__(
        self,
        config: dict[str, Any],
        base_words: dict[str, float] | None = None,
        emoji_descriptions: dict[str, str] | None = None,
    ) -> None:
        self.vocabulary = Vocabulary(config, base_words, emoji_descriptions)
        self.settings = ScoringSettings(**(config.get("scoring") or {}))
        self.tweets = TweetReader(self.vocabulary.emoticons, self.vocabulary.slang, self.vocabulary.known)
        self.sentences = SentenceScorer(self.vocabulary, self.settings)
        self.irony = IronyReader(self.vocabulary)
        self._recent: dict[str, float] = {}

    def valence(self, text: str) -> float:
        """The unnormalised sum of sentiment in ``text`` (negative = complaint)."""
        reader, irony = self.tweets, self.irony
        if "&" in text:  # tweets often arrive HTML-escaped: "I &lt;3 this", "bags &amp; seats"
            text = html.unescape(text)
        shouted = reader.shouted(text)
        marked_ironic = irony.marked(text)  # before emoji and hashtags are turned into words
        text, total, laughing = read_emoji(clean(reader.split_hashtags(text)), self.vocabulary)
        text, faces = reader.emoticons_in(text)
        total += faces
        settings = self.settings
        respell = reader.needs_respelling(text)
        sentences, emphasis = [], []
        for sentence in _SENTENCES.split(text):
            if sentence.strip():
                tokens, emphasised = words(sentence), set[int]()
                if respell or not reader.slang.keys().isdisjoint(tokens):
                    tokens, emphasised = reader.tokens(tokens)
                sentences.append(tokens)
                emphasis.append(emphasised)
        scored = [self.sentences.score(tokens, emphasised, shouted)
                  for tokens, emphasised in zip(sentences, emphasis, strict=True)]
        lowered = text.lower().replace("’", "'")
        patterns = self.vocabulary.pattern_total(lowered)
        # Irony that needs no complaint word: "oh great, the delivery was one bloke", "truly amazing service 🙃".
        ironic = marked_ironic or irony.opens_sarcastically(sentences)
        complaint = (
            ironic or any(negative <= -1.0 for _, negative, _ in scored) or total <= -1.0 or patterns <= -2.0
        )
        # Laughter next to anything negative is a shrug, not joy: "4 hours on the tarmac lol".
        shrug = complaint or patterns <= -1.0
        if shrug:
            total -= laughing  # "flight delayed 😂😂"
        if ironic and total > 0:
            total = -total  # the 👏 of "oh brilliant, moved for the third time 👏" claps ironically too
        for tokens, (positive, negative, discount) in zip(sentences, scored, strict=True):
            if shrug and discount:
                positive -= discount
            if positive and (ironic or (complaint and irony.sarcastic(tokens, negative))):
                positive = -positive  # "on hold for two hours. love it."
            total += positive + negative
        total += patterns
        bangs = min(lowered.count("!"), 4)
        if total:
            total += math.copysign(bangs * settings.exclamation, total)
        elif bangs >= 2:
            total = bangs * settings.excitement  # "got the keys to our first house today!!!"
        return total

    def score(self, text: str) -> float:
        """Lexicon score in -1..1, without TextBlob (used per clause, where speed matters).

        Remembered for recent texts: a response is scored whole and again as attribution's clauses.
        """
        cached = self._recent.get(text)
        if cached is None:
            total = self.valence(text)
            cached = total / math.sqrt(total * total + self.settings.alpha)
            if len(self._recent) >= RECENT_TEXTS:
                self._recent.clear()
            self._recent[text] = cached
        return cached

    def label(self, score: float) -> str:
        settings = self.settings
        return (
            "positive" if score >= settings.neutral_band
            else "negative" if score <= -settings.negative_band
            else "neutral"
        )

    def analyse(self, text: str) -> SentimentResult:
        polarity, subjectivity = textblob_sentiment(text)
        weight = self.settings.textblob_weight
        score = (1 - weight) * self.score(text) + weight * float(polarity)
        return SentimentResult(
            label=self.label(score),
            score=round(max(-1.0, min(1.0, score)), 4),
            polarity=float(polarity),
            subjectivity=float(subjectivity),
        )

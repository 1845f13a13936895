"""Sentiment of a customer's feedback: negative, neutral or positive, with a score.

TextBlob (from the design card) stays as the stored polarity and subjectivity, but it reads
short complaints ("still waiting", "3rd time calling", "thanks for nothing") as neutral or
even positive. The label and score come from a lexicon scorer tuned for service feedback:
VADER's general word list (shipped inside the ``vaderSentiment`` package) corrected and
extended by ``lexicon.yml``, with negation, boosters, contrast ("but") and sarcasm patterns.
Tweet and chat writing (emoticons, "soooo", SHOUTING, slang, #compoundtags, HTML escapes) is
made readable first by ``tweet.TweetReader``, inside this path only.

The modules, one idea each: ``sources`` (the packaged word lists), ``vocabulary`` (lexicon.yml
indexed for lookups), ``settings`` (its numbers), ``openers`` (how a sentence opens), ``text``
(tokens and clauses shared with attribution), ``tweet`` (tweet writing), ``emoji``, ``irony``,
``sentence`` (one sentence's valence) and ``scorer`` (a whole text, and the label).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.sentiment.scorer import LABELS, SentimentResult, SentimentScorer
from bot.sentiment.settings import ScoringSettings
from bot.sentiment.sources import textblob_adjectives, vader_emoji, vader_words
from bot.word_yaml import load_words

LEXICON_FILE = Path(__file__).with_name("lexicon.yml")


@lru_cache(maxsize=1)
def get_scorer() -> SentimentScorer:
    """The product's scorer, built once per process from the shipped lexicons."""
    config = load_words(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    return SentimentScorer(
        config, base_words={**textblob_adjectives(), **vader_words()}, emoji_descriptions=vader_emoji()
    )


def analyse_sentiment(text: str) -> SentimentResult:
    """Label, score and TextBlob's polarity/subjectivity for one piece of feedback."""
    return get_scorer().analyse(text or "")


__all__ = ["LABELS", "ScoringSettings", "SentimentResult", "SentimentScorer", "analyse_sentiment", "get_scorer"]

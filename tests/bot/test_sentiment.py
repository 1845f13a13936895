"""Sentiment through ``bot.sentiment``'s public interface: complaints TextBlob misses, negation, contrast."""

from __future__ import annotations

import pytest
from textblob import TextBlob

from bot.sentiment import SentimentScorer, analyse_sentiment


@pytest.mark.parametrize(
    "text",
    [
        "thanks for nothing",
        "Still waiting for my refund",
        "3rd time calling about this",
        "Great job losing my bag again",
        "Oh wonderful, love being on hold",
        "on hold for 45 minutes",
        "my flight was delayed and nobody told us anything",
        "I was charged twice",
    ],
)
def test_short_complaints_are_negative(text: str) -> None:
    result = analyse_sentiment(text)
    assert result.label == "negative"
    assert result.score < 0


def test_textblob_alone_misses_these_complaints() -> None:
    # The reason this scorer exists: TextBlob calls them neutral or positive.
    for text in ("thanks for nothing", "Still waiting for my refund", "Great job losing my bag again"):
        assert TextBlob(text).sentiment.polarity >= 0


@pytest.mark.parametrize(
    "text",
    ["The driver was friendly and the delivery was on time", "Thank you, the agent sorted it in minutes!",
     "No problems at all, very smooth"],
)
def test_praise_is_positive(text: str) -> None:
    assert analyse_sentiment(text).label == "positive"


@pytest.mark.parametrize("text", ["Can I change my flight to tomorrow?", "What time do you open on Saturday?", ""])
def test_questions_and_empty_answers_are_neutral(text: str) -> None:
    result = analyse_sentiment(text)
    assert result.label == "neutral"
    assert abs(result.score) < 0.15


def test_negation_flips_sentiment() -> None:
    assert analyse_sentiment("I am happy with the service").label == "positive"
    assert analyse_sentiment("I am not happy with the service").label == "negative"
    assert analyse_sentiment("The delivery was not on time").score < 0


def test_the_clause_after_but_weighs_more() -> None:
    assert analyse_sentiment("The seats were nice but the staff were rude and unhelpful").label == "negative"
    assert analyse_sentiment("The wait was long but the agent was brilliant and fixed everything").label == "positive"


def test_textblob_polarity_and_subjectivity_are_kept_for_storage() -> None:
    text = "The package arrived late and the box was damaged"
    result = analyse_sentiment(text)
    blob = TextBlob(text).sentiment
    assert result.polarity == pytest.approx(blob.polarity)
    assert result.subjectivity == pytest.approx(blob.subjectivity)
    assert -1 <= result.score <= 1


def test_the_lexicon_is_data_not_code() -> None:
    scorer = SentimentScorer(
        {"words": {"meh": -2.0}, "phrases": {"could not care less": -3.0}, "negations": ["not"]}
    )
    assert scorer.score("meh") < 0
    assert scorer.score("they could not care less") < -0.5
    assert scorer.score("meh") < scorer.score("not meh")


def test_handles_and_links_are_not_sentiment() -> None:
    # VADER's word list scores "united" as positive; a tweet to @united is not praise.
    assert analyse_sentiment("@united flight to Denver tomorrow").label == "neutral"
    assert analyse_sentiment("@united https://t.co/abc #NeverFlyingAgain").label == "negative"


def test_irony_after_a_complaint_and_emoji() -> None:
    assert analyse_sentiment("On hold for two hours. Love it.").label == "negative"
    assert analyse_sentiment("Oh great, another delay").label == "negative"
    assert analyse_sentiment("Great flight, lovely crew").label == "positive"
    assert analyse_sentiment("new episode tonight 🎉").label == "positive"
    assert analyse_sentiment("monday again 🙄").label == "negative"

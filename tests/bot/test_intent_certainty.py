"""The rule that keeps an uncertain restart or stop from wiping or ending a survey."""

from __future__ import annotations

import pytest

from bot.intent_certainty import CertaintyRules, demote, judge

RULES = CertaintyRules(min_confidence=0.8, min_margin=0.3, max_words=8)


def test_a_confident_short_request_stands() -> None:
    assert judge("restart", [("restart", 0.95), ("give_feedback", 0.03)], "restart please", RULES).certain
    assert judge("stop", [("stop", 0.9), ("deny", 0.05)], "stop", RULES).certain


def test_an_unsure_restart_does_not_stand() -> None:
    verdict = judge("restart", [("restart", 0.7), ("give_feedback", 0.2)], "late again", RULES)
    assert not verdict.certain and "confidence" in verdict.reason


def test_a_restart_barely_ahead_of_an_answer_does_not_stand() -> None:
    ranking = [("restart", 0.82), ("give_feedback", 0.6)]
    verdict = judge("restart", ranking, "late again, start to finish a mess", RULES)
    assert not verdict.certain and "margin" in verdict.reason


def test_a_long_message_is_a_story_even_when_the_classifier_is_sure() -> None:
    text = "please stop sending the parcel to my old address, I moved in May"
    verdict = judge("stop", [("stop", 0.99), ("give_feedback", 0.01)], text, RULES)
    assert not verdict.certain and "words" in verdict.reason


def test_other_intents_never_need_certainty() -> None:
    assert judge("give_feedback", [("give_feedback", 0.3), ("restart", 0.29)], "late again", RULES).certain


def test_demote_puts_every_destructive_intent_last_and_keeps_the_order() -> None:
    ranking = [("restart", 0.6), ("stop", 0.2), ("give_feedback", 0.15), ("inform", 0.05)]
    assert demote(ranking) == [("give_feedback", 0.15), ("inform", 0.05), ("restart", 0.6), ("stop", 0.2)]


@pytest.mark.parametrize("bad", [{"min_confidence": 1.5}, {"min_margin": -0.1}, {"max_words": 0}])
def test_nonsense_rules_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        CertaintyRules(**bad)

"""The survey's answer policy on its own: no tracker, no dispatcher, no database.

``keep`` stands in for the feedback service: it records what it was asked to store and
answers whether it was kept, so each test shows what reached storage and what the chat hears.
"""

from __future__ import annotations

import pytest

from bot.answers import EMPTY, TOO_LONG, UNCLEAR
from bot.feedback import Answers
from bot.settings import ConversationSettings
from bot.survey_policy import (
    ASIDE,
    FOLLOW_UP,
    FOREIGN,
    MOVING_ON,
    NOT_SAVED,
    STORY_KEPT,
    Kind,
    Progress,
    Said,
    answer,
    keep_story,
    outside_survey,
    questions_left,
    stray,
)

RULES = ConversationSettings(max_text_length=200, max_reasks=2, probe_at_or_below=2, praise_at_or_above=4)
LABELS = {"delivery": "Delivery of your order", "invoice": "Your invoice or payment"}
STORY = "The parcel arrived late and the driver was rude to my neighbour"
GERMAN = "Der Kundenservice war sehr unfreundlich und hat aufgelegt"


class Store:
    """What the policy asked to store; ``works=False`` is a store that keeps nothing (disk full)."""

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.asked: list[Answers] = []

    def __call__(self, answers: Answers) -> bool:
        self.asked.append(answers)
        return self.works


def ask(question: str, text: str | None, store: Store, reasks: int = 0, has_open_answer: bool = False, **said):
    return answer(question, Said(text, **said), Progress(reasks, has_open_answer), store, RULES, LABELS)


def test_a_readable_score_is_stored_with_its_band() -> None:
    store = Store()
    outcome = ask("score", "4 stars", store)
    assert (outcome.kind, dict(outcome.values), outcome.say) == (Kind.STORED, {"score": 4, "score_band": "high"}, ())
    assert store.asked == [Answers(score=4)] and outcome.stored and not outcome.counted


def test_an_unreadable_score_is_asked_again_for_its_reason_and_nothing_is_stored() -> None:
    store = Store()
    outcome = ask("score", "banana", store)
    assert (outcome.kind, outcome.say, outcome.reasks, dict(outcome.values)) == (
        Kind.REASK,
        (UNCLEAR,),
        1,
        {"score": None},
    )
    assert store.asked == [] and outcome.counted and not outcome.stored


def test_the_question_is_given_up_after_max_reasks_reasks() -> None:
    assert ask("score", "banana", Store(), reasks=1).kind is Kind.REASK
    outcome = ask("score", "banana", Store(), reasks=2)
    assert (outcome.kind, outcome.say, outcome.reasks) == (Kind.SKIPPED, (MOVING_ON,), 3)
    strict = ConversationSettings(max_reasks=0)
    assert answer("effort", Said("banana"), Progress(), Store(), strict).kind is Kind.SKIPPED


@pytest.mark.parametrize(("text", "reason"), [("   ", EMPTY), ("...", EMPTY), ("word " * 100, TOO_LONG)])
def test_an_open_answer_that_cannot_be_taken_says_why(text: str, reason: str) -> None:
    store = Store()
    outcome = ask("feedback_text", text, store)
    assert (outcome.kind, outcome.say) == (Kind.REASK, (reason,))
    assert store.asked == []


def test_an_english_open_answer_is_stored_with_its_language() -> None:
    store = Store()
    outcome = ask("feedback_text", "  The courier was late.  ", store)
    assert (outcome.kind, dict(outcome.values), outcome.say) == (
        Kind.STORED,
        {"feedback_text": "The courier was late."},
        (),
    )
    assert store.asked == [Answers(text="The courier was late.", language="en")]


def test_an_english_probe_leaves_the_language_the_first_answer_set() -> None:
    store = Store()
    ask("probe_text", "Call me before leaving it outside.", store)
    assert store.asked == [Answers(probe_text="Call me before leaving it outside.", language=None)]


def test_a_foreign_open_answer_is_kept_marked_and_the_customer_told() -> None:
    store = Store()
    outcome = ask("probe_text", "El paquete llegó tarde y nadie me avisó", store)
    assert (outcome.kind, outcome.say) == (Kind.STORED, (FOREIGN,))
    assert store.asked == [Answers(probe_text="El paquete llegó tarde y nadie me avisó", language="es")]


def test_sure_short_small_talk_is_answered_and_the_question_asked_again_uncounted() -> None:
    store = Store()
    outcome = ask("feedback_text", "are you a bot?", store, intent="chitchat", confidence=0.95)
    assert (outcome.kind, outcome.say, outcome.aside, outcome.counted) == (Kind.ASIDE, (ASIDE,), "chitchat", False)
    assert store.asked == []


@pytest.mark.parametrize(
    ("text", "confidence"),
    [("the parcel never came", 0.77), ("where was my parcel for two weeks, nobody knew", 0.95)],
)
def test_feedback_that_sounds_out_of_scope_is_still_the_answer(text: str, confidence: float) -> None:
    store = Store()
    outcome = ask("feedback_text", text, store, intent="out_of_scope", confidence=confidence)
    assert outcome.kind is Kind.STORED
    assert store.asked == [Answers(text=text, language="en")]


def test_a_story_told_instead_of_a_score_is_kept_and_the_score_asked_again() -> None:
    store = Store()
    outcome = ask("score", STORY, store)
    assert (outcome.kind, outcome.say, outcome.reasks) == (Kind.REASK, (STORY_KEPT,), 1)
    assert dict(outcome.values) == {"score": None, "feedback_text": STORY}
    assert store.asked == [Answers(text=STORY, language="en")] and outcome.stored


def test_a_story_at_the_last_reask_is_kept_and_the_question_given_up_without_more_words() -> None:
    outcome = ask("score", STORY, Store(), reasks=2)
    assert (outcome.kind, outcome.say, outcome.values["feedback_text"]) == (Kind.SKIPPED, (STORY_KEPT,), STORY)


def test_a_story_after_the_open_answer_is_a_plain_reask() -> None:
    store = Store()
    outcome = ask("effort", STORY, store, has_open_answer=True)
    assert (outcome.kind, outcome.say, dict(outcome.values)) == (Kind.REASK, (UNCLEAR,), {"effort": None})
    assert store.asked == []


def test_a_foreign_answer_to_a_rating_is_kept_as_the_open_answer() -> None:
    store = Store()
    outcome = ask("score", GERMAN, store)
    assert (outcome.kind, outcome.say, outcome.values["feedback_text"]) == (Kind.REASK, (FOREIGN,), GERMAN)
    assert store.asked == [Answers(text=GERMAN, language="de")]


def test_a_foreign_answer_after_the_open_answer_is_told_english_only_and_counted() -> None:
    store = Store()
    outcome = ask("score", GERMAN, store, has_open_answer=True)
    assert (outcome.kind, outcome.say, outcome.reasks, outcome.stored) == (Kind.REASK, (FOREIGN,), 1, False)
    assert store.asked == []


@pytest.mark.parametrize(
    ("question", "text"), [("score", "3"), ("feedback_text", "It was fine."), ("first_contact", "no, third time")]
)
def test_an_answer_that_was_not_kept_is_asked_again_uncounted(question: str, text: str) -> None:
    outcome = ask(question, text, Store(works=False))
    assert (outcome.kind, outcome.say, dict(outcome.values)) == (Kind.NOT_KEPT, (NOT_SAVED,), {question: None})
    assert not outcome.counted and not outcome.stored


def test_a_story_that_was_not_kept_is_not_claimed_kept() -> None:
    outcome = ask("score", STORY, Store(works=False))
    assert (outcome.kind, outcome.say, dict(outcome.values)) == (Kind.NOT_KEPT, (NOT_SAVED,), {"score": None})


def test_first_contact_brings_its_count_along() -> None:
    store = Store()
    outcome = ask("first_contact", "no, third time", store)
    assert dict(outcome.values) == {"first_contact": False, "contact_count": 3}
    assert store.asked == [Answers(contact_count=3)]


def test_a_plain_no_stores_nothing_yet_and_leaves_the_count_to_ask() -> None:
    store = Store()
    outcome = ask("first_contact", "no", store)
    assert (outcome.kind, dict(outcome.values), outcome.stored) == (
        Kind.STORED,
        {"first_contact": False, "contact_count": None},
        False,
    )
    assert store.asked == []
    assert ask("contact_count", "twice", store).values == {"contact_count": 2}
    assert store.asked == [Answers(contact_count=2)]


def test_effort_is_stored() -> None:
    store = Store()
    assert ask("effort", "very easy", store).values == {"effort": 7}
    assert store.asked == [Answers(effort=7)]


def test_a_touchpoint_is_read_from_its_label_and_stores_nothing_itself() -> None:
    store = Store()
    outcome = ask("touchpoint", "my payment", store)
    assert (outcome.kind, dict(outcome.values), outcome.stored) == (Kind.STORED, {"touchpoint": "invoice"}, False)
    assert ask("touchpoint", "the weather", store).say == (UNCLEAR,)
    assert store.asked == []


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(ValueError, match="no such survey question"):
        ask("shoe_size", "42", Store())


def test_the_questions_left_depend_on_the_score_and_the_first_contact() -> None:
    questions = ["score", "feedback_text", "probe_text", "effort", "first_contact", "contact_count"]
    assert questions_left(questions, [], 5, True, RULES) == ["score", "feedback_text", "effort", "first_contact"]
    assert questions_left(questions, ["score"], 2, False, RULES) == [
        "feedback_text",
        "probe_text",
        "effort",
        "first_contact",
        "contact_count",
    ]
    assert "probe_text" not in questions_left(questions, [], None, None, RULES)


def test_an_interruption_at_an_open_question_keeps_a_story_only() -> None:
    store = Store()
    text = "I want to stop paying for this service, the app never works"
    assert keep_story("feedback_text", text, store, RULES)
    assert store.asked == [Answers(text=text, language="en")]
    assert not keep_story("feedback_text", "stop", store, RULES)
    assert not keep_story("score", text, store, RULES)
    assert not keep_story(None, text, store, RULES)
    assert len(store.asked) == 1
    assert not keep_story("probe_text", text, Store(works=False), RULES)


def test_a_stray_message_is_feedback_only_in_another_language() -> None:
    store = Store()
    assert (stray("asdf qwerty", store, RULES).kind, store.asked) == (Kind.ASIDE, [])
    outcome = stray(GERMAN, store, RULES)
    assert (outcome.kind, outcome.say, outcome.stored) == (Kind.STORED, (FOREIGN,), True)
    assert store.asked == [Answers(text=GERMAN, language="de")]
    assert stray(GERMAN, Store(works=False), RULES).say == (NOT_SAVED,)


@pytest.mark.parametrize("text", ["meh", "hard", "yes", "Also: the driver was rude"])
def test_after_the_survey_ended_a_message_is_added_to_it(text: str) -> None:
    added: list[str] = []
    store = Store()
    outcome = outside_survey(text, True, store, lambda words: added.append(words) is None, RULES)
    assert (outcome.kind, outcome.say, outcome.stored) == (Kind.STORED, (FOLLOW_UP,), True)
    assert (added, store.asked) == ([text], [])  # added to the ended survey, not stored as new answers


def test_a_follow_up_that_was_not_kept_is_not_acknowledged() -> None:
    outcome = outside_survey("meh", True, Store(), lambda _words: False, RULES)
    assert (outcome.kind, outcome.say) == (Kind.NOT_KEPT, (NOT_SAVED,))


def test_an_empty_follow_up_adds_nothing_and_says_why() -> None:
    added: list[str] = []
    outcome = outside_survey("  ", True, Store(), lambda words: added.append(words) is None, RULES)
    assert (outcome.say, added) == ((EMPTY,), [])


def test_with_no_survey_behind_it_a_message_is_a_stray_one() -> None:
    outcome = outside_survey("meh", False, Store(), lambda _words: True, RULES)
    assert (outcome.kind, outcome.say) == (Kind.ASIDE, (ASIDE,))


def test_the_nps_question_is_asked_only_when_the_company_turned_it_on() -> None:
    questions = ["score", "feedback_text", "effort", "first_contact", "nps"]
    assert "nps" not in questions_left(questions, [], 4, True, RULES)
    asking = ConversationSettings(ask_nps=True)
    assert questions_left(questions, [], 4, True, asking)[-1] == "nps"


@pytest.mark.parametrize(("text", "expected"), [("9", 9), ("0", 0), ("10/10", 10), ("8 out of 10", 8),
                                                ("very likely", 10), ("never", 0)])
def test_an_nps_answer_is_read_on_0_to_10_and_stored(text: str, expected: int) -> None:
    store = Store()
    outcome = ask("nps", text, store)
    assert outcome.kind is Kind.STORED and outcome.values["nps"] == expected
    assert store.asked == [Answers(nps=expected)]


@pytest.mark.parametrize("text", ["11", "12 out of 10", "purple"])
def test_an_unreadable_nps_answer_is_asked_again_and_nothing_stored(text: str) -> None:
    store = Store()
    assert ask("nps", text, store).kind is Kind.REASK and store.asked == []

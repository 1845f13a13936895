"""How customers answer, read into what we store — or the reason for a re-ask."""

from __future__ import annotations

import pytest

from bot.answers import (
    AMBIGUOUS,
    EMPTY,
    OUT_OF_RANGE,
    TOO_LONG,
    UNCLEAR,
    FirstContact,
    read_contact_count,
    read_effort,
    read_first_contact,
    read_open_text,
    read_score,
    read_touchpoint,
    score_band,
)

SCORES = [
    ("4", 4),
    (" 5 ", 5),
    ("five", 5),
    ("Four", 4),
    ("4/5", 4),
    ("4 / 5", 4),
    ("2 out of 5", 2),
    ("8/10", 4),
    ("3/10", 2),
    ("4 stars", 4),
    ("1 star", 1),
    ("⭐⭐⭐⭐", 4),
    ("⭐⭐⭐⭐⭐", 5),
    ("★★★☆☆", 3),
    ("★★★✩✩", 3),  # ✩ is an outlined (empty) star, not a filled one
    ("★★☆☆☆☆☆☆☆☆", 1),  # two of ten drawn stars: the same share of five
    ("🙂", 4),
    ("😡", 1),
    ("😐", 3),
    ("😀😀", 5),
    ("👍", 4),
    ("I'd give it a 4", 4),
    ("4, the driver was late", 4),
    ("５", 5),
    ("very good", 5),
    ("good", 4),
    ("pretty good", 4),
    ("ok", 3),
    ("not bad", 4),
    ("not good", 2),
    ("bad", 2),
    ("really bad", 1),
    ("terrible!!", 1),
    ("very dissatisfied", 1),
    ("excellent", 5),
]

SCORE_REASKS = [
    ("", EMPTY),
    ("   ", EMPTY),
    (None, EMPTY),
    ("6", OUT_OF_RANGE),
    ("0", OUT_OF_RANGE),
    ("10", OUT_OF_RANGE),
    ("6/5", OUT_OF_RANGE),
    ("⭐⭐⭐⭐⭐⭐", OUT_OF_RANGE),
    ("✩✩✩✩✩", OUT_OF_RANGE),  # no star filled: below the scale, not 5
    ("3 or 4", AMBIGUOUS),
    ("4.5", AMBIGUOUS),
    ("😀😡", AMBIGUOUS),
    ("good and bad", AMBIGUOUS),
    ("banana", UNCLEAR),
    ("I waited 3 days for it", UNCLEAR),
    ("the parcel arrived late and the driver was rude to me", UNCLEAR),
]


@pytest.mark.parametrize(("text", "expected"), SCORES)
def test_scores_are_read_from_how_people_write_them(text: str, expected: int) -> None:
    reading = read_score(text)
    assert (reading.value, reading.problem) == (expected, None)


@pytest.mark.parametrize(("text", "problem"), SCORE_REASKS)
def test_unreadable_scores_give_a_reason_to_reask(text: str | None, problem: str) -> None:
    reading = read_score(text)
    assert (reading.value, reading.problem, reading.ok) == (None, problem, False)


EFFORTS = [
    ("7", 7),
    ("1", 1),
    ("6/7", 6),
    ("five", 5),
    ("very easy", 7),
    ("extremely easy", 7),
    ("effortless", 7),
    ("easy", 6),
    ("quite easy", 5),
    ("fairly easy", 5),
    ("neither easy nor difficult", 4),
    ("not easy", 3),
    ("not hard", 5),
    ("a bit hard", 3),
    ("hard", 2),
    ("difficult", 2),
    ("very difficult", 1),
    ("it was a nightmare", 1),
    ("impossible", 1),
    ("😀", 7),
    ("😡", 1),
]


@pytest.mark.parametrize(("text", "expected"), EFFORTS)
def test_effort_runs_from_1_very_difficult_to_7_very_easy(text: str, expected: int) -> None:
    assert read_effort(text).value == expected


@pytest.mark.parametrize(("text", "problem"), [("8", OUT_OF_RANGE), ("", EMPTY), ("purple", UNCLEAR)])
def test_unreadable_effort_gives_a_reason(text: str, problem: str) -> None:
    assert read_effort(text).problem == problem


FIRST_CONTACTS = [
    ("yes", FirstContact(True, 1)),
    ("Yeah", FirstContact(True, 1)),
    ("yes, first time", FirstContact(True, 1)),
    ("it's the first time", FirstContact(True, 1)),
    ("never contacted you before", FirstContact(True, 1)),
    ("1", FirstContact(True, 1)),
    ("no", FirstContact(False, None)),
    ("nope", FirstContact(False, None)),
    ("not the first time", FirstContact(False, None)),
    ("several times", FirstContact(False, None)),
    ("no, third time", FirstContact(False, 3)),
    ("no, it was the 4th time", FirstContact(False, 4)),
    ("twice", FirstContact(False, 2)),
    ("3", FirstContact(False, 3)),
    ("three times", FirstContact(False, 3)),
    ("no, I called twice before", FirstContact(False, 3)),
    ("no, once before", FirstContact(False, 2)),
]


@pytest.mark.parametrize(("text", "expected"), FIRST_CONTACTS)
def test_first_contact_answers_carry_the_count_when_given(text: str, expected: FirstContact) -> None:
    assert read_first_contact(text).value == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", EMPTY),
        ("not sure", UNCLEAR),
        ("maybe", UNCLEAR),
        ("no, first time", AMBIGUOUS),
        ("500 times", OUT_OF_RANGE),
    ],
)
def test_unclear_first_contact_answers_are_reasked(text: str, problem: str) -> None:
    assert read_first_contact(text).problem == problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("three times", 3),
        ("twice", 2),
        ("the 3rd time", 3),
        ("5 or more", 5),
        ("more than 5", 6),
        ("about 10", 10),
        ("2 before", 3),
        # After "not the first time", "once" can only mean once before this one.
        ("once", 2),
        ("1", 2),
    ],
)
def test_contact_count_counts_this_contact_too(text: str, expected: int) -> None:
    assert read_contact_count(text).value == expected


@pytest.mark.parametrize(("text", "problem"), [("many", UNCLEAR), ("", EMPTY), ("200", OUT_OF_RANGE)])
def test_unreadable_contact_counts_are_reasked(text: str, problem: str) -> None:
    assert read_contact_count(text).problem == problem


def test_open_text_is_trimmed_and_limited() -> None:
    assert read_open_text("  The parcel was late.  ", 2000).value == "The parcel was late."
    assert read_open_text("x" * 2000, 2000).ok
    assert read_open_text("x" * 2001, 2000).problem == TOO_LONG
    assert read_open_text(" \n ", 2000).problem == EMPTY
    assert read_open_text("...", 2000).problem == EMPTY
    assert read_open_text("👍", 2000).value == "👍"


LABELS = {
    "delivery": "Delivery or installation",
    "invoice": "Your invoice or payment",
    "support": "Getting help from support",
    "purchase": "Talking to sales",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("delivery", "delivery"),
        ("Your invoice or payment", "invoice"),
        ("my payment", "invoice"),
        ("the installation", "delivery"),
        ("sales", "purchase"),
        ("getting help", "support"),
    ],
)
def test_touchpoints_are_picked_by_name_or_label_words(text: str, expected: str) -> None:
    assert read_touchpoint(text, LABELS).value == expected


def test_unknown_touchpoints_are_reasked() -> None:
    assert read_touchpoint("the weather", LABELS).problem == UNCLEAR
    assert read_touchpoint("", LABELS).problem == EMPTY


def test_score_bands_follow_the_probe_threshold() -> None:
    assert [score_band(s, 2, 4) for s in (1, 2, 3, 4, 5)] == ["low", "low", "mid", "high", "high"]
    assert score_band(3, 3, 4) == "low"
    assert score_band(4, 2, 5) == "mid"
    assert score_band(None, 2, 4) is None

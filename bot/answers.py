"""Reading what customers type into the values we store.

Customers answer a rating in many ways ("4", "four", "4/5", "4 stars", "⭐⭐⭐⭐", "🙂",
"pretty good"); a survey that only takes a bare digit loses them. Each reader returns a
:class:`Reading`: the normalised value, or a short reason code the chat turns into a
re-ask that names the accepted forms. Nothing here knows about Rasa.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

T = TypeVar("T")

# Why an answer could not be read; the chat has one re-ask per reason.
EMPTY = "empty"
TOO_LONG = "too_long"
UNCLEAR = "unclear"
OUT_OF_RANGE = "out_of_range"
AMBIGUOUS = "ambiguous"

SCORE_MIN, SCORE_MAX = 1, 5
EFFORT_MIN, EFFORT_MAX = 1, 7  # 7 = very easy
NPS_MIN, NPS_MAX = 0, 10  # "how likely are you to recommend us?" (Net Promoter Score)
CONTACT_MAX = 100
# An open answer this short that sounds like chit-chat ("are you a bot?") is an aside, not the answer.
ASIDE_MAX_WORDS = 5
# An interruption ("stop", "a person please") this long, given to an open question, also
# carries an answer worth keeping ("I want to stop paying for this, the app never works").
STORY_MIN_WORDS = 6


@dataclass(frozen=True)
class Reading(Generic[T]):
    """An answer read as a value, or the reason it could not be."""

    value: T | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class FirstContact:
    """Answer to "is this the first time you contacted us about it?".

    ``contact_count`` counts this contact too (1 = first time); None when the customer said
    "no" without saying how often, so the chat asks.
    """

    first: bool
    contact_count: int | None


NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "fifty": 50, "hundred": 100, "a hundred": 100,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20,
}  # fmt: skip
TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}

# Words after a number that say it is not a rating ("I waited 3 days").
UNIT_WORDS = frozenset(
    "second seconds minute minutes min mins hour hours hrs day days week weeks month months year years "
    "time times call calls email emails euro euros eur dollar dollars usd pound pounds gbp % percent "
    "item items parcel parcels package packages order orders am pm".split()
)

FILLER_WORDS = frozenset(
    "i i'd id i'm im am would say it it's its was is has been be that that's thats this the a an my "
    "overall honestly just well um uhm hmm give rate rating score".split()
)

INTENSIFIERS = frozenset("very really extremely super so totally absolutely incredibly truly".split())
SOFTENERS = frozenset(
    "fairly quite rather somewhat moderately bit little slightly kind kinda sort pretty reasonably".split()
)
NEGATIONS = frozenset("not never hardly isn't wasn't nt".split())

# Short verbal ratings on the 1–5 scale.
SCORE_WORDS = {
    "excellent": 5, "perfect": 5, "amazing": 5, "outstanding": 5, "fantastic": 5, "brilliant": 5,
    "superb": 5, "great": 5, "wonderful": 5, "awesome": 5, "love": 5, "loved": 5, "best": 5,
    "good": 4, "satisfied": 4, "happy": 4, "nice": 4, "pleased": 4, "fine": 3, "ok": 3, "okay": 3,
    "average": 3, "neutral": 3, "meh": 3, "so-so": 3, "mediocre": 3, "alright": 3, "decent": 4,
    "bad": 2, "poor": 2, "dissatisfied": 2, "unsatisfied": 2, "unhappy": 2, "disappointing": 2,
    "disappointed": 2, "terrible": 1, "awful": 1, "horrible": 1, "worst": 1, "appalling": 1,
    "dreadful": 1, "useless": 1, "hate": 1, "hated": 1, "disaster": 1, "abysmal": 1,
}  # fmt: skip

# Short verbal answers to "how easy was it?" on the 1–7 scale (7 = very easy).
EFFORT_WORDS = {
    "effortless": 7, "easy": 6, "simple": 6, "straightforward": 6, "smooth": 6, "painless": 6,
    "quick": 6, "neutral": 4, "ok": 4, "okay": 4, "average": 4, "so-so": 4, "fine": 4,
    "hard": 2, "difficult": 2, "tough": 2, "complicated": 2, "painful": 2, "tricky": 3,
    "impossible": 1, "nightmare": 1, "hell": 1, "awful": 1, "terrible": 1,
}  # fmt: skip

# Short verbal answers to "how likely are you to recommend us?" on the 0–10 scale.
NPS_WORDS = {
    "definitely": 10, "certainly": 10, "absolutely": 10, "likely": 8, "probably": 7, "maybe": 5,
    "perhaps": 5, "unlikely": 2, "never": 0,
}  # fmt: skip

# Emoji that stand for a rating (faces and thumbs).
FACE_SCORES = {
    "😡": 1, "😠": 1, "🤬": 1, "👎": 1, "😤": 1, "😭": 1,
    "😞": 2, "☹": 2, "🙁": 2, "😕": 2, "😟": 2, "😒": 2, "😢": 2,
    "😐": 3, "😶": 3, "😑": 3, "🤷": 3,
    "🙂": 4, "😊": 4, "👍": 4, "☺": 4,
    "😀": 5, "😃": 5, "😄": 5, "😁": 5, "😍": 5, "🤩": 5, "🥰": 5, "❤": 5, "💯": 5, "🥳": 5,
}  # fmt: skip
FILLED_STARS = frozenset("⭐★🌟✭✮✯")
# Outlined stars are the unfilled part of a rating ("★★★☆☆" = 3 of 5).
EMPTY_STARS = frozenset("☆✩✰")

YES_WORDS = frozenset("yes y yeah yea yep yup ya yah sure correct right indeed affirmative true aye absolutely".split())
NO_WORDS = frozenset("no n nope nah negative false not".split())
UNSURE_PHRASES = ("not sure", "don't know", "dont know", "no idea", "can't remember", "cant remember",
                  "don't remember", "dont remember", "unsure", "maybe", "not certain")  # fmt: skip
BEFORE_WORDS = frozenset("before already previously earlier prior".split())
MORE_THAN = ("more than", "over ", "above")

_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![\w])")
_FRACTION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:/|out of|of)\s*(\d+)\b")
_STARS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:stars?|\*)")


def _normalise(text: str | None) -> str:
    """Lower-case, NFKC (full-width digits become digits), single spaces, no variation selectors."""
    text = unicodedata.normalize("NFKC", text or "").replace("\ufe0f", "").replace("\u200d", "")
    return " ".join(text.lower().split())


def _round_half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _number(token: str) -> float:
    return float(token.replace(",", "."))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.replace("’", "'"))


def _emoji_reading(text: str, low: int, high: int) -> Reading[int] | None:
    """Filled stars are counted ("⭐⭐⭐" = 3) against the stars drawn ("★★☆☆☆☆☆☆☆☆" = 1 of 5);
    faces map to a rating. None when there are none."""
    stars = sum(1 for char in text if char in FILLED_STARS)
    drawn = stars + sum(1 for char in text if char in EMPTY_STARS)
    if drawn and not re.search(r"\d", text):
        if drawn > stars and drawn != high:  # a row of another length: the same share of our scale
            stars = _round_half_up(stars / drawn * high) if stars else 0
        return Reading(stars) if low <= stars <= high else Reading(problem=OUT_OF_RANGE)
    faces = {FACE_SCORES[char] for char in text if char in FACE_SCORES}
    if not faces or re.search(r"\d", text):
        return None
    if len(faces) > 1:
        return Reading(problem=AMBIGUOUS)
    value = faces.pop()
    # A face rates 1–5; on a longer scale it stands for the same position.
    scaled = value if high == SCORE_MAX else _round_half_up(low + (value - 1) * (high - low) / (SCORE_MAX - 1))
    return Reading(scaled)


def _numeric_reading(text: str, low: int, high: int, short: bool) -> Reading[int] | None:
    """Digits, "4/5", "4 out of 5", "4 stars" and number words; None when there is no number."""
    fraction = _FRACTION.search(text)
    if fraction:
        got, scale = _number(fraction.group(1)), _number(fraction.group(2))
        if scale <= 0 or got < 0 or got > scale:
            return Reading(problem=OUT_OF_RANGE)
        if scale == high:
            value = got
        else:  # "8/10" on a 1–5 question: the same share of the scale.
            value = max(low, _round_half_up(got / scale * high))
        if value != int(value):
            return Reading(problem=AMBIGUOUS)
        return Reading(int(value)) if low <= value <= high else Reading(problem=OUT_OF_RANGE)

    stars = _STARS.search(text)
    candidates: list[float] = []
    if stars:
        candidates = [_number(stars.group(1))]
    else:
        words = text.split()
        for match in _NUMBER.finditer(text):
            following = text[match.end() :].split()
            if following and following[0].strip(".,!") in UNIT_WORDS:
                continue
            at_start = match.start() == 0
            if short or at_start:
                candidates.append(_number(match.group(1)))
        if not candidates and len(words) <= 4:
            for word in _words(text):
                if word in NUMBER_WORDS:
                    candidates.append(NUMBER_WORDS[word])
    if not candidates:
        return None
    distinct = set(candidates)
    if len(distinct) > 1:
        return Reading(problem=AMBIGUOUS)
    value = distinct.pop()
    if value != int(value):
        return Reading(problem=AMBIGUOUS)
    return Reading(int(value)) if low <= value <= high else Reading(problem=OUT_OF_RANGE)


def _verbal_reading(text: str, table: Mapping[str, int], low: int, high: int) -> Reading[int] | None:
    """Short verbal answers ("very good", "not bad", "quite easy"); None when none applies.

    Intensifiers push a rating to the end of the scale, softeners one step towards the
    middle (never onto it), and a negation lands a quarter of the scale on the other side.
    """
    words = [w for w in _words(text) if w not in FILLER_WORDS or w in table]
    if not words or len(words) > 5:
        return None
    middle = (low + high) / 2
    if "neither" in words or " ".join(words) in ("in between", "in the middle", "middle"):
        return Reading(_round_half_up(middle))
    rated = [w for w in words if w in table]
    if not rated:
        return None
    if len({table[w] for w in rated}) > 1:
        return Reading(problem=AMBIGUOUS)
    value: float = table[rated[0]]
    before = words[: words.index(rated[0])]
    quarter = (high - low) / 4
    if set(before) & NEGATIONS or any(w.endswith("n't") for w in before):
        value = math.ceil(middle - quarter) if value >= middle else math.floor(middle + quarter)
    elif set(before) & INTENSIFIERS:
        value = high if value > middle else low if value < middle else value
    elif set(before) & SOFTENERS and value != middle:
        step = -1 if value > middle else 1
        if value + step != middle:
            value += step
    return Reading(int(value))


def _read_scale(text: str | None, low: int, high: int, words: Mapping[str, int]) -> Reading[int]:
    norm = _normalise(text)
    if not norm:
        return Reading(problem=EMPTY)
    short = len(norm.split()) <= 6
    for reader in (
        lambda: _emoji_reading(norm, low, high),
        lambda: _numeric_reading(norm, low, high, short),
        lambda: _verbal_reading(norm, words, low, high),
    ):
        reading = reader()
        if reading is not None:
            return reading
    return Reading(problem=UNCLEAR)


def read_score(text: str | None) -> Reading[int]:
    """Satisfaction 1–5 from "4", "four", "4/5", "8/10", "4 stars", "⭐⭐⭐⭐", "🙂", "very good"."""
    return _read_scale(text, SCORE_MIN, SCORE_MAX, SCORE_WORDS)


def read_effort(text: str | None) -> Reading[int]:
    """Customer effort 1–7 (7 = very easy) from "6", "6/7", "very easy", "quite hard", "not easy"."""
    return _read_scale(text, EFFORT_MIN, EFFORT_MAX, EFFORT_WORDS)


def read_nps(text: str | None) -> Reading[int]:
    """Likelihood to recommend 0–10 from "9", "9/10", "8 out of 10", "very likely", "never"."""
    return _read_scale(text, NPS_MIN, NPS_MAX, NPS_WORDS)


def score_band(score: int | None, probe_at_or_below: int, praise_at_or_above: int) -> str | None:
    """low (gets the probe), mid or high (asked what went well); None without a score."""
    if score is None:
        return None
    if score <= probe_at_or_below:
        return "low"
    return "high" if score >= praise_at_or_above else "mid"


def _count_in(text: str) -> tuple[int | None, bool]:
    """How many contacts a phrase mentions, and whether it said they came *before* this one.

    "third time" -> 3; "twice" -> 2; "3 times" -> 3; "called twice before" -> (2, before).
    """
    words = _words(text)
    before = bool(set(words) & BEFORE_WORDS)
    more = any(marker in text for marker in MORE_THAN)
    for word in words:
        if word in ORDINAL_WORDS and ("time" in text or len(words) <= 3):
            return ORDINAL_WORDS[word], False
    ordinal = re.search(r"\b(\d+)\s*(?:st|nd|rd|th)\b", text)
    if ordinal:
        return int(ordinal.group(1)), False
    numbers = [int(_number(n)) for n in _NUMBER.findall(text) if "." not in n and "," not in n]
    numbers += [value for word, value in NUMBER_WORDS.items() if word in words]
    numbers += [value for word, value in TIMES_WORDS.items() if word in words]
    if len(set(numbers)) == 1:
        count = numbers[0] + (1 if more else 0)
        return count, before
    return None, before


def read_contact_count(text: str | None, not_first: bool = True) -> Reading[int]:
    """How many times, counting this one, the customer contacted us about the same thing.

    After a customer said it was *not* the first time, "once" means once before (2), and a
    count said to be "before"/"already" gets this contact added.
    """
    norm = _normalise(text)
    if not norm:
        return Reading(problem=EMPTY)
    count, before = _count_in(norm)
    if count is None:
        return Reading(problem=UNCLEAR)
    if before:
        count += 1
    if not_first:
        count = max(count, 2)
    if not 1 <= count <= CONTACT_MAX:
        return Reading(problem=OUT_OF_RANGE)
    return Reading(count)


def read_first_contact(text: str | None) -> Reading[FirstContact]:
    """Yes / no to "first time?", also "no, third time", "twice", "3" (the count comes along)."""
    norm = _normalise(text)
    if not norm:
        return Reading(problem=EMPTY)
    if any(phrase in norm for phrase in UNSURE_PHRASES):
        return Reading(problem=UNCLEAR)
    words = _words(norm)
    if re.search(r"\bnever\b", norm) and not re.search(r"\bnever (again|fixed|solved|answered|replied)", norm):
        return Reading(FirstContact(first=True, contact_count=1))
    denial = re.compile(r"\b(not|isn't|wasn't|isnt|wasnt) (the|my|our) first\b")
    denied = bool(denial.search(norm))
    negative = denied or (bool(words) and words[0] in NO_WORDS)
    positive = bool(words) and words[0] in YES_WORDS
    if negative and "first" in words and not denied:
        return Reading(problem=AMBIGUOUS)  # "no, first time"
    count, before = _count_in(denial.sub(" ", norm))
    if count is not None and before:
        count += 1
    if count is not None:
        if count == 1:
            return Reading(FirstContact(first=False, contact_count=2)) if negative else Reading(FirstContact(True, 1))
        if count < 1:
            return Reading(problem=UNCLEAR)
        if count > CONTACT_MAX:
            return Reading(problem=OUT_OF_RANGE)
        if positive and not negative:
            return Reading(problem=AMBIGUOUS)  # "yes, twice"
        return Reading(FirstContact(first=False, contact_count=count))
    if negative:
        return Reading(FirstContact(first=False, contact_count=None))
    if positive or "first" in words:
        return Reading(FirstContact(first=True, contact_count=1))
    if re.search(r"\b(several|many|multiple|lots|loads|countless|again|repeatedly|numerous|often)\b", norm):
        return Reading(FirstContact(first=False, contact_count=None))
    return Reading(problem=UNCLEAR)


def read_open_text(text: str | None, max_length: int) -> Reading[str]:
    """A free answer, trimmed; refused when empty or longer than ``max_length`` characters."""
    cleaned = (text or "").strip()
    if not cleaned or not any(char.isalnum() or ord(char) > 0x2000 for char in cleaned):
        return Reading(problem=EMPTY)
    if len(cleaned) > max_length:
        return Reading(problem=TOO_LONG)
    return Reading(cleaned)


def is_aside(text: str | None) -> bool:
    """Short enough that chit-chat-sounding text is small talk rather than an answer."""
    return len((text or "").split()) <= ASIDE_MAX_WORDS


def tells_a_story(text: str | None) -> bool:
    """Long enough that an interruption also says something we should keep as feedback."""
    return len((text or "").split()) >= STORY_MIN_WORDS


_TOUCHPOINT_STOP_WORDS = frozenset(
    "a an the or and our your my with to of about from for on in it its i was is me "
    "talking placing getting using".split()
)


def read_touchpoint(text: str | None, labels: Mapping[str, str]) -> Reading[str]:
    """Which touchpoint the customer picked, by name ("delivery") or words of its label ("my invoice").

    ``labels`` maps touchpoint names to the labels customers see (silos.yml).
    """
    norm = _normalise(text)
    if not norm:
        return Reading(problem=EMPTY)
    for name, label in labels.items():
        if norm in (name.lower(), _normalise(label)):
            return Reading(name)
    said = {w for w in _words(norm) if w not in _TOUCHPOINT_STOP_WORDS}
    said |= {w[:-1] for w in said if w.endswith("s") and len(w) > 3}
    hits = {}
    for name, label in labels.items():
        vocabulary = {w for w in _words(_normalise(f"{name} {label}")) if w not in _TOUCHPOINT_STOP_WORDS}
        overlap = said & vocabulary
        if overlap:
            hits[name] = len(overlap)
    if not hits:
        return Reading(problem=UNCLEAR)
    best = max(hits.values())
    winners = [name for name, count in hits.items() if count == best]
    return Reading(winners[0]) if len(winners) == 1 else Reading(problem=AMBIGUOUS)

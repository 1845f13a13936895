"""Turning a clause into the features the silo model scores: stemmed words, word pairs and word beginnings."""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from bot.sentiment.text import words
from bot.word_yaml import load_words

LANGUAGE_FILE = Path(__file__).with_name("language.yml")
# Long words also count by their first letters, so spellings and forms no example used still point the same
# way: "cancelation", "cancellations" and a tweet's "Cancelled Flightled" share "cance~" with "cancelled".
PREFIX_LENGTH = 5


@lru_cache(maxsize=1)
def language() -> dict[str, Any]:
    """``language.yml``, read once: its stopwords shape every feature, its "none" sentences train the model."""
    return load_words(LANGUAGE_FILE.read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(str(w).lower() for w in language().get("stopwords") or ())


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A light suffix stripper: enough to join 'charged'/'charges'/'charging', cheap and deterministic."""
    if len(token) <= 3 or not token.isalpha():
        return token
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)] + replacement
            break
    if token.endswith("e") and len(token) > 4:
        token = token[:-1]
    return token


def features(text: str) -> list[str]:
    """Stemmed content words, adjacent content-word pairs ("order number", "direct debit") and word beginnings."""
    stop = stopwords()
    tokens = [t for t in words(text) if t not in stop and not t.isdigit()]
    content = [stem(t) for t in tokens]
    pairs = [f"{a} {b}" for a, b in pairwise(content)]
    beginnings = [f"{t[:PREFIX_LENGTH]}~" for t in tokens if len(t) > PREFIX_LENGTH and t.isalpha()]
    return content + pairs + beginnings

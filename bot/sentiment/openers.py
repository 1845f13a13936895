"""Phrases a sentence opens with ("is there", "love how", "oh great"), found with one lookup per sentence."""

from __future__ import annotations

from bot.sentiment.text import words

Openers = dict[str, list[tuple[str, ...]]]


def by_first_word(phrases: list[str] | None) -> Openers:
    """Opening phrases indexed by their first word, so checking a sentence's opening is one lookup."""
    index: Openers = {}
    for phrase in phrases or ():
        tokens = tuple(words(str(phrase)))
        if tokens:
            index.setdefault(tokens[0], []).append(tokens)
    return index


def opens(tokens: list[str], openers: Openers) -> bool:
    """Whether ``tokens`` start with one of ``openers`` (built by ``by_first_word``); no tokens open nothing."""
    return bool(tokens) and any(tuple(tokens[: len(opener)]) == opener for opener in openers.get(tokens[0], ()))

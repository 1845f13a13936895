"""Emoji in feedback: the lexicon's valences, VADER's descriptions for the rest, and laughter kept apart."""

from __future__ import annotations

from bot.sentiment.vocabulary import Vocabulary


def read_emoji(text: str, vocabulary: Vocabulary) -> tuple[str, float, float]:
    """Emoji valences from lexicon.yml; other emoji become VADER's descriptions ("grinning face").

    Returns the text with the scored emoji taken out, their summed valence, and the part of it that
    is laughter (😂), which a complaint turns into a shrug.
    """
    if text.isascii():
        return text, 0.0, 0.0
    total, laughing, pieces = 0.0, 0.0, []
    seen: dict[str, int] = {}
    for char in text:
        if char in vocabulary.emoji:
            seen[char] = seen.get(char, 0) + 1
            if seen[char] <= 3:  # 😭😭😭😭😭 is not five times as sad
                total += vocabulary.emoji[char]
                if char in vocabulary.laughter and vocabulary.emoji[char] > 0:
                    laughing += vocabulary.emoji[char]
            pieces.append(" ")
        elif char in vocabulary.emoji_descriptions:
            pieces.append(f" {vocabulary.emoji_descriptions[char]} ")
        else:
            pieces.append(char)
    return "".join(pieces), total, laughing

"""What the scorer knows about words: valences, phrases, patterns, negations, boosters and word lists.

Built once from ``lexicon.yml`` (parsed) on top of the general word lists; every lookup the scorer
makes about a word goes through here, including the fall-back from an inflected word to its base.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sentiment.openers import by_first_word
from bot.sentiment.text import words

# Suffixes tried, in order, when a word is not in the lexicon itself.
_INFLECTIONS = (("iest", "y"), ("ier", "y"), ("ily", "y"), ("est", ""), ("est", "e"), ("er", ""), ("er", "e"),
                ("ly", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("es", ""), ("s", ""))


def _lowered(values: Any) -> frozenset[str]:
    return frozenset(str(w).lower() for w in values or ())


class Vocabulary:
    """The lexicon's entries, indexed for the lookups the scorer makes per token."""

    def __init__(
        self,
        config: dict[str, Any],
        base_words: dict[str, float] | None = None,
        emoji_descriptions: dict[str, str] | None = None,
    ) -> None:
        self.words: dict[str, float] = dict(base_words or {})
        self.words.update({str(k).lower(): float(v) for k, v in (config.get("words") or {}).items()})
        self.phrases: dict[str, list[tuple[tuple[str, ...], float]]] = {}
        for phrase, value in (config.get("phrases") or {}).items():
            tokens = tuple(words(str(phrase)))
            if tokens:
                self.phrases.setdefault(tokens[0], []).append((tokens, float(value)))
        for candidates in self.phrases.values():
            candidates.sort(key=lambda item: len(item[0]), reverse=True)
        patterns = list((config.get("patterns") or {}).items())
        # One scan for all patterns (named alternatives), instead of one scan each, tried only where a word
        # or a '?'/'!' starts (every pattern starts there): three times faster than trying every position.
        self.pattern_values = {f"p{i}": float(v) for i, (_, v) in enumerate(patterns)}
        alternatives = "|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(patterns))
        self.patterns = re.compile(rf"(?:(?<!\w)(?=\w)|(?=[?!]))(?:{alternatives})") if patterns else None
        self.negations = _lowered(config.get("negations"))
        self.boosters = {str(k).lower(): float(v) for k, v in (config.get("boosters") or {}).items()}
        self.question_openers = by_first_word(config.get("question_openers"))
        self.asking_openers = by_first_word(config.get("asking_openers"))
        self.inner_question_openers = by_first_word(config.get("inner_question_openers"))
        self.sarcasm_markers = _lowered(config.get("sarcasm_markers"))
        self.laughter = _lowered(config.get("laughter"))
        self.courtesy = _lowered(config.get("courtesy"))
        self.short_negations = _lowered(config.get("short_negations"))
        self.prepositional_negations = _lowered(config.get("prepositional_negations"))
        self.ironic_openers = by_first_word(config.get("ironic_openers"))
        self.sarcastic_openers = by_first_word(config.get("sarcastic_openers"))
        self.excess_words = _lowered(config.get("excess_words"))
        self.irony_markers = tuple(str(m).lower() for m in config.get("irony_markers") or ())
        self.emoji = {str(k): float(v) for k, v in (config.get("emoji") or {}).items()}
        self.emoji_descriptions = dict(emoji_descriptions or {})
        # Emoticons: the non-word entries of the base lists (VADER has ~200) plus lexicon.yml's own.
        self.emoticons = {
            k: v for k, v in self.words.items() if v and " " not in k and not k.replace("'", "").isalnum()
        }
        self.emoticons.update({str(k): float(v) for k, v in (config.get("emoticons") or {}).items()})
        self.slang: dict[str, Any] = config.get("slang") or {}
        self._inflected: dict[str, float] = {}

    def known(self, token: str) -> bool:
        """Whether a token means something to this scorer (used to read elongations and hashtags)."""
        return (
            bool(self.words.get(token)) or token in self.negations or token in self.boosters or token in self.phrases
        )

    def is_negation(self, token: str) -> bool:
        return token in self.negations or token.endswith("n't")

    def word(self, token: str) -> float:
        """A word's valence, or its base form's ("smoothest" -> "smooth", "happiest" -> "happy")."""
        value = self.words.get(token)
        if value is not None:
            return value
        value = self._inflected.get(token)
        if value is None:
            value = 0.0
            if token.endswith("'s") and len(token) > 4:
                value = self.words.get(token[:-2], 0.0)  # "nobody's at the desk", "everyone's happy"
            elif len(token) > 4 and token.isalpha():
                for suffix, replacement in _INFLECTIONS:
                    base = token[: -len(suffix)] + replacement
                    if token.endswith(suffix) and len(base) >= 3 and base in self.words:
                        value = self.words[base]
                        break
            self._inflected[token] = value
        return value

    def pattern_total(self, lowered: str) -> float:
        """The summed values of every ``patterns:`` entry found in the (lower-cased) text."""
        total = 0.0
        if self.patterns is not None:
            for match in self.patterns.finditer(lowered):
                total += self.pattern_values[match.lastgroup or ""]
        return total

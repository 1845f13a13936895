"""Praise that means its opposite: "love how my flight got cancelled", "on hold for two hours. love it.", 🙃."""

from __future__ import annotations

from bot.sentiment.openers import opens
from bot.sentiment.vocabulary import Vocabulary


class IronyReader:
    """Finds irony the writer marks and praise that only makes sense as irony."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    def marked(self, text: str) -> bool:
        """Whether the writer marks the text as ironic ("🙃", a "/s" of its own, "#sarcasm")."""
        padded = f" {text.lower()} "
        return any(marker in padded for marker in self.vocabulary.irony_markers)

    def opens_sarcastically(self, sentences: list[list[str]]) -> bool:
        """Whether a sentence opens like irony that needs no complaint word ("oh great, ...")."""
        return any(opens(tokens, self.vocabulary.sarcastic_openers) for tokens in sentences)

    def sarcastic(self, tokens: list[str], negative: float) -> bool:
        """Praise that only makes sense as irony: a short cheer after a complaint, or 'oh great, ...'."""
        vocabulary = self.vocabulary
        words_only = [t for t in tokens if t.isalnum()]
        if negative < 0 and any(opens(tokens[i:], vocabulary.ironic_openers) for i in range(3)):
            return True  # "love how my flight got cancelled", "nothing like a 3 hour delay"
        if not any(t in vocabulary.sarcasm_markers for t in words_only):
            return False
        if len(words_only) <= 3 and negative == 0:
            return True
        return bool(words_only) and words_only[0] in ("oh", "ah", "wow", "yay") and negative < 0

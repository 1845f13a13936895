"""Tokens and clauses: the shared way sentiment and attribution read a customer's words.

Both scorers must see the same clauses, otherwise the sentiment stored beside a silo would
come from different words than the evidence that named the silo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[!?]|[:;]-?[()dp]", re.IGNORECASE)

# Connectives that open a new clause, and how the new clause relates to the one before it.
# "cause": the new clause explains the earlier one (so it happened first);
# "sequence"/"contrast": the new clause follows the earlier one.
CONNECTIVES: dict[str, str] = {
    "but": "contrast",
    "however": "contrast",
    "although": "contrast",
    "though": "contrast",
    "yet": "contrast",
    "whereas": "contrast",
    "while": "contrast",
    "then": "sequence",
    "and then": "sequence",
    "so": "sequence",
    "which meant": "sequence",
    "meaning": "sequence",
    "now": "sequence",
    "because": "cause",
    "since": "cause",
    "as": "cause",
    "after": "cause",
    "due to": "cause",
    "thanks to": "cause",
}

_CONNECTIVE_RE = re.compile(
    r"(?:^|(?<=[\s,;:(]))(" + "|".join(sorted((re.escape(c) for c in CONNECTIVES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+-\s+")


@dataclass(frozen=True)
class Clause:
    text: str
    relation: str | None  # how this clause relates to the previous one, None for the first of a sentence
    connective: str | None


_HANDLE_OR_LINK = re.compile(r"(?:^|(?<=[^\w@]))@\w+|https?://\S+|www\.\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _hashtag_words(match: re.Match[str]) -> str:
    return _CAMEL.sub(" ", match.group(1))  # "#NeverFlyingAgain" -> "Never Flying Again"


def clean(text: str) -> str:
    """Drop @handles and links (an airline's handle is not praise for it) and split #CamelCase tags."""
    if "@" in text or "http" in text or "www." in text:
        text = _HANDLE_OR_LINK.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_hashtag_words, text)
    return text


def words(text: str) -> list[str]:
    """Lower-case word tokens, keeping '!' and '?' and simple emoticons, which carry sentiment."""
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(clean(text))]


def split_clauses(text: str) -> list[Clause]:
    """Split on sentence ends and on contrast, cause and sequence connectives.

    "as" and "while" are only clause openers after a comma, because mid-sentence they are
    mostly prepositions ("as expected", "while on hold").
    """
    clauses: list[Clause] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        start, relation, connective = 0, None, None
        for match in _CONNECTIVE_RE.finditer(sentence):
            word = match.group(1).lower()
            if word in ("as", "while", "since", "now", "so") and not sentence[: match.start()].rstrip().endswith(","):
                continue
            piece = sentence[start : match.start()].strip(" ,;:-")
            if words(piece):
                clauses.append(Clause(piece, relation, connective))
                relation, connective = CONNECTIVES[word], word
            elif not clauses or start == 0:
                relation, connective = CONNECTIVES[word], word
            start = match.end()
        piece = sentence[start:].strip(" ,;:-")
        if words(piece):
            clauses.append(Clause(piece, relation, connective))
    return clauses

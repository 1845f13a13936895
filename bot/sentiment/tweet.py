"""Tweet and chat writing made readable for the sentiment lexicon.

Customers write the way they tweet: emoticons (``:/``, ``<3``, ``^_^``), elongations ("soooo",
"noooo"), shouting ("NEVER AGAIN"), slang ("luv", "fml", "thx") and compound hashtags
("#lostmybag"). This module turns them into what the lexicon knows, inside the sentiment path
only: attribution's shared ``text.words`` stays untouched. Every step is a dictionary lookup or
a precompiled regex, so it costs little per text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

# A run of three or more of the same letter: "soooo", "yesss", "pleeease".
_ELONGATED = re.compile(r"([a-z])\1{2,}")
# Laughter of any length: "hahaha", "hehehe", "bwahaha" -> "haha"; "lololol" -> "lol".
_LAUGH = re.compile(r"^(?:bw)?a?(?:ha){2,}h?$|^(?:he){2,}h?$|^(?P<lol>lo(?:lo)+l)$")
# Words shouted in capitals (two letters or more; "I" and "A" are not shouting).
_SHOUTED = re.compile(r"\b[A-Z][A-Z']+\b")
_RESPELL = re.compile(r"([a-z])\1{2,}|(?:ha|he|lo){2}")
_LOWER_TAG = re.compile(r"#([a-z]{5,})\b")
_MIN_TAG_PART = 4


class TweetReader:
    """Emoticons, elongations, slang, shouting and hashtags, looked up in the scorer's own vocabulary.

    ``known`` answers whether a token means something to the scorer (a sentiment word, a negation,
    a booster, the start of a phrase): an elongated word is reduced to the form the scorer knows,
    and a lower-case hashtag is split only where a part of it is such a word.
    """

    def __init__(
        self,
        emoticons: Mapping[str, float],
        slang: Mapping[str, str],
        known: Callable[[str], bool],
    ) -> None:
        self.emoticons = {key.lower(): float(value) for key, value in emoticons.items()}
        self.slang = {str(key).lower(): tuple(str(value or "").lower().split()) for key, value in slang.items()}
        self.known = known

    def _face(self, piece: str) -> float | None:
        """The valence of an emoticon written between spaces; a repeated last character (":)))") is the same face."""
        face = piece.lower().rstrip(".,!?")
        value = self.emoticons.get(face)
        if value is None and len(face) > 2 and face[-1] == face[-2]:
            value = self.emoticons.get(face.rstrip(face[-1]) + face[-1])
        if value is None and 4 <= len(face) <= 12:  # "<3<3<3" is one face, repeated
            for times in (2, 3, 4):
                size, rest = divmod(len(face), times)
                if not rest and face == face[:size] * times:
                    value = self.emoticons.get(face[:size])
                    break
        return value

    def emoticons_in(self, text: str) -> tuple[str, float]:
        """Text with its free-standing emoticons taken out (each ends a sentence), and their summed valence.

        A split and a dictionary lookup per piece: cheaper than one regular expression over ~250 faces.
        """
        pieces = text.split(" ")
        total, found = 0.0, False
        for index, piece in enumerate(pieces):
            if piece and not piece.isalpha():
                value = self._face(piece)
                if value is not None:
                    total += value
                    pieces[index] = "."
                    found = True
        return (" ".join(pieces), total) if found else (text, 0.0)

    @staticmethod
    def shouted(text: str) -> frozenset[str]:
        """Lower-cased words written in capitals, when the rest of the text is not (a whole tweet in capitals is
        only the writer's habit)."""
        if text.islower() or text.isupper():
            return frozenset()
        found = _SHOUTED.findall(text)
        if not found:
            return frozenset()
        return frozenset(word.lower() for word in found)

    def split_hashtags(self, text: str) -> str:
        """Split a lower-case compound hashtag where a part is a word the scorer knows.

        "#neveragain" -> "never again", "#lostmybag" -> "lost mybag", "#unitedfail" -> "united fail".
        No general dictionary is needed: only sentiment-bearing parts change the score, so only they are looked
        for; a tag with no such part stays one (unknown, neutral) word. #CamelCase tags are split by ``clean``.
        """
        if "#" not in text:
            return text
        return _LOWER_TAG.sub(self._split_tag, text)

    def _split_tag(self, match: re.Match[str]) -> str:
        tag = match.group(1)
        if self.known(tag) or tag in self.slang:
            return tag
        for cut in range(len(tag) - 2, 1, -1):  # two known words: "nothappy", "neveragain"
            if self.known(tag[:cut]) and self.known(tag[cut:]):
                return f"{tag[:cut]} {tag[cut:]}"
        for cut in range(1, len(tag) - _MIN_TAG_PART + 1):  # longest known ending: "unitedfail", "epicfail"
            if self.known(tag[cut:]):
                return f"{tag[:cut]} {tag[cut:]}"
        for cut in range(len(tag) - 1, _MIN_TAG_PART - 1, -1):  # longest known beginning: "lostmybag"
            if self.known(tag[:cut]):
                return f"{tag[:cut]} {tag[cut:]}"
        return tag

    @staticmethod
    def needs_respelling(text: str) -> bool:
        """Whether some word is stretched or laughed ("sooo", "hahaha"): one scan per text, so most texts skip
        the word-by-word check (slang alone is found by a set lookup)."""
        return _RESPELL.search(text.lower()) is not None

    def tokens(self, tokens: Iterable[str]) -> tuple[list[str], set[int]]:
        """Slang expanded and elongations reduced; also the positions of emphasised (elongated) words."""
        result: list[str] = []
        emphasised: set[int] = set()
        for token in tokens:
            elongated = False
            if token not in self.slang and not self.known(token) and _ELONGATED.search(token):
                token, elongated = self._shorten(token), True
            if token[:1] in ("h", "l", "b", "a") and len(token) > 3:
                laugh = _LAUGH.match(token)
                if laugh:
                    token = "lol" if laugh.group("lol") else "haha"
            expansion = self.slang.get(token)
            words = expansion if expansion is not None else (token,)
            if elongated:  # "sooo" -> "soo" -> "so", still stretched
                emphasised.update(range(len(result), len(result) + len(words)))
            result.extend(words)
        return result, emphasised

    def _shorten(self, token: str) -> str:
        """'goooood' -> 'good', 'soooo' -> 'so', 'yesss' -> 'yes': two letters if that is a word, else one."""
        double = _ELONGATED.sub(r"\1\1", token)
        if self.known(double) or double in self.slang:
            return double
        single = _ELONGATED.sub(r"\1", token)
        if self.known(single) or single in self.slang:
            return single
        return double


__all__ = ["TweetReader"]

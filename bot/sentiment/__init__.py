"""Sentiment of a customer's feedback: negative, neutral or positive, with a score.

TextBlob (from the design card) stays as the stored polarity and subjectivity, but it reads
short complaints ("still waiting", "3rd time calling", "thanks for nothing") as neutral or
even positive. The label and score come from a lexicon scorer tuned for service feedback:
VADER's general word list (shipped inside the ``vaderSentiment`` package) corrected and
extended by ``lexicon.yml``, with negation, boosters, contrast ("but") and sarcasm patterns.
Tweet and chat writing (emoticons, "soooo", SHOUTING, slang, #compoundtags, HTML escapes) is
made readable first by ``tweet.TweetReader``, inside this path only.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from textblob.en import sentiment as textblob_sentiment  # what TextBlob(text).sentiment calls, minus its overhead

from bot.sentiment.text import clean, words
from bot.sentiment.tweet import TweetReader
from bot.word_yaml import load_words

LEXICON_FILE = Path(__file__).with_name("lexicon.yml")
LABELS = ("negative", "neutral", "positive")
# Scores remembered: enough for one response and its clauses, too few for a benchmark to replay.
RECENT_TEXTS = 32
# Suffixes tried, in order, when a word is not in the lexicon itself.
_INFLECTIONS = (("iest", "y"), ("ier", "y"), ("ily", "y"), ("est", ""), ("est", "e"), ("er", ""), ("er", "e"),
                ("ly", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("es", ""), ("s", ""))
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class SentimentResult:
    label: str  # 'negative' | 'neutral' | 'positive'
    score: float  # -1..1, the scorer's own
    polarity: float  # TextBlob's, -1..1
    subjectivity: float  # TextBlob's, 0..1


@dataclass(frozen=True)
class ScoringSettings:
    contrast_weight: float = 1.5
    negation_scalar: float = -0.74
    exclamation: float = 0.29
    alpha: float = 15.0
    textblob_weight: float = 0.15
    neutral_band: float = 0.15
    negative_band: float = 0.15
    question_positive_scale: float = 0.3
    information_question_positive_scale: float = 0.1
    question_negative_scale: float = 0.5
    unmet_negation: float = -0.7
    excitement: float = 0.35
    courtesy_in_complaint: float = 1.0
    emphasis: float = 0.3
    negation_min: float = 1.0


def _vader_words() -> dict[str, float]:
    """VADER's word valences, read from the file its package ships (no download)."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    valences: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                valences[parts[0].lower()] = float(parts[1])
            except ValueError:
                continue
    return valences


def _vader_emoji() -> dict[str, str]:
    text = resources.files("vaderSentiment").joinpath("emoji_utf8_lexicon.txt").read_text(encoding="utf-8")
    pairs = (line.split("\t", 1) for line in text.splitlines() if "\t" in line)
    return {emoji: description.strip() for emoji, description in pairs if len(emoji) == 1}


def _textblob_adjectives(scale: float = 3.0) -> dict[str, float]:
    """TextBlob's adjective polarities (its shipped pattern lexicon), averaged over senses, on VADER's scale.

    VADER misses many review and complaint adjectives ("atrocious", "overrated"); TextBlob has them.
    """
    from xml.etree import ElementTree

    text = resources.files("textblob").joinpath("en/en-sentiment.xml").read_text(encoding="utf-8")
    senses: dict[str, list[float]] = {}
    for word in ElementTree.fromstring(text).iter("word"):  # noqa: S314 - a file shipped inside a package
        form = (word.get("form") or "").lower()
        if form and " " not in form:
            senses.setdefault(form, []).append(float(word.get("polarity") or 0))
    averaged = {form: sum(values) / len(values) for form, values in senses.items()}
    return {form: round(value * scale, 3) for form, value in averaged.items() if abs(value) >= 0.1}


def _by_first_word(phrases: list[str] | None) -> dict[str, list[tuple[str, ...]]]:
    """Opening phrases indexed by their first word, so checking a sentence's opening is one lookup."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases or ():
        tokens = tuple(words(str(phrase)))
        if tokens:
            index.setdefault(tokens[0], []).append(tokens)
    return index


def _opens(tokens: list[str], openers: dict[str, list[tuple[str, ...]]]) -> bool:
    """Whether ``tokens`` start with one of ``openers`` (built by ``_by_first_word``); no tokens open nothing."""
    return bool(tokens) and any(tuple(tokens[: len(opener)]) == opener for opener in openers.get(tokens[0], ()))


class SentimentScorer:
    """Scores text with a word lexicon, multi-word phrases and regular-expression patterns."""

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
        self.negations = frozenset(str(w).lower() for w in config.get("negations") or ())
        self.boosters = {str(k).lower(): float(v) for k, v in (config.get("boosters") or {}).items()}
        self.settings = ScoringSettings(**(config.get("scoring") or {}))
        self.question_openers = _by_first_word(config.get("question_openers"))
        self.asking_openers = _by_first_word(config.get("asking_openers"))
        self.inner_question_openers = _by_first_word(config.get("inner_question_openers"))
        self.sarcasm_markers = frozenset(str(w).lower() for w in config.get("sarcasm_markers") or ())
        self.laughter = frozenset(str(w).lower() for w in config.get("laughter") or ())
        self.courtesy = frozenset(str(w).lower() for w in config.get("courtesy") or ())
        self.short_negations = frozenset(str(w).lower() for w in config.get("short_negations") or ())
        self.prepositional_negations = frozenset(str(w).lower() for w in config.get("prepositional_negations") or ())
        self.ironic_openers = _by_first_word(config.get("ironic_openers"))
        self.sarcastic_openers = _by_first_word(config.get("sarcastic_openers"))
        self.irony_markers = tuple(str(m).lower() for m in config.get("irony_markers") or ())
        self.emoji = {str(k): float(v) for k, v in (config.get("emoji") or {}).items()}
        self.emoji_descriptions = dict(emoji_descriptions or {})
        # Emoticons: the non-word entries of the base lists (VADER has ~200) plus lexicon.yml's own.
        emoticons = {k: v for k, v in self.words.items() if v and " " not in k and not k.replace("'", "").isalnum()}
        emoticons.update({str(k): float(v) for k, v in (config.get("emoticons") or {}).items()})
        self.tweets = TweetReader(emoticons, config.get("slang") or {}, self._known)
        self._recent: dict[str, float] = {}
        self._inflected: dict[str, float] = {}

    def _known(self, token: str) -> bool:
        """Whether a token means something to this scorer (used to read elongations and hashtags)."""
        return (
            bool(self.words.get(token)) or token in self.negations or token in self.boosters or token in self.phrases
        )

    def _word(self, token: str) -> float:
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

    def _negation(self, tokens: list[str], start: int, consumed: set[int]) -> int | None:
        """Index of a negation within three words before ``start`` that no phrase or earlier word used yet.

        A negation flips only the first sentiment word after it: in "doesn't solve my problem"
        it flips "solve", not "problem" as well.
        """
        for index in range(start - 1, max(0, start - 3) - 1, -1):
            token = tokens[index]
            if index not in consumed and (token in self.negations or token.endswith("n't")):
                if start - index > 2 and token in self.short_negations:
                    continue  # "no" denies the noun after it, not a later verb: "no change fees saved me"
                return index
        return None

    def _emoji(self, text: str) -> tuple[str, float, float]:
        """Emoji valences from lexicon.yml; other emoji become VADER's descriptions ("grinning face").

        Also returns the part of the valence that is laughter (😂), which a complaint turns into a shrug.
        """
        if text.isascii():
            return text, 0.0, 0.0
        total, laughing, seen, pieces = 0.0, 0.0, {}, []
        for char in text:
            if char in self.emoji:
                seen[char] = seen.get(char, 0) + 1
                if seen[char] <= 3:  # 😭😭😭😭😭 is not five times as sad
                    total += self.emoji[char]
                    if char in self.laughter and self.emoji[char] > 0:
                        laughing += self.emoji[char]
                pieces.append(" ")
            elif char in self.emoji_descriptions:
                pieces.append(f" {self.emoji_descriptions[char]} ")
            else:
                pieces.append(char)
        return "".join(pieces), total, laughing

    def _sentence(self, tokens: list[str], emphasised: set[int] | frozenset[int] = frozenset(),
                  shouted: frozenset[str] = frozenset()) -> tuple[float, float, float]:
        """Positive and negative valence of one sentence, with phrases, negation, boosters and 'but'.

        The third value is the part of the positive that a complaint discounts: laughter ("4 hours at the gate
        lol" is a shrug) and part of courtesy ("thanks for the update, still no bag" is politeness).

        Words stretched ("sooo goood", positions in ``emphasised``) or shouted in capitals (``shouted``)
        weigh more, as VADER does for capitals.
        """
        settings = self.settings
        contrast_at = max((i for i, t in enumerate(tokens) if t in ("but", "however")), default=-1)
        positive = negative = discount = 0.0
        consumed: set[int] = set()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            length, value = 1, 0.0
            for phrase, phrase_value in self.phrases.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    length, value = len(phrase), phrase_value
                    consumed.update(range(i, i + length))
                    break
            else:
                value = 0.0 if token in self.boosters else self._word(token)
            if value:
                # Weak context words ("again", "still", "hours") are not what a negation denies:
                # in "can't sleep again" the complaint is not undone.
                negation = self._negation(tokens, i, consumed) if abs(value) >= settings.negation_min else None
                if negation is not None:
                    value *= settings.negation_scalar
                    consumed.add(negation)
                    # "never" (-0.8) is used up by "never disappoints", but "nobody helped" stays twice a complaint
                    own = self._word(tokens[negation])
                    if own < 0 < value:
                        negative -= own
                    elif value < 0 < own:
                        positive -= own
                if i > 0 and tokens[i - 1] in self.boosters:
                    stretched = 1 + settings.emphasis if i - 1 in emphasised else 1  # "sooo good"
                    value *= 1 + self.boosters[tokens[i - 1]] * stretched
                if (emphasised or shouted) and (i in emphasised or token in shouted):
                    value *= 1 + settings.emphasis
                if contrast_at >= 0:
                    value *= settings.contrast_weight if i > contrast_at else (2 - settings.contrast_weight) / 1.5
                if value > 0:
                    positive += value
                    # (a phrase, "thank you for the help", means what it says: only single words are discounted)
                    if length == 1 and token in self.laughter:
                        discount += value
                    elif length == 1 and token in self.courtesy:
                        discount += value * (1 - settings.courtesy_in_complaint)
                else:
                    negative += value
            i += length
        for index, token in enumerate(tokens):
            if (
                index not in consumed
                and (token in self.negations or token.endswith("n't"))
                and token not in self.prepositional_negations
            ):
                negative += settings.unmet_negation  # no sentiment word took this negation
        if tokens and (tokens[-1] == "?" or _opens(tokens, self.asking_openers)):
            # "anyone know a good plumber?" asks, it does not praise; tweets often drop the "?"
            if self._asks_for_information(tokens):
                positive *= settings.information_question_positive_scale
                negative *= settings.question_negative_scale
            else:
                positive *= settings.question_positive_scale
        return positive, negative, discount

    def valence(self, text: str) -> float:
        """The unnormalised sum of sentiment in ``text`` (negative = complaint)."""
        reader = self.tweets
        if "&" in text:  # tweets often arrive HTML-escaped: "I &lt;3 this", "bags &amp; seats"
            text = html.unescape(text)
        shouted = reader.shouted(text)
        marked_ironic = self._marked_ironic(text)  # before emoji and hashtags are turned into words
        text, total, laughing = self._emoji(clean(reader.split_hashtags(text)))
        text, faces = reader.emoticons_in(text)
        total += faces
        settings = self.settings
        respell = reader.needs_respelling(text)
        sentences, emphasis = [], []
        for sentence in _SENTENCES.split(text):
            if sentence.strip():
                tokens, emphasised = words(sentence), set()
                if respell or not reader.slang.keys().isdisjoint(tokens):
                    tokens, emphasised = reader.tokens(tokens)
                sentences.append(tokens)
                emphasis.append(emphasised)
        scored = [self._sentence(tokens, emphasised, shouted) for tokens, emphasised in zip(sentences, emphasis,
                                                                                            strict=True)]
        lowered = text.lower().replace("’", "'")
        patterns = 0.0
        if self.patterns is not None:
            for match in self.patterns.finditer(lowered):
                patterns += self.pattern_values[match.lastgroup or ""]
        # Irony that needs no complaint word: "oh great, the delivery was one bloke", "truly amazing service 🙃".
        ironic = marked_ironic or any(_opens(tokens, self.sarcastic_openers) for tokens in sentences)
        complaint = (
            ironic or any(negative <= -1.0 for _, negative, _ in scored) or total <= -1.0 or patterns <= -2.0
        )
        # Laughter next to anything negative is a shrug, not joy: "4 hours on the tarmac lol".
        shrug = complaint or patterns <= -1.0
        if shrug:
            total -= laughing  # "flight delayed 😂😂"
        if ironic and total > 0:
            total = -total  # the 👏 of "oh brilliant, moved for the third time 👏" claps ironically too
        for tokens, (positive, negative, discount) in zip(sentences, scored, strict=True):
            if shrug and discount:
                positive -= discount
            if positive and (ironic or (complaint and self._sarcastic(tokens, negative))):
                positive = -positive  # "on hold for two hours. love it."
            total += positive + negative
        total += patterns
        bangs = min(lowered.count("!"), 4)
        if total:
            total += math.copysign(bangs * settings.exclamation, total)
        elif bangs >= 2:
            total = bangs * settings.excitement  # "got the keys to our first house today!!!"
        return total

    def _marked_ironic(self, text: str) -> bool:
        """Whether the writer marks the text as ironic ("🙃", a "/s" of its own, "#sarcasm")."""
        padded = f" {text.lower()} "
        return any(marker in padded for marker in self.irony_markers)

    def _asks_for_information(self, tokens: list[str]) -> bool:
        """Of a sentence that asks (ends in "?" or opens like a question; the caller checks): whether it asks
        for information: it opens like one ("is there ..."), or ends in "?" with such an opener inside it
        ("I have a credit from a cancelled trip, how do I use it?")."""
        if _opens(tokens, self.question_openers):
            return True
        return tokens[-1] == "?" and any(
            _opens(tokens[i:], self.inner_question_openers) for i in range(1, len(tokens) - 1)
        )

    def _sarcastic(self, tokens: list[str], negative: float) -> bool:
        """Praise that only makes sense as irony: a short cheer after a complaint, or 'oh great, ...'."""
        words_only = [t for t in tokens if t.isalnum()]
        if negative < 0 and any(_opens(tokens[i:], self.ironic_openers) for i in range(3)):
            return True  # "love how my flight got cancelled", "nothing like a 3 hour delay"
        if not any(t in self.sarcasm_markers for t in words_only):
            return False
        if len(words_only) <= 3 and negative == 0:
            return True
        return bool(words_only) and words_only[0] in ("oh", "ah", "wow", "yay") and negative < 0

    def score(self, text: str) -> float:
        """Lexicon score in -1..1, without TextBlob (used per clause, where speed matters).

        Remembered for recent texts: a response is scored whole and again as attribution's clauses.
        """
        cached = self._recent.get(text)
        if cached is None:
            total = self.valence(text)
            cached = total / math.sqrt(total * total + self.settings.alpha)
            if len(self._recent) >= RECENT_TEXTS:
                self._recent.clear()
            self._recent[text] = cached
        return cached

    def label(self, score: float) -> str:
        settings = self.settings
        return (
            "positive" if score >= settings.neutral_band
            else "negative" if score <= -settings.negative_band
            else "neutral"
        )

    def analyse(self, text: str) -> SentimentResult:
        polarity, subjectivity = textblob_sentiment(text)
        weight = self.settings.textblob_weight
        score = (1 - weight) * self.score(text) + weight * float(polarity)
        return SentimentResult(
            label=self.label(score),
            score=round(max(-1.0, min(1.0, score)), 4),
            polarity=float(polarity),
            subjectivity=float(subjectivity),
        )


@lru_cache(maxsize=1)
def get_scorer() -> SentimentScorer:
    """The product's scorer, built once per process from the shipped lexicons."""
    config = load_words(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    return SentimentScorer(
        config, base_words={**_textblob_adjectives(), **_vader_words()}, emoji_descriptions=_vader_emoji()
    )


def analyse_sentiment(text: str) -> SentimentResult:
    """Label, score and TextBlob's polarity/subjectivity for one piece of feedback."""
    return get_scorer().analyse(text or "")


__all__ = ["LABELS", "SentimentResult", "SentimentScorer", "analyse_sentiment", "get_scorer"]

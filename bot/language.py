"""Is a customer's answer in English? Offline and deterministic.

The chat speaks English only for now; an answer in another language is still stored, marked
with its language, so nobody's feedback is lost and the English-only analysis does not guess
at it. Short answers ("ok", "merci", "4 stars") are never judged foreign: detectors are wrong
on a word or two, and a wrong "foreign" verdict would hide real feedback from the reports.

Detection uses langdetect (its language profiles ship inside the package) with a fixed seed,
and trusts it only when it is confident and the text has few English function words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

ENGLISH = "en"
# langdetect must be this sure before we call a text foreign.
CONFIDENCE = 0.90
# ...or at least this unsure that it is English.
NOT_ENGLISH = 0.10
# Share of English function words above which a text is English whatever langdetect says
# (catches English with many names or brand words, which confuse character n-grams).
ENGLISH_WORD_SHARE = 0.25
# Share of words found in an English word list above which a text is English: short
# English answers ("Terrible phone holder.") are where character n-grams fail most.
ENGLISH_VOCABULARY_SHARE = 0.6
# Words seen at least this often in TextBlob's English frequency list count as English.
VOCABULARY_MIN_COUNT = 5

ENGLISH_FUNCTION_WORDS = frozenset(
    """a about after again all am an and any are as at be because been before being both but by can
    could did do does doing don't down during each few for from further had has have having he her
    here hers him his how i i'm i've if in into is isn't it it's its just me more most my no nor not
    now of off on once only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was wasn't we
    were what when where which while who why will with would you your yours""".split()
)

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
# Scripts written without spaces: every two characters count as a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


@lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """Common English words, from the frequency list TextBlob ships for its spelling corrector."""
    import textblob

    path = Path(textblob.__file__).parent / "en" / "en-spelling.txt"
    words = set(ENGLISH_FUNCTION_WORDS)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith(";") and parts[1].isdigit():
            if int(parts[1]) >= VOCABULARY_MIN_COUNT:
                words.add(parts[0])
    return frozenset(words)


def _is_english_word(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or word.split("'")[0] in vocabulary


def _langdetect(text: str) -> tuple[str, float, float]:
    """langdetect's best guess, its probability and the probability of English (seeded: repeatable)."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        ranked = detect_langs(text)
    except LangDetectException:
        return ENGLISH, 0.0, 1.0
    if not ranked:
        return ENGLISH, 0.0, 1.0
    english = next((guess.prob for guess in ranked if guess.lang == ENGLISH), 0.0)
    return ranked[0].lang, ranked[0].prob, english


def detect_language(text: str | None, min_words: int | None = None) -> str:
    """The ISO 639-1 code of the text's language; "en" when English, short or undecidable.

    ``min_words`` defaults to ``conversation.language_min_words`` in siloscope.yml.
    """
    if min_words is None:
        from bot.settings import get_settings

        min_words = get_settings().conversation.language_min_words
    words = [w.lower() for w in _WORD.findall((text or "").replace("’", "'"))]
    unspaced = len(_UNSPACED.findall(text or ""))
    if len(words) + unspaced // 2 < max(min_words, 1) or not words:
        return ENGLISH
    function_share = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS) / len(words)
    vocabulary = english_vocabulary()
    vocabulary_share = sum(1 for w in words if _is_english_word(w, vocabulary)) / len(words)
    if function_share >= ENGLISH_WORD_SHARE or vocabulary_share >= ENGLISH_VOCABULARY_SHARE:
        return ENGLISH
    language, confidence, english = _langdetect(text or "")
    if language != ENGLISH and (confidence >= CONFIDENCE or english <= NOT_ENGLISH):
        return language.split("-")[0]
    return ENGLISH

"""Recurring themes: similar complaints grouped into named clusters, with counts and examples.

Complaints are the newest dissatisfied open answers in the window (a bounded sample, so the cost
does not grow with the store). Each text becomes a TF-IDF vector of words and word pairs
(English stop words removed); k-means groups them, with k chosen by the sample size. A cluster is
named after the two or three terms that weigh most in its centre ("charged twice · invoice"),
and shows the answers closest to that centre as examples, each linked to its response id.
scikit-learn needs no downloaded corpus, unlike TextBlob's noun phrases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MIN_TEXTS = 12
WORD = r"(?u)\b[a-zA-Z][a-zA-Z]+\b"
# Words that say how the customer feels, not what happened: they would make every theme
# "disappointed" or "terrible". Themes should name the cause.
MOOD_WORDS = frozenset({
    "really", "disappointed", "disappointing", "happy", "unhappy", "terrible", "awful", "bad", "worst", "poor",
    "frustrating", "frustrated", "experience", "great", "good", "thanks", "thank", "annoyed", "angry", "just",
    "horrible", "very", "still", "again", "ok", "okay", "hate", "love", "like", "totally", "absolutely",
})


@dataclass(frozen=True)
class ThemeExample:
    response_id: int
    text: str
    silo: str | None


@dataclass(frozen=True)
class Theme:
    name: str
    count: int
    share: float
    silos: dict[str, int]
    examples: list[ThemeExample] = field(default_factory=list)


def _cluster_count(n: int, maximum: int) -> int:
    return max(2, min(maximum, round((n / 6) ** 0.5)))


def find_themes(rows: list[Any], maximum: int = 16, examples: int = 3) -> list[Theme]:
    """Cluster ``rows`` (with ``id``, ``text``, ``primary_silo``) into named themes, largest first."""
    rows = [r for r in rows if (r.text or "").strip()]
    if len(rows) < MIN_TEXTS:
        return []
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    texts = [r.text for r in rows]
    vectorizer = TfidfVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | MOOD_WORDS), ngram_range=(1, 2), min_df=2,
                                 max_df=0.6, sublinear_tf=True, token_pattern=WORD)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left after stop words and min_df
        return []
    k = min(_cluster_count(len(rows), maximum), matrix.shape[0] - 1, matrix.shape[1])
    if k < 2:
        return []
    model = KMeans(n_clusters=k, n_init=2, random_state=0).fit(matrix)
    terms = vectorizer.get_feature_names_out()
    distances = model.transform(matrix)
    themes = []
    for cluster in range(k):
        members = [i for i, label in enumerate(model.labels_) if label == cluster]
        if not members:
            continue
        centre = model.cluster_centers_[cluster]
        name = _name(centre, terms)
        closest = sorted(members, key=lambda i: distances[i, cluster])
        seen: set[str] = set()
        chosen = []
        for i in closest:
            normalised = texts[i].strip().lower()
            if normalised not in seen:
                seen.add(normalised)
                chosen.append(ThemeExample(int(rows[i].id), texts[i], rows[i].primary_silo))
            if len(chosen) == examples:
                break
        silos = Counter(rows[i].primary_silo or "unattributed" for i in members)
        themes.append(Theme(name=name, count=len(members), share=len(members) / len(rows),
                            silos=dict(silos.most_common()), examples=chosen))
    return sorted(themes, key=lambda t: (-t.count, t.name))


def _name(centre: Any, terms: Any, words: int = 3) -> str:
    """The heaviest terms of a centre, skipping single words already inside a chosen pair."""
    chosen: list[str] = []
    for index in centre.argsort()[::-1]:
        term = str(terms[index])
        if centre[index] <= 0:
            break
        if any(term in c.split() or c in term.split() or term in c for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == words:
            break
    return " · ".join(chosen) or "other"

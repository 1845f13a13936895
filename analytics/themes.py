"""Recurring themes: similar complaints grouped into named clusters, with counts and examples.

Complaints are the newest dissatisfied open answers in the window (a bounded sample, so the cost
does not grow with the store). Each text becomes a TF-IDF vector of words and word pairs
(English stop words and mood words removed); average-linkage clustering on cosine distance groups
them, so the number of themes follows the data instead of being fixed. A theme is named after the
two or three terms that weigh most in its centre ("charged twice · invoice"), and shows the
answers closest to that centre as examples, each linked to its response id; the ids of all its
answers let a theme open on a page of everything it groups.
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
    # Every answer of the theme, closest to its centre first: the theme's own page lists them all.
    response_ids: list[int] = field(default_factory=list)


def _cluster(matrix: Any, threshold: float) -> Any:
    """Average-linkage clustering on cosine distance: the number of themes follows the data."""
    from sklearn.cluster import AgglomerativeClustering

    try:  # scikit-learn >= 1.2 calls it metric
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="cosine",
                                        linkage="average")
    except TypeError:
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, affinity="cosine",
                                        linkage="average")
    return model.fit(matrix).labels_


def find_themes(rows: list[Any], maximum: int = 10, examples: int = 3, threshold: float = 0.8) -> list[Theme]:
    """Group ``rows`` (with ``id``, ``text``, ``primary_silo``) into named themes, largest first.

    Texts closer than ``threshold`` in cosine distance (on average) end up together; a theme needs
    at least two answers, since one complaint is not a recurring one.
    """
    rows = [r for r in rows if (r.text or "").strip()]
    if len(rows) < MIN_TEXTS:
        return []
    import numpy as np
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    texts = [r.text for r in rows]
    vectorizer = TfidfVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | MOOD_WORDS), ngram_range=(1, 2), min_df=2,
                                 max_df=0.6, sublinear_tf=True, token_pattern=WORD)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left after stop words and min_df
        return []
    keep = np.asarray(matrix.sum(axis=1)).ravel() > 0  # answers with no informative word cannot be grouped
    if keep.sum() < MIN_TEXTS:
        return []
    dense = matrix[keep].toarray()
    kept = [row for row, k in zip(rows, keep, strict=True) if k]
    labels = _cluster(dense, threshold)
    terms = vectorizer.get_feature_names_out()
    themes = []
    for cluster in set(labels):
        members = np.flatnonzero(labels == cluster)
        if len(members) < 2:
            continue
        centre = dense[members].mean(axis=0)
        norm = np.linalg.norm(centre) or 1.0
        similarity = dense[members] @ (centre / norm)
        closest = members[np.argsort(-similarity)]
        seen: set[str] = set()
        chosen = []
        for i in closest:
            normalised = kept[i].text.strip().lower()
            if normalised not in seen:
                seen.add(normalised)
                chosen.append(ThemeExample(int(kept[i].id), kept[i].text, kept[i].primary_silo))
            if len(chosen) == examples:
                break
        silos = Counter(kept[i].primary_silo or "unattributed" for i in members)
        themes.append(Theme(name=_name(centre, terms), count=len(members), share=len(members) / len(rows),
                            silos=dict(silos.most_common()), examples=chosen,
                            response_ids=[int(kept[i].id) for i in closest]))
    return sorted(themes, key=lambda t: (-t.count, t.name))[:maximum]


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

"""How strongly each word points at each silo, learned from ``silos.yml`` when the process starts.

Every phrase and example sentence in ``silos.yml``, and every sentence of the shipped corpora a silo
names there (``bot/attribution/corpus/``), is a training document for its silo, and the
sentences in ``language.yml`` that name no department train an extra "none" class, so that
"terrible experience" is not forced into a silo. The learner is a multinomial logistic regression
(scikit-learn, deterministic lbfgs); its weights are then copied into plain dictionaries, so
scoring a clause is one lookup per word: thousands of responses a second on one core.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from operator import add
from pathlib import Path

from bot import word_yaml
from bot.attribution import corpus
from bot.attribution.corpus import training_examples
from bot.attribution.features import LANGUAGE_FILE, features, language
from bot.sentiment import text as tokeniser
from bot.taxonomy import Taxonomy

NONE = "__none__"
PHRASE_WEIGHT = 1.0  # a phrase is a document of its own: "lost luggage" alone points at delivery
EXAMPLE_WEIGHT = 1.0
REGULARISATION_C = 4.0


@dataclass(frozen=True)
class SiloModel:
    classes: tuple[str, ...]  # the silos, then NONE last
    intercepts: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]  # feature -> one weight per class

    @property
    def silos(self) -> tuple[str, ...]:
        return self.classes[:-1]

    def evidence(self, text: str) -> tuple[list[float], int]:
        """Summed feature weights per class (intercepts left out) and how many known features gave them.

        Evidence adds up, so a whole answer's evidence is the sum of its clauses'.
        """
        totals = [0.0] * len(self.classes)
        known = 0
        for feature in features(text):
            row = self.weights.get(feature)
            if row is not None:
                known += 1
                totals = list(map(add, totals, row))
        return totals, known

    def probabilities_from(self, evidence: list[float], known: int) -> list[float]:
        """P(class | evidence) for every class (NONE last); no known feature at all means "none"."""
        if not known:
            return [0.0] * (len(self.classes) - 1) + [1.0]
        logits = list(map(add, self.intercepts, evidence))
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def probabilities(self, text: str) -> list[float]:
        """P(class | text) for every class, NONE last."""
        return self.probabilities_from(*self.evidence(text))


def _unattributed_examples() -> list[str]:
    return [str(s) for s in language().get("unattributed_examples") or ()]


def default_documents(taxonomy: Taxonomy) -> list[tuple[str, int, float]]:
    """The default training text as (text, class index, weight): each silo's phrases and corpus sentences,
    then the "none" sentences, whose index is the last class's."""
    documents: list[tuple[str, int, float]] = []
    for index, silo in enumerate(taxonomy.silos.values()):
        documents += [(p, index, PHRASE_WEIGHT) for p in silo.phrases]
        documents += [(e, index, EXAMPLE_WEIGHT) for e in training_examples(silo)]
    documents += [(s, len(taxonomy.silos), EXAMPLE_WEIGHT) for s in _unattributed_examples()]
    return documents


@dataclass(frozen=True)
class ExtraExample:
    """A company's own sentence for one of its silos, counted ``weight`` times (see bot.attribution.adaptation)."""

    text: str
    silo: str
    weight: float = 1.0


def train(taxonomy: Taxonomy, extra: Sequence[ExtraExample] = ()) -> SiloModel:
    """Fit the model on the taxonomy's phrases and examples (plus the shipped 'none' sentences).

    ``extra`` are a company's own labelled sentences; one naming a silo the taxonomy lacks is skipped.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    classes = (*taxonomy.silos, NONE)
    documents = [(features(text), index, weight) for text, index, weight in default_documents(taxonomy)]
    documents += [(features(e.text), classes.index(e.silo), e.weight) for e in extra if e.silo in taxonomy.silos]
    documents = [d for d in documents if d[0]]
    vocabulary = {f: i for i, f in enumerate(sorted({f for feats, _, _ in documents for f in feats}))}
    rows, cols = [], []
    for row, (feats, _, _) in enumerate(documents):
        for column in sorted({vocabulary[f] for f in feats}):
            rows.append(row)
            cols.append(column)
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(documents), len(vocabulary)))
    labels = np.array([label for _, label, _ in documents])
    sample_weight = np.array([weight for _, _, weight in documents])
    present = sorted(set(labels.tolist()))
    learner = LogisticRegression(C=REGULARISATION_C, max_iter=2000, class_weight="balanced")
    learner.fit(matrix, labels, sample_weight=sample_weight)
    # Classes that have no training text at all get a flat row (they are never predicted).
    coef = np.full((len(classes), len(vocabulary)), 0.0)
    intercepts = np.full(len(classes), -1e3)
    for position, label in enumerate(learner.classes_):
        if len(present) > 2:
            coef[label], intercepts[label] = learner.coef_[position], learner.intercept_[position]
        else:  # binary: one log-odds row, split symmetrically so the softmax gives the same odds
            sign = 0.5 if position else -0.5
            coef[label], intercepts[label] = sign * learner.coef_[0], sign * learner.intercept_[0]
    # The "none" class is trained so that generic words ("never", "amazing") do not become silo evidence,
    # but at scoring time it keeps only its intercept: a generic word must not out-vote "invoice".
    coef[len(classes) - 1] = 0.0
    weights = {feature: tuple(round(float(v), 5) for v in coef[:, column]) for feature, column in vocabulary.items()}
    return SiloModel(classes=classes, intercepts=tuple(float(v) for v in intercepts), weights=weights)


# What a trained model depends on besides silos.yml: change any of these and the cached model is stale.
# (The tokeniser is shared with sentiment, so its file counts too.)
_MODEL_SOURCES = (
    Path(__file__), Path(__file__).with_name("features.py"), LANGUAGE_FILE, Path(tokeniser.__file__),
    Path(word_yaml.__file__),  # how language.yml and the corpus files are read
    Path(corpus.__file__),  # which corpus sentences a silo learns from (their text is in the key itself)
)
KEEP_CACHED_MODELS = 5


def _training_key(taxonomy: Taxonomy, extra: Sequence[ExtraExample] = ()) -> str:
    digest = hashlib.sha256()
    silos = [[name, list(silo.phrases), list(training_examples(silo))] for name, silo in taxonomy.silos.items()]
    digest.update(json.dumps(silos, ensure_ascii=False).encode("utf-8"))
    if extra:
        own = [[e.text, e.silo, e.weight] for e in extra]
        digest.update(json.dumps(own, ensure_ascii=False).encode("utf-8"))
    for source in _MODEL_SOURCES:
        digest.update(source.read_bytes())
    for package in ("scikit-learn", "numpy", "scipy"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:24]


def _read_cached(path: Path) -> SiloModel | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SiloModel(
            classes=tuple(data["classes"]),
            intercepts=tuple(float(v) for v in data["intercepts"]),
            weights={feature: tuple(float(v) for v in row) for feature, row in data["weights"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, half-written by a crash, or from an older format: train again


def _write_cached(path: Path, model: SiloModel) -> None:
    """Atomic write (a reader never sees half a file), then keep only the newest few models."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"classes": model.classes, "intercepts": model.intercepts, "weights": model.weights}
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
            json.dump(payload, tmp)
        os.replace(tmp.name, path)
        cached = sorted(path.parent.glob("attribution-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in cached[KEEP_CACHED_MODELS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only var/ only costs the training time at the next start


def load_or_train(taxonomy: Taxonomy, cache_dir: Path | None, extra: Sequence[ExtraExample] = ()) -> SiloModel:
    """The model for this taxonomy from ``cache_dir`` when it was trained on exactly the same inputs.

    Training takes a second or two (and scikit-learn's import another half); the action server,
    the web service and every CLI call would pay it at each start.
    """
    if cache_dir is None:
        return train(taxonomy, extra) if extra else train(taxonomy)
    path = cache_dir / f"attribution-{_training_key(taxonomy, extra)}.json"
    model = _read_cached(path)
    if model is None:
        model = train(taxonomy, extra) if extra else train(taxonomy)
        _write_cached(path, model)
    return model

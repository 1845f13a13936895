"""Adapting the silo model to one company: its labelled sentences, its class balance, its unlabelled answers.

Three moves, each principled rather than tuned on a shared set:
- **Its own words.** A company's labelled sentences are extra training documents for their silos. Twenty
  rows would drown among ~250 default sentences per silo, so a silo's company rows together weigh as
  much as that silo's default training text (``COMPANY_SHARE``): half of what the model learns about a silo
  the company labelled is the company's own usage.
- **Its class balance.** The model is trained class-balanced, i.e. with a flat prior. The labelled rows'
  silo counts (add-one smoothed, so a silo the company never labelled keeps a small chance) replace it,
  by shifting each silo's intercept by log(prior x number of silos).
- **Its unlabelled answers.** One round of self-training: the answers the model is sure about become
  training documents of the silo it is sure of, whole and as the words the default model does not know,
  so the company's own words for a silo (its crew's name, "deductible", "gate agent") gain weight.
  Re-estimating the priors on the same answers by EM (Saerens, Latinne & Decaestecker 2002) was measured
  and left out: it moves the priors towards the silos the model already favours, so macro-F1 fell on ACID
  (0.527 -> 0.496), on the reviews (0.483 -> 0.475) and on every own round (1 to 14 points), where
  self-training alone raised ACID and Bitext and left the reviews level (docs/quality.md, "Unlabelled
  answers: what was tried").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.attribution.corpus import training_examples
from bot.attribution.features import features
from bot.attribution.model import ExtraExample, SiloModel, default_documents, train
from bot.taxonomy import Taxonomy

COMPANY_SHARE = 1.0  # company rows of a silo weigh this many times the silo's default training text
PRIOR_SMOOTHING = 1.0  # add-one: a silo with no labelled row keeps a small prior, never zero
SELF_TRAINING_CONFIDENCE = 0.9  # an unlabelled answer becomes a training example above this probability


def default_mass(taxonomy: Taxonomy) -> dict[str, int]:
    """How many default training documents (phrases and example sentences) each silo has."""
    return {name: len(silo.phrases) + len(training_examples(silo)) for name, silo in taxonomy.silos.items()}


def weighted_examples(taxonomy: Taxonomy, labelled: Iterable[tuple[str, str]]) -> list[ExtraExample]:
    """The company's (text, silo) rows as training documents, weighted by ``COMPANY_SHARE``."""
    rows = [(text, silo) for text, silo in labelled if silo in taxonomy.silos]
    counts = Counter(silo for _, silo in rows)
    mass = default_mass(taxonomy)
    return [ExtraExample(text, silo, max(1.0, COMPANY_SHARE * mass[silo] / counts[silo])) for text, silo in rows]


def labelled_priors(silos: Sequence[str], labels: Iterable[str]) -> list[float]:
    """P(silo) from the labelled rows, add-one smoothed."""
    counts = Counter(labels)
    total = sum(counts[s] for s in silos) + PRIOR_SMOOTHING * len(silos)
    return [(counts[s] + PRIOR_SMOOTHING) / total for s in silos]


def shift_priors(model: SiloModel, new: Sequence[float]) -> SiloModel:
    """The model, trained balanced (a flat prior), with its silo priors moved to ``new``."""
    silos = len(model.silos)
    shifted = [b + math.log(n * silos) for b, n in zip(model.intercepts[:silos], new, strict=True)]
    return replace(model, intercepts=(*shifted, *model.intercepts[silos:]))


def self_labelled(model: SiloModel, texts: Iterable[str]) -> list[tuple[str, str]]:
    """The texts the model is sure about (``SELF_TRAINING_CONFIDENCE``), each with the silo it is sure of."""
    silos = model.silos
    sure = []
    for text in texts:
        probabilities = model.probabilities(text)[:-1]  # all 0 when no word is known: never sure
        best = max(range(len(silos)), key=probabilities.__getitem__)
        if probabilities[best] >= SELF_TRAINING_CONFIDENCE:
            sure.append((text, silos[best]))
    return sure


def default_vocabulary(taxonomy: Taxonomy) -> frozenset[str]:
    """Every feature the default training text has: what the model knows before any company's words."""
    return frozenset(f for text, _, _ in default_documents(taxonomy) for f in features(text))


def company_words(text: str, known: frozenset[str]) -> str:
    """The words of ``text`` that the default model knows nothing of: the company's own vocabulary."""
    return " ".join(word for word in text.split() if not known.intersection(features(word)))


def _self_taught_documents(taxonomy: Taxonomy, self_taught: Sequence[tuple[str, str]]) -> list[ExtraExample]:
    """Each sure answer twice: whole, and as its unknown words alone.

    Whole, its known words explain the label, so the words only the company uses ("zorblix") get
    almost no weight; alone, they must carry it. Both together measured best: ACID +1.9 points,
    Bitext +3.4, the own industries round +1.4, the others within 0.2 (docs/quality.md).
    """
    known = default_vocabulary(taxonomy)
    documents = []
    for text, silo in self_taught:
        documents.append(ExtraExample(text, silo))
        own = company_words(text, known)
        if own:
            documents.append(ExtraExample(own, silo))
    return documents


def train_adapted(
    taxonomy: Taxonomy, labelled: Sequence[tuple[str, str]], self_taught: Sequence[tuple[str, str]] = ()
) -> SiloModel:
    """The default model retrained with the company's labelled rows (their counts the priors) and its
    self-labelled answers (not counted in the priors: they only echo the model)."""
    examples = weighted_examples(taxonomy, labelled)
    known = {text for text, _ in labelled}
    examples += _self_taught_documents(
        taxonomy, [(text, silo) for text, silo in self_taught if text not in known and silo in taxonomy.silos]
    )
    priors = labelled_priors(list(taxonomy.silos), [silo for _, silo in labelled])
    return shift_priors(train(taxonomy, examples), priors)

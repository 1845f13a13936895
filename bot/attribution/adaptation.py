"""Adapting the silo model to one company: its labelled sentences, its class balance, its unlabelled answers.

Three moves, each principled rather than tuned on a shared set:
- **Its own words.** A company's labelled sentences are extra training documents for their silos. Twenty
  rows would drown among ~250 default sentences per silo, so a silo's company rows together weigh as
  much as that silo's default training text (``COMPANY_SHARE``): half of what the model learns about a silo
  the company labelled is the company's own usage.
- **Its class balance.** The model is trained class-balanced, i.e. with a flat prior. The labelled rows'
  silo counts (add-one smoothed, so a silo the company never labelled keeps a small chance) replace it,
  by shifting each silo's intercept by log(prior x number of silos).
- **Its unlabelled answers.** EM re-estimation of the priors on unlabelled texts (Saerens, Latinne &
  Decaestecker 2002, "Adjusting the outputs of a classifier to new a priori probabilities"), then one
  round of self-training on the answers the model is confident about.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.attribution.corpus import training_examples
from bot.attribution.model import ExtraExample, SiloModel, train
from bot.taxonomy import Taxonomy

COMPANY_SHARE = 1.0  # company rows of a silo weigh this many times the silo's default training text
PRIOR_SMOOTHING = 1.0  # add-one: a silo with no labelled row keeps a small prior, never zero
EM_ITERATIONS = 100
EM_TOLERANCE = 1e-6
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


def shift_priors(model: SiloModel, new: Sequence[float], old: Sequence[float] | None = None) -> SiloModel:
    """The model with its silo priors moved from ``old`` (flat when None: it was trained balanced) to ``new``."""
    silos = len(model.silos)
    old = old or [1.0 / silos] * silos
    shifted = [b + math.log(n / o) for b, n, o in zip(model.intercepts[:silos], new, old, strict=True)]
    return replace(model, intercepts=(*shifted, *model.intercepts[silos:]))


def _silo_posteriors(model: SiloModel, texts: Iterable[str]) -> list[list[float]]:
    """P(silo | text), the "none" class left out and renormalised, for texts with at least one known feature."""
    rows = []
    for text in texts:
        evidence, known = model.evidence(text)
        if not known:
            continue
        probabilities = model.probabilities_from(evidence, known)[:-1]
        total = sum(probabilities)
        if total > 0:
            rows.append([p / total for p in probabilities])
    return rows


def em_priors(model: SiloModel, texts: Iterable[str], start: Sequence[float]) -> list[float]:
    """Saerens et al. (2002): the silo priors of the unlabelled texts, given a model whose priors are ``start``."""
    posteriors = _silo_posteriors(model, texts)
    priors = list(start)
    if not posteriors:
        return priors
    for _ in range(EM_ITERATIONS):
        ratios = [p / s for p, s in zip(priors, start, strict=True)]
        totals = [0.0] * len(priors)
        for row in posteriors:
            adjusted = [r * q for r, q in zip(ratios, row, strict=True)]
            norm = sum(adjusted)
            for index, value in enumerate(adjusted):
                totals[index] += value / norm
        new = [max(t / len(posteriors), 1e-6) for t in totals]
        if max(abs(a - b) for a, b in zip(new, priors, strict=True)) < EM_TOLERANCE:
            return new
        priors = new
    return priors


def adapt(
    taxonomy: Taxonomy, labelled: Sequence[tuple[str, str]], unlabelled: Sequence[str] = ()
) -> SiloModel:
    """The default model retrained with the company's labelled rows, its priors, and optionally its traffic."""
    examples = weighted_examples(taxonomy, labelled)
    silos = list(taxonomy.silos)
    priors = labelled_priors(silos, [silo for _, silo in labelled])
    model = shift_priors(train(taxonomy, examples), priors)
    if not unlabelled:
        return model
    estimated = em_priors(model, unlabelled, priors)
    model = shift_priors(model, estimated, priors)
    confident = []
    for text in unlabelled:
        evidence, known = model.evidence(text)
        probabilities = model.probabilities_from(evidence, known)[:-1] if known else []
        if probabilities and max(probabilities) >= SELF_TRAINING_CONFIDENCE:
            confident.append((text, silos[probabilities.index(max(probabilities))]))
    known_texts = {text for text, _ in labelled}
    pseudo = [ExtraExample(text, silo) for text, silo in confident if text not in known_texts]
    if not pseudo:
        return model
    return shift_priors(train(taxonomy, examples + pseudo), estimated)

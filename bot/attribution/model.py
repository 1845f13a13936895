"""How strongly each feature points at each silo, learned from ``silos.yml``.

Every phrase and example sentence in ``silos.yml`` is evidence. A feature's weight for a silo
is how much more often it occurs with that silo than with the others (a smoothed share, minus
the share expected by chance), damped for features seen only once. Scoring a clause is then a
dictionary lookup per feature: fast enough to attribute thousands of responses a second.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.attribution.features import features
from bot.taxonomy import Taxonomy

PHRASE_WEIGHT = 3.0  # a phrase is an explicit statement by the company, worth several examples
EXAMPLE_WEIGHT = 1.0


@dataclass(frozen=True)
class SiloModel:
    silos: tuple[str, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]  # feature -> ((silo index, weight), ...)

    def scores(self, text: str) -> tuple[list[float], dict[int, list[str]]]:
        """Evidence per silo for a clause, and which features supplied it."""
        totals = [0.0] * len(self.silos)
        evidence: dict[int, list[str]] = defaultdict(list)
        for feature in features(text):
            for index, weight in self.weights.get(feature, ()):
                totals[index] += weight
                evidence[index].append(feature)
        return totals, evidence


def train(taxonomy: Taxonomy) -> SiloModel:
    names = tuple(taxonomy.silos)
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(names))
    for index, name in enumerate(names):
        silo = taxonomy.silos[name]
        for phrase in silo.phrases:
            for feature in set(features(phrase)):
                counts[feature][index] += PHRASE_WEIGHT
        for example in silo.examples:
            for feature in set(features(example)):
                counts[feature][index] += EXAMPLE_WEIGHT
    k = len(names)
    chance = 1.0 / k
    weights: dict[str, tuple[tuple[int, float], ...]] = {}
    for feature, per_silo in counts.items():
        total = sum(per_silo)
        reliability = total / (total + 1.0)
        entries = []
        for index, count in enumerate(per_silo):
            share = (count + chance) / (total + 1.0)
            lift = (share - chance) / (1 - chance) if k > 1 else share
            if lift > 0.05:
                entries.append((index, round(lift * reliability, 4)))
        if entries:
            weights[feature] = tuple(entries)
    return SiloModel(silos=names, weights=weights)

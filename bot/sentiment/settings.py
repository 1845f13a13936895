"""The scorer's numeric settings: the ``scoring:`` section of ``lexicon.yml``, with these defaults."""

from __future__ import annotations

from dataclasses import dataclass


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
    excess: float = -1.4

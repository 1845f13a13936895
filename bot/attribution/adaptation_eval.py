"""The proof that adaptation helps: K labelled rows per class from a company's file, scored on the rest.

For every seed the same K rows per class train the adapted model and a plain TF-IDF logistic regression
(the baseline any data scientist would try first); both, and the zero-shot model, are scored on the same
held-out rows, and the numbers are averaged over the seeds. The file's rows are used only here, at
evaluation time: nothing is written anywhere.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.attribution import Attributor, get_attributor
from bot.attribution.adaptation import self_labelled, train_adapted
from bot.evaluation import LabelledRow, Report, read_labelled_csv, score

DEFAULT_SEEDS = 5


def draw(rows: Sequence[LabelledRow], k: int, seed: int) -> tuple[list[LabelledRow], list[LabelledRow]]:
    """K rows per class (by first label; at most half of a small class), the rest held out."""
    generator = random.Random(seed)
    by_class: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_class.setdefault(row.labels[0], []).append(index)
    chosen: set[int] = set()
    for name in sorted(by_class):
        indices = by_class[name]
        chosen.update(generator.sample(indices, min(k, len(indices) // 2)))
    labelled = [rows[i] for i in sorted(chosen)]
    held_out = [row for i, row in enumerate(rows) if i not in chosen]
    return labelled, held_out


def tfidf_baseline(labelled: Sequence[LabelledRow]) -> Callable[[str], str]:
    """A plain TF-IDF (words and word pairs) logistic regression trained on the labelled rows only."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(max_iter=2000)
    )
    pipeline.fit([r.text for r in labelled], [r.labels[0] for r in labelled])
    return lambda text: str(pipeline.predict([text])[0])


def _scored(rows: Sequence[LabelledRow], predict: Callable[[str], str]) -> Report:
    return score("attribution", rows, [predict(r.text) for r in rows], 1.0)


def _primary(attributor: Attributor) -> Callable[[str], str]:
    """The attributor as a predictor of one label: its primary silo."""
    return lambda text: attributor.attribute(text).primary


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4)


def evaluate_adaptation(path: Path, k: int, seeds: int = DEFAULT_SEEDS, unlabelled: bool = False) -> dict[str, object]:
    """Adapted vs zero-shot vs plain LR, macro-F1 and accuracy averaged over ``seeds`` draws of K rows per class.

    With ``unlabelled`` the held-out texts (without their labels) are also the company's traffic, as
    ``siloscope learn --from-answers`` uses it (one round of self-training); the labelled-only score is
    shown beside it. K = 0 (only with ``unlabelled``) is a company that labelled nothing: every row is
    traffic and held out, there is no baseline to train, and one draw is all there is.
    """
    if k == 0 and not unlabelled:
        raise ValueError("K = 0 measures only the unlabelled traffic's effect")
    zero_shot = get_attributor()
    taxonomy = zero_shot.taxonomy
    rows = read_labelled_csv(path, "silo", list(taxonomy.silos))
    seeds = 1 if k == 0 else seeds
    results: dict[str, list[float]] = {}

    def record(name: str, report: Report) -> None:
        results.setdefault(f"{name}macro_f1", []).append(report.macro_f1)
        results.setdefault(f"{name}accuracy", []).append(report.accuracy)

    held_out_n = 0
    for seed in range(seeds):
        labelled, held_out = draw(rows, k, seed)
        held_out_n = len(held_out)
        pairs = [(r.text, r.labels[0]) for r in labelled]
        teacher = train_adapted(taxonomy, pairs) if pairs else zero_shot.model  # no labels: the default model
        if k:
            adapted = Attributor(taxonomy, sentiment=zero_shot.sentiment, model=teacher)
            record("labelled_only_" if unlabelled else "", _scored(held_out, _primary(adapted)))
            record("baseline_", _scored(held_out, tfidf_baseline(labelled)))
        if unlabelled:
            model = train_adapted(taxonomy, pairs, self_labelled(teacher, [r.text for r in held_out]))
            traffic = Attributor(taxonomy, sentiment=zero_shot.sentiment, model=model)
            record("", _scored(held_out, _primary(traffic)))
        record("zero_shot_", _scored(held_out, _primary(zero_shot)))
    summary: dict[str, object] = {
        "kind": "attribution-adaptation",
        "k": k,
        "seeds": seeds,
        "unlabelled": unlabelled,
        "n": len(rows),
        "held_out_n": held_out_n,
    }
    summary.update({name: _mean(values) for name, values in sorted(results.items())})
    if not k:
        summary.update(baseline_macro_f1=None, baseline_accuracy=None)
    return summary

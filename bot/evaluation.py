"""Scoring attribution and sentiment against a labelled CSV, the same way every time.

The CSV contract is the one in the shared datasets' README: ``text,silo`` (several silos joined
by ``|``) or ``text,sentiment``. Rules, from issue 4:
- attribution: a row is correct when the top predicted silo is one of the row's silos;
  "unattributed" is always wrong. For the per-class table a correct row counts for the
  predicted silo, a wrong one for the row's first silo.
- sentiment: classes are the labels present in the file; a file without neutral rows is still
  scored on what is there, and a neutral prediction then counts as wrong.
Macro-F1 averages the classes present in the file's labels.

Attribution also reports coverage (the share of rows given a silo, not "unattributed") and the
expected calibration error (ECE) of the top silo's confidence: the rows given a silo are put in
10 equal-width confidence bins, and ECE is the row-weighted mean gap between each bin's accuracy
and its mean confidence. Unattributed rows claim nothing, so they count in coverage, not in ECE.

A score on data the model learnt from says nothing about new customers' words. A model declares
the sets it was trained on (``trained_on``, names such as ``attribution_acid``) and may offer
``without(name)``, the same model trained without that set: such a set is scored leave-one-source-out,
and refused when the model cannot leave it out. Independently of what a model declares, rows whose
text is verbatim one of its training texts are counted (``seen_in_training``) and flagged.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.sentiment import LABELS
from bot.taxonomy import UNATTRIBUTED


class DatasetError(ValueError):
    """The labelled file cannot be evaluated; the message says which file and why."""


class InSampleError(DatasetError):
    """The model learnt from this set and cannot leave it out, so its score would be in-sample."""


CALIBRATION_BINS = 10


@dataclass(frozen=True)
class LabelledRow:
    line: int
    text: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float | None = None  # the model's probability for ``label``, when it gives one


@dataclass(frozen=True)
class Candidate:
    """A model ready to score one set, and what it learnt from."""

    predict: Callable[[str], Prediction]
    trained_on: frozenset[str] = frozenset()  # names of the labelled sets it learnt from
    training_texts: frozenset[str] = frozenset()  # its training texts, normalised (``normalised``)
    left_out: str | None = None


def normalised(text: str) -> str:
    """The form in which two texts count as the same: case and spacing ignored."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    kind: str
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassScore]
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count
    texts_per_s: float
    predicted_labels: list[str] = field(default_factory=list)
    coverage: float | None = None  # attribution: share of rows given a silo
    ece: float | None = None  # expected calibration error of the top confidence; None without confidences
    model: str = "siloscope"
    seen_in_training: int = 0  # rows whose text is verbatim one of the model's training texts
    left_out: str | None = None  # the set the model was retrained without (leave-one-source-out)
    predictions: list[Prediction] = field(default_factory=list)

    def as_dict(self, with_predictions: bool = False) -> dict[str, object]:
        result: dict[str, object] = {
            "kind": self.kind,
            "model": self.model,
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "coverage": None if self.coverage is None else round(self.coverage, 4),
            "ece": None if self.ece is None else round(self.ece, 4),
            "seen_in_training": self.seen_in_training,
            "leave_one_source_out": self.left_out,
            "per_class": {
                name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                       "support": s.support}
                for name, s in self.per_class.items()
            },
            "confusion": self.confusion,
            "texts_per_s": round(self.texts_per_s, 1),
        }
        if with_predictions:
            result["predictions"] = [
                {"label": p.label, "confidence": None if p.confidence is None else round(p.confidence, 4)}
                for p in self.predictions
            ]
        return result


def csv_records(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A UTF-8 CSV's header and its (line number, record) rows; an unreadable file raises DatasetError."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from exc
    if not content.strip():
        raise DatasetError(f"{path}: file is empty")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise DatasetError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from exc
    return header, records


def read_labelled_csv(path: Path, column: str, allowed: Sequence[str]) -> list[LabelledRow]:
    """Read and validate ``text,<column>``; every problem raises DatasetError naming file and line."""
    header, records = csv_records(path)
    for needed in ("text", column):
        if needed not in header:
            raise DatasetError(f"{path}: missing column '{needed}' (header is: {','.join(header)})")
    allowed_set = set(allowed)
    rows: list[LabelledRow] = []
    for line, record in records:
        text = (record.get("text") or "").strip()
        value = (record.get(column) or "").strip()
        if not text:
            raise DatasetError(f"{path}:{line}: empty text")
        labels = tuple(dict.fromkeys(part.strip() for part in value.split("|") if part.strip()))
        if not labels:
            raise DatasetError(f"{path}:{line}: empty {column}")
        for label in labels:
            if label not in allowed_set:
                raise DatasetError(f"{path}:{line}: unknown {column} '{label}' (expected one of: {', '.join(allowed)})")
        rows.append(LabelledRow(line=line, text=text, labels=labels))
    if not rows:
        raise DatasetError(f"{path}: no data rows under the header")
    return rows


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS
) -> float | None:
    """Row-weighted mean |accuracy - mean confidence| over ``bins`` equal-width bins of [0, 1] (1.0 in the last).

    None for no rows: nothing was claimed, so there is nothing to be calibrated.
    """
    if not confidences:
        return None
    counts = [0] * bins
    confidence_sums = [0.0] * bins
    hits = [0] * bins
    for confidence, hit in zip(confidences, correct, strict=True):
        if not 0.0 <= confidence <= 1.0:
            raise ValueError(f"confidence {confidence} is not a probability")
        index = min(int(confidence * bins), bins - 1)
        counts[index] += 1
        confidence_sums[index] += confidence
        hits[index] += bool(hit)
    total = len(confidences)
    return sum(abs(hits[b] - confidence_sums[b]) / total for b in range(bins) if counts[b])


def score(
    kind: str,
    rows: Sequence[LabelledRow],
    predictions: Sequence[str],
    seconds: float = 0.0,
    confidences: Sequence[float | None] | None = None,
) -> Report:
    """Accuracy, per-class precision/recall/F1, macro-F1, the confusion matrix, and for attribution
    coverage and (given the top confidences) the calibration error of the rows given a silo."""
    gold_effective: list[str] = []
    hits: list[bool] = []
    for row, predicted in zip(rows, predictions, strict=True):
        hit = predicted in row.labels and predicted != UNATTRIBUTED
        hits.append(hit)
        gold_effective.append(predicted if hit else row.labels[0])
    correct = sum(hits)
    classes = sorted(set(gold_effective) | {label for row in rows for label in row.labels})
    confusion: dict[str, dict[str, int]] = {c: {} for c in classes}
    for gold, predicted in zip(gold_effective, predictions, strict=True):
        confusion[gold][predicted] = confusion[gold].get(predicted, 0) + 1
    per_class: dict[str, ClassScore] = {}
    for name in classes:
        tp = confusion[name].get(name, 0)
        support = sum(confusion[name].values())
        predicted_as = sum(1 for p in predictions if p == name)
        precision = tp / predicted_as if predicted_as else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = ClassScore(precision, recall, f1, support)
    scored = [c for c in classes if per_class[c].support]
    coverage = ece = None
    if kind == "attribution":
        attributed = [i for i, p in enumerate(predictions) if p != UNATTRIBUTED]
        coverage = len(attributed) / len(rows)
        if confidences is not None and all(confidences[i] is not None for i in attributed):
            ece = expected_calibration_error([float(confidences[i] or 0.0) for i in attributed],
                                             [hits[i] for i in attributed])
    return Report(
        kind=kind,
        n=len(rows),
        accuracy=correct / len(rows),
        macro_f1=sum(per_class[c].f1 for c in scored) / len(scored),
        per_class=per_class,
        confusion=confusion,
        texts_per_s=len(rows) / max(seconds, 1e-6),  # a tiny file can finish within the clock tick
        predicted_labels=sorted(set(predictions)),
        coverage=coverage,
        ece=ece,
    )


def run(kind: str, rows: Sequence[LabelledRow], predict: Callable[[str], Prediction]) -> Report:
    """Predict every row and score the predictions.

    Timed in CPU seconds of this (single-threaded) process, after one untimed call that loads the models.
    """
    predict(rows[0].text)
    started = time.process_time()
    predictions = [predict(row.text) for row in rows]
    seconds = time.process_time() - started
    report = score(kind, rows, [p.label for p in predictions], seconds, [p.confidence for p in predictions])
    report.predictions = predictions
    return report


def _taxonomy_texts(phrases_only: bool = False) -> frozenset[str]:
    """What an attribution model built from silos.yml learnt from: its phrases and example sentences
    (the company's own and the shipped corpus its silos name)."""
    from bot.attribution import get_attributor
    from bot.attribution.corpus import training_examples

    texts: list[str] = []
    for silo in get_attributor().taxonomy.silos.values():
        texts += silo.phrases if phrases_only else (*silo.phrases, *training_examples(silo))
    return frozenset(normalised(t) for t in texts)


def _keyword_attributor(without: str | None = None) -> Candidate:
    """Baseline: the silo whose silos.yml phrases occur most often in the text, no learning."""
    import re

    from bot.attribution import get_attributor

    taxonomy = get_attributor().taxonomy
    patterns = {
        name: re.compile(r"\b(?:" + "|".join(re.escape(p.lower()) for p in silo.phrases) + r")\b")
        for name, silo in taxonomy.silos.items()
        if silo.phrases
    }

    def predict(text: str) -> Prediction:
        lowered = text.lower()
        counts = {name: len(pattern.findall(lowered)) for name, pattern in patterns.items()}
        best = max(counts, key=counts.__getitem__, default=None)
        return Prediction(best if best is not None and counts[best] > 0 else UNATTRIBUTED)

    return Candidate(predict, training_texts=_taxonomy_texts(phrases_only=True))


def _textblob_labeller(without: str | None = None) -> Candidate:
    from textblob import TextBlob

    def predict(text: str) -> Prediction:
        polarity = TextBlob(text).sentiment.polarity
        return Prediction("positive" if polarity > 0 else "negative" if polarity < 0 else "neutral")

    return Candidate(predict)


def _vader_labeller(without: str | None = None) -> Candidate:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(text: str) -> Prediction:
        compound = analyzer.polarity_scores(text)["compound"]
        return Prediction("positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral")

    return Candidate(predict)


def _declared_sources(model: object) -> frozenset[str]:
    return frozenset(str(name) for name in getattr(model, "trained_on", None) or ())


def _our_attributor(without: str | None = None) -> Candidate:
    """The product's attributor; retrained without ``without`` when it learnt from that set and can leave it out."""
    from bot.attribution import get_attributor

    attributor = get_attributor()
    left_out = None
    if without is not None and without in _declared_sources(attributor):
        leave_out = getattr(attributor, "without", None)
        if leave_out is not None:
            attributor, left_out = leave_out(without), without
    own_texts: Iterable[str] | None = getattr(attributor, "training_texts", None)
    texts = frozenset(normalised(t) for t in own_texts) if own_texts is not None else _taxonomy_texts()

    def predict(text: str) -> Prediction:
        result = attributor.attribute(text)
        return Prediction(result.primary, result.primary_confidence if result.mentions else None)

    return Candidate(predict, _declared_sources(attributor), texts, left_out)


def _our_labeller(without: str | None = None) -> Candidate:
    from bot.sentiment import analyse_sentiment

    return Candidate(lambda text: Prediction(analyse_sentiment(text).label))


# Model name -> factory of a Candidate for one set (the argument: the set's name, to leave out if learnt from);
# "siloscope" is the product, the others are baselines.
ModelFactory = Callable[[str | None], Candidate]
ATTRIBUTION_MODELS: dict[str, ModelFactory] = {
    "siloscope": _our_attributor,
    "keywords": _keyword_attributor,
}
SENTIMENT_MODELS: dict[str, ModelFactory] = {
    "siloscope": _our_labeller,
    "textblob": _textblob_labeller,
    "vader": _vader_labeller,
}


COLUMNS = {"attribution": "silo", "sentiment": "sentiment"}


def read_set(kind: str, path: Path) -> list[LabelledRow]:
    """A labelled set of ``kind`` read by its CSV contract (attribution: the organisation's silos)."""
    if kind == "attribution":
        from bot.attribution import get_attributor

        allowed: Sequence[str] = list(get_attributor().taxonomy.silos)
    else:
        allowed = LABELS
    return read_labelled_csv(path, COLUMNS[kind], allowed)


def evaluate_rows(
    kind: str, rows: Sequence[LabelledRow], model: str = "siloscope", source: str | None = None
) -> Report:
    """Score ``model`` on ``rows`` of the set named ``source`` (a file's stem), never in-sample."""
    candidate = (ATTRIBUTION_MODELS if kind == "attribution" else SENTIMENT_MODELS)[model](source)
    if source is not None and source in candidate.trained_on:
        raise InSampleError(
            f"{source}: the {model} model was trained on this set and cannot be retrained without it "
            "(give it without(name)), so its score would be in-sample"
        )
    report = run(kind, rows, candidate.predict)
    report.model = model
    report.left_out = candidate.left_out
    if candidate.training_texts:
        report.seen_in_training = sum(normalised(row.text) in candidate.training_texts for row in rows)
    return report


def evaluate_attribution(path: Path, model: str = "siloscope") -> Report:
    return evaluate_rows("attribution", read_set("attribution", path), model, Path(path).stem)


def evaluate_sentiment(path: Path, model: str = "siloscope") -> Report:
    return evaluate_rows("sentiment", read_set("sentiment", path), model, Path(path).stem)


def render_text(report: Report, source: str) -> str:
    """The human-readable report: headline numbers, per-class table, confusion matrix."""
    lines = [
        f"{report.kind} evaluation of {source}",
        f"n={report.n}  accuracy={report.accuracy:.3f}  macro-F1={report.macro_f1:.3f}  "
        f"texts/s={report.texts_per_s:.0f}",
    ]
    if report.coverage is not None:
        ece = "-" if report.ece is None else f"{report.ece:.3f}"
        lines.append(f"coverage={report.coverage:.3f}  calibration error (ECE, {CALIBRATION_BINS} bins)={ece}")
    if report.left_out:
        lines.append(f"leave-one-source-out: the model was retrained without {report.left_out}")
    if report.seen_in_training:
        lines.append(f"in-sample: {report.seen_in_training} of {report.n} rows are verbatim training texts "
                     "of the model, so this score is optimistic")
    lines.append("")
    width = max([len(c) for c in report.per_class] + [len("class")])
    lines.append(f"{'class':<{width}}  precision  recall     f1  support")
    for name, s in report.per_class.items():
        lines.append(f"{name:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {s.support:7d}")
    columns = sorted(set(report.per_class) | set(report.predicted_labels))
    short = {c: c[:8] for c in columns}
    lines += ["", "confusion matrix (rows: labelled, columns: predicted)"]
    lines.append(" " * width + "".join(f"  {short[c]:>8}" for c in columns))
    for gold in report.per_class:
        counts = report.confusion.get(gold, {})
        lines.append(f"{gold:<{width}}" + "".join(f"  {counts.get(c, 0):>8}" for c in columns))
    return "\n".join(lines)

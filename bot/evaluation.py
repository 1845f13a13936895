"""Scoring attribution and sentiment against a labelled CSV, the same way every time.

The CSV contract is the one in the shared datasets' README: ``text,silo`` (several silos joined
by ``|``) or ``text,sentiment``. Rules, from issue 4:
- attribution: a row is correct when the top predicted silo is one of the row's silos;
  "unattributed" is always wrong. For the per-class table a correct row counts for the
  predicted silo, a wrong one for the row's first silo.
- sentiment: classes are the labels present in the file; a file without neutral rows is still
  scored on what is there, and a neutral prediction then counts as wrong.
Macro-F1 averages the classes present in the file's labels.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.sentiment import LABELS
from bot.taxonomy import UNATTRIBUTED


class DatasetError(ValueError):
    """The labelled file cannot be evaluated; the message says which file and why."""


@dataclass(frozen=True)
class LabelledRow:
    line: int
    text: str
    labels: tuple[str, ...]


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

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class": {
                name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                       "support": s.support}
                for name, s in self.per_class.items()
            },
            "confusion": self.confusion,
            "texts_per_s": round(self.texts_per_s, 1),
        }


def read_labelled_csv(path: Path, column: str, allowed: Sequence[str]) -> list[LabelledRow]:
    """Read and validate ``text,<column>``; every problem raises DatasetError naming file and line."""
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
    for needed in ("text", column):
        if needed not in header:
            raise DatasetError(f"{path}: missing column '{needed}' (header is: {','.join(header)})")
    allowed_set = set(allowed)
    rows: list[LabelledRow] = []
    for record in reader:
        line = reader.line_num
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


def score(kind: str, rows: Sequence[LabelledRow], predictions: Sequence[str], seconds: float) -> Report:
    """Accuracy, per-class precision/recall/F1, macro-F1 and the confusion matrix."""
    gold_effective: list[str] = []
    correct = 0
    for row, predicted in zip(rows, predictions, strict=True):
        hit = predicted in row.labels and predicted != UNATTRIBUTED
        correct += hit
        gold_effective.append(predicted if hit else row.labels[0])
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
    return Report(
        kind=kind,
        n=len(rows),
        accuracy=correct / len(rows),
        macro_f1=sum(per_class[c].f1 for c in scored) / len(scored),
        per_class=per_class,
        confusion=confusion,
        texts_per_s=len(rows) / max(seconds, 1e-6),  # a tiny file can finish within the clock tick
        predicted_labels=sorted(set(predictions)),
    )


def run(kind: str, rows: Sequence[LabelledRow], predict: Callable[[str], str]) -> Report:
    """Predict every row and score the predictions.

    Timed in CPU seconds of this (single-threaded) process, after one untimed call that loads the models.
    """
    predict(rows[0].text)
    started = time.process_time()
    predictions = [predict(row.text) for row in rows]
    return score(kind, rows, predictions, time.process_time() - started)


def _keyword_attributor() -> Callable[[str], str]:
    """Baseline: the silo whose silos.yml phrases occur most often in the text, no learning."""
    import re

    from bot.attribution import get_attributor

    taxonomy = get_attributor().taxonomy
    patterns = {
        name: re.compile(r"\b(?:" + "|".join(re.escape(p.lower()) for p in silo.phrases) + r")\b")
        for name, silo in taxonomy.silos.items()
        if silo.phrases
    }

    def predict(text: str) -> str:
        lowered = text.lower()
        counts = {name: len(pattern.findall(lowered)) for name, pattern in patterns.items()}
        best = max(counts, key=counts.__getitem__, default=None)
        return best if best is not None and counts[best] > 0 else UNATTRIBUTED

    return predict


def _textblob_labeller() -> Callable[[str], str]:
    from textblob import TextBlob

    def predict(text: str) -> str:
        polarity = TextBlob(text).sentiment.polarity
        return "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"

    return predict


def _vader_labeller() -> Callable[[str], str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    return predict


def _our_attributor() -> Callable[[str], str]:
    from bot.attribution import get_attributor

    attributor = get_attributor()
    return lambda text: attributor.attribute(text).primary


def _our_labeller() -> Callable[[str], str]:
    from bot.sentiment import analyse_sentiment

    return lambda text: analyse_sentiment(text).label


# Model name -> factory of a predict function; "siloscope" is the product, the others are baselines.
ATTRIBUTION_MODELS: dict[str, Callable[[], Callable[[str], str]]] = {
    "siloscope": _our_attributor,
    "keywords": _keyword_attributor,
}
SENTIMENT_MODELS: dict[str, Callable[[], Callable[[str], str]]] = {
    "siloscope": _our_labeller,
    "textblob": _textblob_labeller,
    "vader": _vader_labeller,
}


def evaluate_attribution(path: Path, model: str = "siloscope") -> Report:
    from bot.attribution import get_attributor

    rows = read_labelled_csv(path, "silo", list(get_attributor().taxonomy.silos))
    return run("attribution", rows, ATTRIBUTION_MODELS[model]())


def evaluate_sentiment(path: Path, model: str = "siloscope") -> Report:
    rows = read_labelled_csv(path, "sentiment", LABELS)
    return run("sentiment", rows, SENTIMENT_MODELS[model]())


def render_text(report: Report, source: str) -> str:
    """The human-readable report: headline numbers, per-class table, confusion matrix."""
    lines = [
        f"{report.kind} evaluation of {source}",
        f"n={report.n}  accuracy={report.accuracy:.3f}  macro-F1={report.macro_f1:.3f}  "
        f"texts/s={report.texts_per_s:.0f}",
        "",
    ]
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

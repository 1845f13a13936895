"""Every labelled set at once: each CSV in the shared datasets folder and in any folder given, scored by the
product and by the baselines of its task, in one table (``siloscope eval all``, ``make eval``).

The task of a set comes from its header (``text,silo`` is attribution, ``text,sentiment`` sentiment).
The shared folder is ``shared/datasets`` beside the checkout or beside one of its parent folders
(CI keeps a copy of ``shared/`` beside the clone). A set the product learnt from is scored
leave-one-source-out or refused, never in-sample (see ``bot.evaluation``).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import RenderableType

from bot.evaluation import (
    COLUMNS,
    DatasetError,
    InSampleError,
    LabelledRow,
    Report,
    evaluate_rows,
    read_set,
)
from bot.terminal import render, table, tracked

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path("shared") / "datasets"
# Baselines shown beside the product, per task (names of --model choices).
BASELINES = {"attribution": ("keywords",), "sentiment": ("textblob", "vader")}
BASELINE_TITLES = {"keywords": "keywords", "textblob": "TextBlob", "vader": "VADER"}
SAMPLE_SEED = 0


def shared_datasets_dir(start: Path = REPO_ROOT) -> Path | None:
    """``shared/datasets`` beside ``start`` or beside the nearest parent folder that has one."""
    for folder in (start, *start.parents):
        candidate = folder.parent / SHARED_DATASETS
        if candidate.is_dir():
            return candidate
    return None


def find_sets(paths: list[Path]) -> list[Path]:
    """The CSV files among ``paths`` (a folder gives its ``*.csv``, sorted), each once, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.csv") if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise DatasetError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique: list[Path] = []
    for path in found:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def task_of(path: Path) -> str:
    """'attribution' or 'sentiment', from the set's header row."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = [h.strip() for h in next(csv.reader(io.StringIO(handle.readline())), [])]
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read its header ({exc})") from exc
    tasks = [task for task, column in COLUMNS.items() if column in header]
    if "text" not in header or len(tasks) != 1:
        raise DatasetError(f"{path}: header must be text,silo or text,sentiment (it is: {','.join(header)})")
    return tasks[0]


def sample_rows(rows: list[LabelledRow], size: int | None) -> list[LabelledRow]:
    """At most ``size`` rows, drawn with a fixed seed and kept in file order (all of them without a size)."""
    if size is None or size >= len(rows):
        return rows
    keep = set(random.Random(SAMPLE_SEED).sample(range(len(rows)), size))
    return [row for index, row in enumerate(rows) if index in keep]


@dataclass
class SetResult:
    path: Path
    task: str | None = None
    rows: int = 0
    product: Report | None = None
    baselines: dict[str, Report] = field(default_factory=dict)
    refused: str | None = None  # why the product's score is not shown (in-sample)
    error: str | None = None  # why the set could not be read at all

    @property
    def name(self) -> str:
        return self.path.stem

    def as_dict(self) -> dict[str, object]:
        return {
            "set": self.name,
            "path": str(self.path),
            "task": self.task,
            "rows": self.rows,
            "siloscope": self.product.as_dict() if self.product else None,
            "baselines": {name: report.as_dict() for name, report in self.baselines.items()},
            "refused": self.refused,
            "error": self.error,
        }


def evaluate_set(path: Path, sample: int | None = None) -> SetResult:
    """The product and its task's baselines on one labelled set; a bad set is reported, not raised."""
    result = SetResult(path)
    try:
        result.task = task_of(path)
        rows = sample_rows(read_set(result.task, path), sample)
    except DatasetError as exc:
        result.error = str(exc)
        return result
    result.rows = len(rows)
    try:
        result.product = evaluate_rows(result.task, rows, "siloscope", path.stem)
    except InSampleError as exc:
        result.refused = str(exc)
    for baseline in BASELINES[result.task]:
        try:
            result.baselines[baseline] = evaluate_rows(result.task, rows, baseline, path.stem)
        except InSampleError:
            continue  # a baseline that learnt from the set gets no column, like one that does not apply
    return result


def evaluate_all(paths: list[Path], sample: int | None = None) -> list[SetResult]:
    """Every set among ``paths``, with a progress bar per set for a person at a terminal (some take minutes)."""
    sets = find_sets(paths)
    return [evaluate_set(path, sample) for path in tracked(sets, "Scoring labelled sets", len(sets), every=1)]


def _pair(report: Report | None) -> str:
    return "–" if report is None else f"{report.accuracy:.3f} / {report.macro_f1:.3f}"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _notes(result: SetResult, notes: list[str]) -> str:
    """The set's short note for its row; long explanations go to ``notes``, printed under the tables."""
    product = result.product
    note = []
    if result.error:
        notes.append(result.error)
        return "see note below"
    if result.refused:
        notes.append(result.refused)
        return "in-sample: refused"
    if product is not None and product.left_out:
        note.append("leave-one-source-out")
    if product is not None and product.seen_in_training:
        note.append(f"in-sample rows: {product.seen_in_training}")
    return ", ".join(note)


def render_table(results: list[SetResult]) -> str:
    """One table per task (at most 100 columns): rows, accuracy / macro-F1 of the product and the baselines,
    coverage and ECE (attribution), notes; a set whose task is unknown gets a line under them."""
    notes: list[str] = []
    parts: list[RenderableType | str] = []
    for task, baselines in BASELINES.items():
        chosen = [r for r in results if r.task == task]
        if not chosen:
            continue
        attribution = task == "attribution"
        headers = ["Set", "Rows", "Siloscope\nacc / F1", *(f"{BASELINE_TITLES[b]}\nacc / F1" for b in baselines)]
        headers += ["Coverage", "ECE"] if attribution else []
        body = []
        for result in chosen:
            product = None if result.error or result.refused else result.product
            scored = "unreadable" if result.error else "refused" if result.refused else _pair(product)
            cells = [result.name, "–" if result.error else str(result.rows), scored,
                     *(_pair(result.baselines.get(b)) for b in baselines)]
            if attribution:
                cells += [_number(product.coverage if product else None), _number(product.ece if product else None)]
            body.append([*cells, _notes(result, notes)])
        parts += [table([*headers, "Notes"], body, title=task.title(), numeric=range(1, len(headers))), ""]
    for result in results:
        if result.task not in BASELINES:
            parts.append(f"{result.name}: unreadable, see note below")
            _notes(result, notes)
    parts += ["accuracy / macro-F1 by the rules of `siloscope eval`; coverage: share of rows given a silo; "
              "ECE: calibration error of the top silo's confidence (10 bins)."]
    parts += [f"note: {note}" for note in notes]
    return render(*parts).rstrip("\n")

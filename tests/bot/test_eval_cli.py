"""``siloscope eval`` and ``siloscope bench`` through the CLI.

The metric maths is proved on fixed predictions in ``test_eval_metrics.py``; here each test asserts what
its name says about the door a user uses: the JSON keys, the scores of a fixed predictor worked out by
hand (registered where ``--model`` finds its models, so nothing depends on the live model), that the numbers
printed are those of the predictions made, the baselines' scores (VADER is a pinned, deterministic package),
bad input.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.attribution import Attributor, get_attributor
from bot.attribution.corpus import training_examples
from bot.cli import main
from bot.evaluation import ATTRIBUTION_MODELS, Candidate, Prediction

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"
UNATTRIBUTED = "unattributed"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def labels_of(path: Path) -> list[set[str]]:
    with open(path, encoding="utf-8") as handle:
        return [set(row[next(k for k in row if k != "text")].split("|")) for row in csv.DictReader(handle)]


def hand_ece(confidences: list[float], correct: list[bool]) -> float:
    """ECE written out again, independently of bot.evaluation: 10 bins of width 0.1, 1.0 in the last."""
    total = len(confidences)
    gap = 0.0
    for low in range(10):
        members = [i for i, c in enumerate(confidences) if low == min(int(c * 10), 9)]
        if members:
            accuracy = sum(correct[i] for i in members) / len(members)
            mean = sum(confidences[i] for i in members) / len(members)
            gap += len(members) / total * abs(accuracy - mean)
    return gap


def test_attribution_json_keeps_its_keys_and_adds_coverage_and_ece(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"kind", "n", "accuracy", "macro_f1", "per_class", "confusion", "texts_per_s",
                           "coverage", "ece"}
    assert report["kind"] == "attribution" and report["n"] == 6 and report["texts_per_s"] > 0
    assert "predictions" not in report  # only on request


# A fixed predictor for attribution_small.csv: what it answers for each text (the same text, the same answer).
FIXED = {
    "I was charged twice on my invoice": Prediction("finance", 0.9),  # right
    "The courier left my parcel in the rain and it arrived late": Prediction("delivery", 0.8),  # right
    "I was on hold for an hour and the agent hung up": Prediction("finance", 0.6),  # wrong (customer_service)
    "The app crashes every time I open it": Prediction("customer_service", 0.7),  # right once (product|cs), wrong once
    "hello there": Prediction(UNATTRIBUTED),  # no silo named: not covered, no confidence
}


@pytest.fixture
def fixed_model(monkeypatch: pytest.MonkeyPatch) -> str:
    """``--model fixed``: the table above, registered where the CLI looks its models up."""
    monkeypatch.setitem(ATTRIBUTION_MODELS, "fixed", lambda without=None: Candidate(FIXED.__getitem__))
    return "fixed"


def test_a_fixed_predictors_scores_are_the_hand_worked_ones(
    capsys: pytest.CaptureFixture[str], fixed_model: str
) -> None:
    code, out, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--json",
                       "--model", fixed_model)
    assert code == 0
    report = json.loads(out)
    # Rows 1, 2 and 4 right of 6; five rows given a silo.
    assert (report["n"], report["accuracy"], report["coverage"]) == (6, 0.5, 0.8333)
    # A wrong row counts under its first label; "product" (only a second label) has no support, so it is not
    # in macro-F1: (cs .5 + delivery 1 + finance .5 + sales 0) / 4.
    assert report["confusion"] == {
        "customer_service": {"finance": 1, "customer_service": 1}, "delivery": {"delivery": 1},
        "finance": {"finance": 1, "customer_service": 1}, "product": {}, "sales": {UNATTRIBUTED: 1},
    }
    assert report["per_class"]["customer_service"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["per_class"]["delivery"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert report["per_class"]["sales"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert report["per_class"]["product"]["support"] == 0
    assert report["macro_f1"] == 0.5
    # ECE over the five given a silo: bins .9 |1-.9|, .8 |1-.8|, .6 |0-.6|, .7 (two, one right) |1-1.4|; / 5.
    assert report["ece"] == pytest.approx((0.1 + 0.2 + 0.6 + 0.4) / 5, abs=1e-4)
    _, text, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--model", fixed_model)
    assert "n=6  accuracy=0.500  macro-F1=0.500  texts/s=" in text
    assert "coverage=0.833  calibration error (ECE, 10 bins)=0.260" in text


def test_the_printed_numbers_are_those_of_the_predictions_made(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "attribution_small.csv"
    code, out, _ = run(capsys, "eval", "attribution", str(path), "--json", "--predictions")
    assert code == 0
    report = json.loads(out)
    predictions, gold = report["predictions"], labels_of(path)
    correct = [p["label"] in g and p["label"] != UNATTRIBUTED for p, g in zip(predictions, gold, strict=True)]
    attributed = [i for i, p in enumerate(predictions) if p["label"] != UNATTRIBUTED]
    assert report["accuracy"] == pytest.approx(sum(correct) / 6, abs=1e-4)
    assert report["coverage"] == pytest.approx(len(attributed) / 6, abs=1e-4)
    assert all(0 < predictions[i]["confidence"] <= 1 for i in attributed)
    assert all(p["confidence"] is None for p in predictions if p["label"] == UNATTRIBUTED)
    confidences = [predictions[i]["confidence"] for i in attributed]
    assert report["ece"] == pytest.approx(hand_ece(confidences, [correct[i] for i in attributed]), abs=2e-4)


def test_the_text_report_shows_what_the_json_says(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "attribution_small.csv")
    _, out, _ = run(capsys, "eval", "attribution", path, "--json")
    report = json.loads(out)
    code, text, _ = run(capsys, "eval", "attribution", path)
    assert code == 0
    assert f"n=6  accuracy={report['accuracy']:.3f}  macro-F1={report['macro_f1']:.3f}  texts/s=" in text
    assert f"coverage={report['coverage']:.3f}  calibration error (ECE, 10 bins)={report['ece']:.3f}" in text
    finance = report["per_class"]["finance"]
    assert f"finance               {finance['precision']:.3f}   {finance['recall']:.3f}  {finance['f1']:.3f}" in text
    assert "confusion matrix (rows: labelled, columns: predicted)" in text


def test_vader_baseline_hand_worked(capsys: pytest.CaptureFixture[str]) -> None:
    # VADER's compound: thanks for nothing .44 (positive), delivery quick and lovely .59 (positive),
    # still waiting 0 (neutral), what time 0 (neutral), absolutely brilliant .78 (positive).
    # Labelled negative, positive, negative, positive, negative: one right.
    small = str(FIXTURES / "sentiment_small.csv")
    code, out, _ = run(capsys, "eval", "sentiment", small, "--json", "--model", "vader")
    assert code == 0
    report = json.loads(out)
    assert report["model"] == "vader"
    assert report["accuracy"] == pytest.approx(0.2)
    assert report["per_class"]["negative"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 3}
    assert report["per_class"]["positive"] == {"precision": 0.3333, "recall": 0.5, "f1": 0.4, "support": 2}
    assert report["macro_f1"] == pytest.approx(0.2)
    assert report["confusion"] == {"negative": {"positive": 2, "neutral": 1}, "positive": {"positive": 1, "neutral": 1}}
    assert report["coverage"] is None and report["ece"] is None


def test_a_baseline_without_confidences_has_coverage_but_no_ece(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--json",
                       "--model", "keywords", "--predictions")
    assert code == 0
    report = json.loads(out)
    named = sum(p["label"] != UNATTRIBUTED for p in report["predictions"])
    assert report["coverage"] == pytest.approx(named / 6, abs=1e-4)
    assert report["ece"] is None


def test_rows_that_are_training_examples_are_flagged_in_sample(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    taxonomy = get_attributor().taxonomy
    examples = {name: training_examples(silo) for name, silo in taxonomy.silos.items()}
    seen = [(texts[0], name) for name, texts in examples.items() if texts][:3]
    assert len(seen) == 3
    path = tmp_path / "attribution_copied.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "silo"])
        writer.writerows([(f"  {text.upper()} ", silo) for text, silo in seen])  # case and spacing do not hide it
        writer.writerow(["a sentence nobody wrote into silos.yml, about zebras", "product"])
    code, out, _ = run(capsys, "eval", "attribution", str(path), "--json")
    assert code == 0 and json.loads(out)["seen_in_training"] == len(seen)
    _, text, _ = run(capsys, "eval", "attribution", str(path))
    assert f"in-sample: {len(seen)} of {len(seen) + 1} rows are verbatim training texts" in text


def test_a_set_the_model_learnt_from_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The contract for a model that learns from labelled sets: it names them in ``trained_on``.
    monkeypatch.setattr(get_attributor(), "trained_on", ("attribution_small",), raising=False)
    code, out, err = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--json")
    assert code == 2 and out == ""
    assert "attribution_small: the siloscope model was trained on this set" in err
    other = tmp_path / "attribution_other.csv"
    other.write_bytes((FIXTURES / "attribution_small.csv").read_bytes())
    code, out, _ = run(capsys, "eval", "attribution", str(other), "--json")
    assert code == 0 and json.loads(out)["n"] == 6  # a set it did not learn from is scored


def test_a_model_that_can_leave_the_set_out_is_scored_leave_one_source_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    attributor = get_attributor()
    left_out: list[str] = []

    def without(name: str) -> Attributor:
        left_out.append(name)
        return Attributor(attributor.taxonomy, model_cache=tmp_path)  # a model that declares no set

    monkeypatch.setattr(attributor, "trained_on", ("attribution_small",), raising=False)
    monkeypatch.setattr(attributor, "without", without, raising=False)
    code, out, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--json")
    assert code == 0
    assert left_out == ["attribution_small"]
    assert json.loads(out)["leave_one_source_out"] == "attribution_small"


@pytest.mark.parametrize(
    ("what", "name", "message"),
    [
        ("attribution", "unknown_silo.csv", "unknown_silo.csv:3: unknown silo 'shipping'"),
        ("attribution", "missing_column.csv", "missing column 'silo'"),
        ("sentiment", "missing_column.csv", "missing column 'sentiment'"),
        ("attribution", "empty.csv", "empty.csv: file is empty"),
        ("sentiment", "header_only.csv", "header_only.csv: no data rows"),
        ("sentiment", "latin1.csv", "latin1.csv: not UTF-8 text"),
        ("sentiment", "does_not_exist.csv", "does_not_exist.csv: cannot read"),
    ],
)
def test_bad_files_give_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], what: str, name: str, message: str
) -> None:
    code, out, err = run(capsys, "eval", what, str(FIXTURES / name))
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["attribution", "attribution_small.csv", "--model", "vader"], "unknown --model 'vader'"),
        (["sentiment", "sentiment_small.csv", "--sample", "0"], "--sample must be a positive number"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    argv = [str(FIXTURES / a) if a.endswith(".csv") else a for a in argv]
    code, out, err = run(capsys, "eval", *argv)
    assert code == 2 and out == ""
    assert message in err


def test_sample_scores_that_many_rows(capsys: pytest.CaptureFixture[str]) -> None:
    small = str(FIXTURES / "sentiment_small.csv")
    code, out, _ = run(capsys, "eval", "sentiment", small, "--json", "--model", "vader", "--sample", "3")
    assert code == 0 and json.loads(out)["n"] == 3
    _, again, _ = run(capsys, "eval", "sentiment", small, "--json", "--model", "vader", "--sample", "3")
    assert json.loads(again)["confusion"] == json.loads(out)["confusion"]  # the same seeded draw


def test_bench_reports_speed_and_the_ratio_to_textblob(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bench", "attribution", "--texts", "40", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["texts"] == 40
    assert result["textblob_texts_per_s"] > 0 and result["attribution_sentiment_texts_per_s"] > 0
    ratio = result["attribution_sentiment_texts_per_s"] / result["textblob_texts_per_s"]
    assert result["ratio_to_textblob"] == pytest.approx(ratio, rel=0.01)


def test_bench_from_a_csv_and_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "bench", "attribution", "--texts", "10", "--file", str(FIXTURES / "sentiment_small.csv"))
    assert code == 0 and "ratio to TextBlob" in out
    code, _, err = run(capsys, "bench", "attribution", "--file", str(FIXTURES / "latin1.csv"))
    assert code == 2 and "not UTF-8" in err

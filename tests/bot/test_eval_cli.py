"""``siloscope eval`` and ``siloscope bench`` through the CLI, on fixtures whose metrics were worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_attribution_metrics_match_the_hand_worked_values(capsys: pytest.CaptureFixture[str]) -> None:
    # Predictions: finance, delivery, customer_service, product, product (row labelled finance),
    # unattributed (row labelled sales). 4 of 6 right; "product|customer_service" accepts product.
    code, out, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"n", "accuracy", "macro_f1", "per_class", "texts_per_s"}
    assert report["n"] == 6
    assert report["accuracy"] == pytest.approx(4 / 6, abs=1e-4)
    per_class = report["per_class"]
    assert per_class["finance"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3, abs=1e-4), "support": 2}
    assert per_class["product"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3, abs=1e-4), "support": 1}
    assert per_class["sales"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert per_class["delivery"]["f1"] == per_class["customer_service"]["f1"] == 1.0
    # macro-F1 over the five labelled classes: (2/3 + 1 + 1 + 2/3 + 0) / 5
    assert report["macro_f1"] == pytest.approx((2 / 3 + 1 + 1 + 2 / 3 + 0) / 5, abs=1e-4)
    assert report["confusion"]["sales"] == {"unattributed": 1}
    assert report["confusion"]["finance"] == {"finance": 1, "product": 1}
    assert report["texts_per_s"] > 0


def test_sentiment_without_neutral_rows_counts_neutral_as_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    # Predictions: negative, positive, negative, neutral (labelled positive), positive (labelled negative).
    code, out, _ = run(capsys, "eval", "sentiment", str(FIXTURES / "sentiment_small.csv"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["n"] == 5
    assert report["accuracy"] == pytest.approx(0.6)
    assert set(report["per_class"]) == {"negative", "positive"}
    assert report["per_class"]["negative"] == {"precision": 1.0, "recall": pytest.approx(2 / 3, abs=1e-4),
                                               "f1": pytest.approx(0.8), "support": 3}
    assert report["per_class"]["positive"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["macro_f1"] == pytest.approx(0.65)
    assert report["confusion"]["positive"] == {"positive": 1, "neutral": 1}


def test_the_text_report_shows_headline_table_and_confusion_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"))
    assert code == 0
    assert "n=6  accuracy=0.667  macro-F1=0.667  texts/s=" in out
    assert "finance               1.000   0.500  0.667        2" in out
    assert "confusion matrix (rows: labelled, columns: predicted)" in out
    assert "unattrib" in out


def test_baselines_are_scored_by_the_same_rules(capsys: pytest.CaptureFixture[str]) -> None:
    small = str(FIXTURES / "sentiment_small.csv")
    code, out, _ = run(capsys, "eval", "sentiment", small, "--json", "--model", "textblob")
    assert code == 0
    # TextBlob reads "thanks for nothing" and the waiting complaint as non-negative.
    assert json.loads(out)["accuracy"] < 0.6


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


def test_unknown_model_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval", "attribution", str(FIXTURES / "attribution_small.csv"), "--model", "vader")
    assert code == 2
    assert "unknown --model 'vader'" in err


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

"""The metric maths of ``bot.evaluation`` on fixed predictions, so each value is worked out by hand, not by a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import expected_calibration_error, read_labelled_csv, score
from bot.sentiment import LABELS
from bot.taxonomy import UNATTRIBUTED

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"
SILOS = ["marketing", "sales", "order_management", "legal", "delivery", "finance", "customer_service", "product"]


def attribution_rows() -> list:
    # finance | delivery | customer_service | product|customer_service | finance | sales
    return read_labelled_csv(FIXTURES / "attribution_small.csv", "silo", SILOS)


PREDICTED = ["finance", "delivery", "customer_service", "product", "product", UNATTRIBUTED]
CONFIDENCES = [0.95, 0.85, 0.55, 0.62, 0.58, None]


def test_accuracy_per_class_and_macro_f1_by_the_attribution_rules() -> None:
    # 4 of 6 right: "product|customer_service" accepts product; "unattributed" is always wrong.
    report = score("attribution", attribution_rows(), PREDICTED)
    assert report.n == 6
    assert report.accuracy == pytest.approx(4 / 6)
    finance, product, sales = (report.per_class[name] for name in ("finance", "product", "sales"))
    assert (finance.precision, finance.recall, finance.f1, finance.support) == pytest.approx((1.0, 0.5, 2 / 3, 2))
    assert (product.precision, product.recall, product.f1, product.support) == pytest.approx((0.5, 1.0, 2 / 3, 1))
    assert (sales.precision, sales.recall, sales.f1, sales.support) == (0.0, 0.0, 0.0, 1)
    assert report.per_class["delivery"].f1 == report.per_class["customer_service"].f1 == 1.0
    assert report.macro_f1 == pytest.approx((2 / 3 + 1 + 1 + 2 / 3 + 0) / 5)
    assert report.confusion["sales"] == {UNATTRIBUTED: 1}
    assert report.confusion["finance"] == {"finance": 1, "product": 1}


def test_coverage_is_the_share_of_rows_given_a_silo() -> None:
    assert score("attribution", attribution_rows(), PREDICTED).coverage == pytest.approx(5 / 6)
    assert score("attribution", attribution_rows(), [UNATTRIBUTED] * 6).coverage == 0.0


def test_calibration_error_of_the_attributed_rows_worked_by_hand() -> None:
    # Attributed rows (confidence, right?): (.95, yes) bin 9, (.85, yes) bin 8, (.55, yes) and (.58, no) bin 5,
    # (.62, yes) bin 6. Gaps |accuracy - mean confidence|: .05, .15, |.5 - .565| = .065 (2 rows), .38.
    # ECE = (.05 + .15 + 2 * .065 + .38) / 5 = 0.142; the unattributed row claims nothing and is left out.
    report = score("attribution", attribution_rows(), PREDICTED, confidences=CONFIDENCES)
    assert report.ece == pytest.approx(0.142)


def test_no_confidences_means_no_calibration_error() -> None:
    assert score("attribution", attribution_rows(), PREDICTED).ece is None
    assert score("attribution", attribution_rows(), PREDICTED, confidences=[None] * 6).ece is None


@pytest.mark.parametrize(
    ("confidences", "correct", "expected"),
    [
        ([0.25, 0.25, 0.25, 0.25], [True, False, False, False], 0.0),  # 25% sure, right 1 in 4: calibrated
        ([1.0, 1.0], [True, False], 0.5),  # 1.0 falls in the last bin, not an eleventh
        ([0.0, 0.09], [False, False], 0.045),  # one bin [0, .1): mean confidence .045, accuracy 0
        ([0.9, 0.1], [False, True], 0.9),  # confidently wrong and timidly right: (.9 + .9) / 2
        ([0.3, 0.7], [True, True], 0.5),  # (.7 + .3) / 2
    ],
)
def test_expected_calibration_error_in_ten_equal_bins(
    confidences: list[float], correct: list[bool], expected: float
) -> None:
    assert expected_calibration_error(confidences, correct) == pytest.approx(expected)


def test_calibration_error_needs_rows_and_probabilities() -> None:
    assert expected_calibration_error([], []) is None
    with pytest.raises(ValueError, match="not a probability"):
        expected_calibration_error([1.2], [True])


def test_sentiment_without_neutral_rows_counts_neutral_as_wrong() -> None:
    rows = read_labelled_csv(FIXTURES / "sentiment_small.csv", "sentiment", LABELS)
    # labelled negative, positive, negative, positive, negative
    report = score("sentiment", rows, ["negative", "positive", "negative", "neutral", "positive"])
    assert report.accuracy == pytest.approx(0.6)
    assert set(report.per_class) == {"negative", "positive"}
    negative, positive = report.per_class["negative"], report.per_class["positive"]
    assert (negative.precision, negative.recall, negative.f1, negative.support) == pytest.approx((1.0, 2 / 3, 0.8, 3))
    assert (positive.precision, positive.recall, positive.f1, positive.support) == pytest.approx((0.5, 0.5, 0.5, 2))
    assert report.macro_f1 == pytest.approx(0.65)
    assert report.confusion["positive"] == {"positive": 1, "neutral": 1}
    assert report.coverage is None and report.ece is None  # attribution's measures only

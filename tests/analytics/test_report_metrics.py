"""Every metric of ``siloscope report`` against values computed by hand from the fixture store.

Window: ``--since 7d --until 2026-03-20`` = 2026-03-14 .. 2026-03-20 (UTC), previous 2026-03-07 .. 13.

delivery now: scores 1,2,4,5 · efforts 2,5,6 · contacts 3,1,1 · sentiment neg,neg,pos
  mean 3.0 · dissatisfied 2/4 · mean effort 13/3 · high effort 1/3 · negative 2/3 · repeat 1/3
  friction = 100·(0.4·1/2 + 0.2·1/3 + 0.2·2/3 + 0.2·1/3) = 46.667
finance now: scores 3,5 · efforts 4,7 · contacts 2,1 · neutral, positive -> friction 100·0.2·1/2 = 10
unattributed now: one score 4, nothing else -> friction 0 (only the dissatisfied component counts)
total now: 7 responses, scores sum 24 -> 3.4286, dissatisfied 2/7, effort 24/5, high effort 1/5,
  negative 2/5, repeat 2/5 -> friction 100·(0.4·2/7 + 0.2·0.2 + 0.2·0.4 + 0.2·0.4) = 31.429
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import update

from bot.cli import main
from bot.store.db import engine_for
from bot.store.models import FeedbackResponse

WINDOW = ["--since", "7d", "--until", "2026-03-20"]


def run_report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["report", *WINDOW, *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    return json.loads(run_report(capsys, "--format", "json", *args))


def test_per_silo_metrics_match_hand_computed_values(friction_store, capsys) -> None:
    data = report_json(capsys)
    rows = {row["key"]: row for row in data["rows"]}
    assert [row["key"] for row in data["rows"]] == ["delivery", "finance", "unattributed"]
    delivery = rows["delivery"]["metrics"]
    assert delivery["volume"] == 4
    assert delivery["mean_score"] == pytest.approx(3.0)
    assert delivery["dissatisfied_share"] == pytest.approx(0.5)
    assert delivery["mean_effort"] == pytest.approx(13 / 3)
    assert delivery["high_effort_share"] == pytest.approx(1 / 3)
    assert delivery["negative_share"] == pytest.approx(2 / 3)
    assert delivery["repeat_rate"] == pytest.approx(1 / 3)
    assert delivery["friction_index"] == pytest.approx(46.6667, abs=1e-3)
    finance = rows["finance"]["metrics"]
    assert (finance["volume"], finance["mean_score"], finance["dissatisfied_share"]) == (2, 4.0, 0.0)
    assert finance["mean_effort"] == pytest.approx(5.5)
    assert finance["repeat_rate"] == pytest.approx(0.5)
    assert finance["friction_index"] == pytest.approx(10.0)
    unattributed = rows["unattributed"]["metrics"]
    assert unattributed["volume"] == 1 and unattributed["friction_index"] == pytest.approx(0.0)
    assert unattributed["negative_share"] is None and unattributed["mean_effort"] is None


def test_totals_and_changes_against_previous_window(friction_store, capsys) -> None:
    data = report_json(capsys)
    total = data["total"]["metrics"]
    assert total["volume"] == 7
    assert total["mean_score"] == pytest.approx(24 / 7)
    assert total["dissatisfied_share"] == pytest.approx(2 / 7)
    assert total["mean_effort"] == pytest.approx(4.8)
    assert total["high_effort_share"] == pytest.approx(0.2)
    assert total["negative_share"] == pytest.approx(0.4)
    assert total["repeat_rate"] == pytest.approx(0.4)
    assert total["friction_index"] == pytest.approx(31.4286, abs=1e-3)
    delivery = next(r for r in data["rows"] if r["key"] == "delivery")["changes"]
    assert delivery["volume"]["previous"] == 2 and delivery["volume"]["delta"] == 2
    assert delivery["mean_score"]["previous"] == pytest.approx(4.5)
    assert delivery["friction_index"]["delta"] == pytest.approx(46.6667, abs=1e-3)
    # a big jump, but on 4 vs 2 answers: never flagged
    assert not delivery["friction_index"]["significant"] and delivery["friction_index"]["direction"] == ""


def test_json_holds_the_report_once_and_nothing_else(friction_store, capsys) -> None:
    """The keys scripts read; metric labels and the definitions text are documentation, not data."""
    data = report_json(capsys)
    assert set(data) == {"generated_at", "window", "start", "end", "previous_start", "timezone", "group_by",
                         "trend_unit", "filters", "rows", "total", "trend", "handoffs", "quotes", "themes",
                         "theme_sample"}
    assert set(data["total"]) == {"key", "label", "metrics", "changes", "mentions", "negative_mentions"}
    assert (data["start"], data["end"], data["previous_start"]) == ("2026-03-14", "2026-03-21", "2026-03-07")


def test_mentions_count_every_attributed_silo(friction_store, capsys) -> None:
    rows = {row["key"]: row for row in report_json(capsys)["rows"]}
    assert (rows["delivery"]["mentions"], rows["delivery"]["negative_mentions"]) == (3, 2)
    assert (rows["finance"]["mentions"], rows["finance"]["negative_mentions"]) == (3, 1)


def test_handoff_matrix_counts_and_mean_sentiment(friction_store, capsys) -> None:
    cells = {(h["from_silo"], h["to_silo"]): h for h in report_json(capsys)["handoffs"]}
    assert set(cells) == {("delivery", "finance"), ("finance", "customer_service")}
    assert cells[("delivery", "finance")]["count"] == 2
    assert cells[("delivery", "finance")]["mean_sentiment"] == pytest.approx(-0.4)
    assert cells[("finance", "customer_service")]["count"] == 1


def test_top_quotes_link_to_the_raw_response(friction_store, capsys) -> None:
    quotes = report_json(capsys)["quotes"]
    assert [q["response_id"] for q in quotes["delivery"]] == [friction_store[0], friction_store[1]]
    assert quotes["delivery"][0]["text"].startswith("Parcel was late <script>")
    assert "finance" not in quotes  # its answers were not dissatisfied


def test_filters_narrow_every_number(friction_store, capsys) -> None:
    data = report_json(capsys, "--channel", "email")
    assert data["total"]["metrics"]["volume"] == 2
    assert {r["key"]: r["metrics"]["volume"] for r in data["rows"]} == {"delivery": 1, "finance": 1}
    data = report_json(capsys, "--silo", "finance", "--by", "touchpoint")
    assert [(r["key"], r["metrics"]["volume"]) for r in data["rows"]] == [("invoice", 2)]


def test_by_day_rows_are_local_days_with_their_own_metrics(friction_store, capsys) -> None:
    data = report_json(capsys, "--by", "day")
    days = {r["key"]: r["metrics"] for r in data["rows"]}
    assert list(days) == [f"2026-03-{d}" for d in range(14, 21)]
    assert days["2026-03-15"]["friction_index"] == pytest.approx(100.0)
    assert days["2026-03-20"]["volume"] == 1


@pytest.mark.parametrize("tz", ["Europe/Berlin", "Asia/Kolkata"])
def test_time_zone_moves_answers_across_midnight(friction_store, capsys, tz) -> None:
    """Berlin is UTC+1 in March, Kolkata UTC+5:30 (quarter-hour buckets): in both, 23:30 UTC on the 13th
    is the 14th and 23:59 UTC on the 20th is the 21st."""
    data = report_json(capsys, "--tz", tz)
    delivery = next(r for r in data["rows"] if r["key"] == "delivery")
    assert delivery["metrics"]["volume"] == 4
    assert delivery["metrics"]["mean_score"] == pytest.approx((1 + 2 + 4 + 4) / 4)
    assert delivery["changes"]["volume"]["previous"] == 2  # the 8th, and 23:59 UTC on the 6th
    local_days = report_json(capsys, "--by", "day", "--tz", tz)["rows"]
    days = {r["key"]: r["metrics"]["volume"] for r in local_days}
    assert days["2026-03-14"] == 2 and "2026-03-21" not in days


def test_csv_and_table_show_the_same_numbers(friction_store, capsys) -> None:
    rows = list(csv.DictReader(io.StringIO(run_report(capsys, "--format", "csv"))))
    delivery = next(r for r in rows if r["key"] == "delivery")
    assert float(delivery["friction_index"]) == pytest.approx(46.6667, abs=1e-3)
    assert delivery["mentions"] == "3" and delivery["friction_index_significant"] == "no"
    assert rows[-1]["key"] == "__total__" and rows[-1]["volume"] == "7"
    table = run_report(capsys)
    assert "46.7" in table and "31.4" in table and "50.0%" in table


def test_html_report_escapes_customer_text(friction_store, capsys, tmp_path) -> None:
    target = tmp_path / "report.html"
    assert main(["report", *WINDOW, "--format", "html", "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'id="friction-chart"' in page and 'href="#quotes-delivery"' in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "banana"], "'banana' is not a period"),
        (["--since", "0d"], "at least one day"),
        (["--silo", "accounting"], "unknown silo 'accounting'"),
        (["--touchpoint", "moon"], "unknown touchpoint 'moon'"),
        (["--by", "colour"], "--by must be one of"),
        (["--format", "pdf"], "--format must be one of"),
        (["--tz", "Mars/Olympus"], "unknown time zone"),
        (["--channel", "pigeon"], "no feedback matches"),
    ],
)
def test_bad_arguments_give_one_clear_line(friction_store, capsys, args, message) -> None:
    assert main(["report", *WINDOW, *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and captured.out == ""


def test_empty_store_says_how_to_fill_it(tmp_database, capsys) -> None:
    assert main(["report"]) == 2
    assert "no feedback yet" in capsys.readouterr().err


def test_csv_never_hands_a_formula_to_a_spreadsheet(friction_store, tmp_database, capsys) -> None:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.store.db import engine_for
    from bot.store.models import Conversation, FeedbackResponse

    with Session(engine_for(tmp_database), future=True) as session, session.begin():
        session.add(FeedbackResponse(conversation=Conversation(key="formula", sender_id="x"), channel="=1+2",
                                     score=3, status="complete", created_at=datetime(2026, 3, 18, 9, 0)))
    rows = list(csv.DictReader(io.StringIO(run_report(capsys, "--by", "channel", "--format", "csv"))))
    assert "'=1+2" in {r["key"] for r in rows} and "=1+2" not in {r["key"] for r in rows}


def test_offline_links_of_other_groupings_lead_to_the_quotes(friction_store, capsys) -> None:
    page = run_report(capsys, "--by", "touchpoint", "--format", "html")
    assert 'href="#quotes"' in page and 'href="#quotes-delivery"' not in page


def test_nps_appears_once_customers_answered_it(friction_store, tmp_database, capsys) -> None:
    data = report_json(capsys)
    assert data["total"]["metrics"]["nps"] is None  # nobody was asked (conversation.ask_nps is off)
    assert "NPS" not in run_report(capsys)
    # delivery's four answers this window: 10, 9 promoters; 7 passive; 3 detractor -> 100·(2 − 1)/4 = 25
    with engine_for(tmp_database).begin() as connection:
        for response_id, nps in zip(friction_store[:4], (10, 9, 7, 3), strict=True):
            connection.execute(update(FeedbackResponse).where(FeedbackResponse.id == response_id).values(nps=nps))
    rows = {row["key"]: row for row in report_json(capsys)["rows"]}
    assert rows["delivery"]["metrics"]["nps"] == 25.0 and rows["finance"]["metrics"]["nps"] is None
    table = run_report(capsys)
    assert "NPS" in table and "+25" in table
    assert "nps" in next(csv.reader(io.StringIO(run_report(capsys, "--format", "csv"))))

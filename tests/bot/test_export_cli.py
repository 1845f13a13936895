"""``siloscope export``: what a manager's spreadsheet or a script receives."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta, timezone

import pytest
from sqlalchemy import update

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.store.db import engine_for
from bot.store.models import FeedbackResponse, utcnow


@pytest.fixture
def two_responses(tmp_database: str) -> str:
    service = get_feedback_service()
    old = ConversationRef(key="old", sender_id="s-old", customer_ref="C-1", touchpoint="invoice", channel="email")
    new = ConversationRef(key="new", sender_id="s-new", customer_ref="C-2", touchpoint="delivery", channel="web")
    service.record(old, Answers(score=1, text="I was charged twice for the same invoice."))
    service.finish(old)
    service.record(new, Answers(score=5, text="The courier was friendly and fast.", effort=7, contact_count=1,
                                  nps=9))
    with engine_for(tmp_database).begin() as connection:
        ten_days_ago = utcnow() - timedelta(days=10)
        connection.execute(
            update(FeedbackResponse)
            .where(FeedbackResponse.touchpoint == "invoice")
            .values(created_at=ten_days_ago, updated_at=ten_days_ago)
        )
    return tmp_database


def test_json_has_one_record_per_response_with_silos_and_scores(two_responses: str, capsys) -> None:
    assert main(["export", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["conversation"] for r in records] == ["old", "new"]
    old, new = records
    assert (old["score"], old["status"], old["customer_ref"], old["primary_silo"]) == (1, "complete", "C-1", "finance")
    assert old["silos"][0]["silo"] == "finance" and old["sentiment"] == "negative"
    assert (new["score"], new["effort"], new["contact_count"], new["status"]) == (5, 7, 1, "partial")
    assert (old["nps"], new["nps"]) == (None, 9)  # the optional NPS answer, stored by the feedback service
    assert new["primary_silo"] == "delivery" and new["sentiment"] == "positive"


def test_csv_flattens_silos_and_since_filters(two_responses: str, capsys) -> None:
    assert main(["export", "--format", "csv", "--since", "7d"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1
    assert rows[0]["touchpoint"] == "delivery" and rows[0]["score"] == "5"
    assert rows[0]["silos"].startswith("delivery:")


def test_an_empty_store_exports_a_header_or_an_empty_list(tmp_database: str, capsys) -> None:
    assert main(["export"]) == 0
    assert capsys.readouterr().out.startswith("response_id,created_at")
    assert main(["export", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("since", ["banana", "7x", "-3d"])
def test_a_bad_period_is_one_clear_line(tmp_database: str, capsys, since: str) -> None:
    assert main(["export", f"--since={since}"]) == 2
    err = capsys.readouterr().err
    assert "cannot read the period" in err and "Traceback" not in err


def test_periods_mean_the_same_in_every_command() -> None:
    """``m`` is months for export as for report (never minutes), ``h`` hours, ``w`` weeks."""
    from datetime import datetime

    from bot.period_syntax import parse_since

    now = datetime(2026, 3, 31, 12, 0, tzinfo=timezone.utc)
    assert parse_since("6m", now) == datetime(2025, 9, 30, 12, 0)  # clamped to the month's end
    assert parse_since("12h", now) == datetime(2026, 3, 31, 0, 0)
    assert parse_since("2w", now) == datetime(2026, 3, 17, 12, 0)


def test_report_refuses_hours_in_one_line(tmp_database: str, capsys) -> None:
    assert main(["report", "--since", "12h"]) == 2
    err = capsys.readouterr().err
    assert "whole days" in err and "Traceback" not in err

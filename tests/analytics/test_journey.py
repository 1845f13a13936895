"""A customer's journey through the CLI (``siloscope journey``) and the cycle rule it rests on."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from analytics.cycles import number_cycles
from bot.cli import main
from tests.analytics.journey_data import write_journeys

GAP = timedelta(days=30)


def day(n: int) -> datetime:
    return datetime(2026, 1, 1) + timedelta(days=n)


def test_each_order_is_a_cycle_numbered_by_first_sight_and_orderless_touches_join_the_order_before() -> None:
    touches = [(day(0), "A"), (day(1), None), (day(2), "B"), (day(3), "A"), (day(4), None)]
    assert number_cycles(touches, GAP) == [1, 1, 2, 1, 1]


def test_an_orderless_touch_after_the_gap_opens_a_cycle_which_the_next_new_order_completes() -> None:
    touches = [(day(0), "A"), (day(40), None), (day(41), "B"), (day(42), None), (day(100), None), (day(101), None)]
    assert number_cycles(touches, GAP) == [1, 2, 2, 2, 3, 3]


def test_a_customer_without_orders_is_cut_by_the_gap_only() -> None:
    assert number_cycles([(day(0), None), (day(30), None), (day(61), None)], GAP) == [1, 1, 2]


@pytest.fixture
def journeys(tmp_database: str) -> dict[str, int]:
    return write_journeys(tmp_database)


def test_the_json_timeline_lists_every_touchpoint_in_time_order_with_its_cycle(journeys, capsys) -> None:
    assert main(["journey", "C-1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["customer_ref"] == "C-1"
    steps = document["steps"]
    assert [(s["touchpoint"], s["cycle"], s["score"], s["status"]) for s in steps] == [
        ("purchase", 1, 4, "complete"), ("delivery", 1, 2, "complete"), ("support", 1, 1, "complete"),
        ("invoice", 1, None, "not answered"), ("purchase", 2, 5, "complete"), ("delivery", 2, 4, "complete")]
    delivery = steps[1]
    assert delivery["at"] == "2026-01-03T10:00:00+00:00"  # when the touchpoint happened, from its event
    assert (delivery["order_id"], delivery["primary_silo"], delivery["contact_count"]) == ("O-1", "delivery", 2)
    assert delivery["silos"] == ["delivery", "customer_service"]
    assert delivery["handoffs"] == ["delivery→customer_service"]
    assert delivery["people"] == 3 and delivery["response_id"] == journeys["c1_delivery"]
    assert steps[2]["human_requested"] is True and steps[2]["order_id"] is None
    assert [(c["cycle"], c["orders"], c["touchpoints"], c["answered"], c["mean_score"]) for c in
            document["cycles"]] == [(1, ["O-1"], 4, 3, 2.33), (2, ["O-2"], 2, 2, 4.5)]


def test_the_table_fits_100_columns_and_keeps_redacted_tags(journeys, capsys) -> None:
    assert main(["journey", "C-1"]) == 0
    out = capsys.readouterr().out
    assert "Cycle 1 · O-1 · 3/4 answered" in out and "Cycle 2 · O-2 · 2/2 answered" in out
    assert "[email]" in out and "not answered" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_the_gap_comes_from_siloscope_yml(journeys, tmp_path, monkeypatch, capsys) -> None:
    config = tmp_path / "siloscope.yml"
    config.write_text("journey:\n  cycle_gap_days: 90\n", encoding="utf-8")
    monkeypatch.setenv("SILOSCOPE_CONFIG", str(config))
    from bot.settings import get_settings

    get_settings.cache_clear()
    assert main(["journey", "C-3", "--json"]) == 0
    assert [s["cycle"] for s in json.loads(capsys.readouterr().out)["steps"]] == [1, 1, 1]


@pytest.mark.parametrize(("ref", "message"), [("C-404", "no customer 'C-404' is stored"),
                                              ("C-2", "customer 'C-2' opted out"),
                                              ("  ", "give the customer reference")])
def test_an_unknown_or_opted_out_customer_is_one_line_and_exit_2(journeys, capsys, ref: str,
                                                                 message: str) -> None:
    assert main(["journey", ref]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and len(captured.err.strip().splitlines()) == 1


WINDOW = ["--since", "2026-01-01", "--until", "2026-03-31"]


def test_report_by_cycle_sets_first_purchase_cycles_against_repeat_ones(journeys, capsys) -> None:
    # first: C-1 4, 2, 1; C-2 1; C-3 3, 2 -> 6 answers, mean 13/6. repeat: C-1 5, 4; C-3 4 -> 3, mean 13/3.
    assert main(["report", "--by", "cycle", *WINDOW, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["key"], r["metrics"]["volume"], round(r["metrics"]["mean_score"], 4)) for r in rows] == [
        ("first", 6, round(13 / 6, 4)), ("repeat", 3, round(13 / 3, 4))]
    assert main(["report", "--by", "cycle", *WINDOW, "--silo", "customer_service", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]  # support answers only: C-1 1, C-2 1, C-3 3, 2 | C-3 4
    assert [(r["key"], r["metrics"]["volume"], r["metrics"]["mean_score"]) for r in rows] == [
        ("first", 4, 1.75), ("repeat", 1, 4.0)]


@pytest.mark.parametrize("fmt", ["table", "csv", "html"])
def test_report_by_cycle_works_in_every_format(journeys, capsys, fmt: str) -> None:
    assert main(["report", "--by", "cycle", *WINDOW, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "first purchase cycle" in out and "repeat cycles (2nd and later)" in out


def test_the_people_a_customer_met_come_from_the_ticket_tool(tmp_database, monkeypatch, capsys) -> None:
    """A signed Zendesk event through the web service's door names the agent and group: two people met."""
    import asyncio
    from datetime import timezone

    from bot.channels.signing import zendesk_signature
    from bot.settings import get_settings
    from bot.web.app import create_app

    monkeypatch.setenv("ZENDESK_WEBHOOK_SECRET", "journey-zendesk-secret")
    monkeypatch.setenv("SILOSCOPE_WIDGET_SECRET", "journey-widget-secret-0123456789")
    get_settings.cache_clear()
    event = {"id": "zd-journey-1", "type": "zen:event-type:ticket.status_changed",
             "time": "2026-11-23T17:47:08Z", "event": {"current": "SOLVED", "previous": "OPEN"},
             "detail": {"id": "5158", "requester_id": "ZD-42", "status": "SOLVED", "assignee_id": 3901,
                        "group_id": "360001", "subject": "Parcel never arrived"}}
    body = json.dumps(event).encode()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"X-Zendesk-Webhook-Signature": zendesk_signature("journey-zendesk-secret", body, stamp),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp, "Content-Type": "application/json"}
    _request, answer = asyncio.run(create_app(get_settings()).asgi_client.post("/webhooks/zendesk", content=body,
                                                                                headers=headers))
    assert answer.status == 202, answer.text
    assert main(["journey", "ZD-42", "--json"]) == 0
    (step,) = json.loads(capsys.readouterr().out)["steps"]
    assert (step["touchpoint"], step["ticket_id"], step["status"], step["people"]) == (
        "support", "5158", "not answered", 2)

"""``siloscope cases``: the queue, one case, and working it to closed, through the command line."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.store.models import Case, CaseEvent, utcnow
from tests.support.database import count, db_session


def _ref(n: int, touchpoint: str) -> ConversationRef:
    return ConversationRef(key=f"cli-{n}", sender_id=f"s-{n}", customer_ref=f"C-{n}", touchpoint=touchpoint,
                           channel="web")


@pytest.fixture
def two_cases(tmp_database: str) -> tuple[int, int]:
    """A delivery customer who asked for a person (overdue), and an invoice complaint over the thresholds."""
    service = get_feedback_service()
    late, billed = _ref(1, "delivery"), _ref(2, "invoice")
    service.record(late, Answers(score=2, text="Parcel late, [ordered] <b>twice</b> [/x]"))
    service.request_human(late)
    service.record(billed, Answers(score=1, text="I was charged twice and the invoice is wrong. Terrible."))
    service.finish(billed)
    with db_session(tmp_database) as session:
        ids = {c.owner: c.id for c in session.scalars(select(Case))}
        session.execute(update(Case).where(Case.id == ids["delivery"]).values(due_at=utcnow() - timedelta(hours=1)))
        session.commit()
    return ids["delivery"], ids["finance"]


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_queue_shows_overdue_first_and_filters_by_silo_status_and_due_time(
    two_cases: tuple[int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    late, billed = two_cases
    rows = _json(capsys, "cases", "list", "--json")
    assert [(r["id"], r["owner"], r["overdue"]) for r in rows] == [(late, "delivery", True), (billed, "finance", False)]
    assert rows[1]["reason"].startswith("negative about this department") and rows[1]["score"] == 1
    assert [r["id"] for r in _json(capsys, "cases", "list", "--silo", "finance", "--json")] == [billed]
    assert [r["id"] for r in _json(capsys, "cases", "list", "--overdue", "--json")] == [late]
    assert _json(capsys, "cases", "list", "--status", "closed", "--json") == []

    assert main(["cases", "list"]) == 0
    table = capsys.readouterr().out
    assert max(map(len, table.splitlines())) <= 100
    assert "OVERDUE" in table and "asked for a" in table
    assert "[ordered]" in table and "[/x]" in table  # the customer's words as typed, not read as markup


def test_a_case_is_worked_from_open_to_closed_and_every_step_is_in_its_history(
    two_cases: tuple[int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    late, _ = two_cases
    assert main(["cases", "update", str(late), "--status", "in_progress", "--by", "Ana"]) == 0
    assert main(["cases", "update", str(late), "--owner", "customer_service", "--note", "Courier lost it",
                 "--by", "Ana"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"case #{late}: in_progress, owned by customer_service")
    assert main(["cases", "close", str(late), "--outcome", "Refund sent, customer called back", "--by", "Ben"]) == 0
    assert capsys.readouterr().out.strip() == f"case #{late} closed: Refund sent, customer called back"
    shown = _json(capsys, "cases", "show", str(late), "--json")
    assert (shown["status"], shown["owner"], shown["outcome"]) == (
        "closed", "customer_service", "Refund sent, customer called back")
    assert shown["closed_at"] and shown["customer_ref"] == "C-1"
    assert [(e["kind"], e["by"], e["from"], e["to"]) for e in shown["history"]] == [
        ("opened", "siloscope", None, "delivery"),
        ("status", "Ana", "open", "in_progress"),
        ("owner", "Ana", "delivery", "customer_service"),
        ("note", "Ana", None, None),
        ("closed", "Ben", "in_progress", "closed"),
    ]
    assert [r["id"] for r in _json(capsys, "cases", "list", "--status", "closed", "--json")] == [late]
    assert late not in [r["id"] for r in _json(capsys, "cases", "list", "--json")]

    assert main(["cases", "show", str(late)]) == 0
    text = capsys.readouterr().out
    assert f"Case #{late}: closed, owned by customer_service" in text
    assert "http://localhost:8000/dashboard/responses/" in text and "Courier lost it" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["cases", "show", "999"], "no case #999"),
    (["cases", "show", "abc"], "a case number is a whole number"),
    (["cases", "list", "--silo", "billing"], "unknown silo 'billing'"),
    (["cases", "list", "--status", "done"], "unknown status 'done'"),
    (["cases", "update", "{late}", "--status", "done", "--by", "a"], "unknown status 'done'"),
    (["cases", "update", "{late}", "--status", "closed", "--by", "a"], "use close"),
    (["cases", "update", "{late}", "--owner", "billing", "--by", "a"], "unknown silo 'billing'"),
    (["cases", "update", "{late}", "--status", "open", "--by", "a"], "nothing to change"),
    (["cases", "update", "{late}", "--note", "  ", "--by", "a"], "the note is empty"),
    (["cases", "update", "999", "--note", "x", "--by", "a"], "no case #999"),
    (["cases", "close", "{late}", "--outcome", " ", "--by", "a"], "the outcome is empty"),
    (["cases", "close", "{closed}", "--outcome", "again", "--by", "a"], "is already closed"),
])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    two_cases: tuple[int, int], tmp_database: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    late, billed = two_cases
    assert main(["cases", "close", str(billed), "--outcome", "Invoice corrected", "--by", "Ben"]) == 0
    capsys.readouterr()
    before = count(tmp_database, CaseEvent)
    with db_session(tmp_database) as session:
        state = [(c.status, c.owner, c.outcome) for c in session.scalars(select(Case).order_by(Case.id))]
    assert main([a.format(late=late, closed=billed) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("siloscope cases: ") and message in err and "\n" not in err
    assert count(tmp_database, CaseEvent) == before
    with db_session(tmp_database) as session:
        assert [(c.status, c.owner, c.outcome) for c in session.scalars(select(Case).order_by(Case.id))] == state

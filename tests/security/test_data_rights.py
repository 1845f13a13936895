"""A customer's rights through the CLI: a copy of everything stored about them, and its erasure.

The store is filled as the product fills it: a signed-webhook event (survey trigger in the
outbox), two chats through the feedback service (an alert for the negative one), an answer
waiting in the spool while the database was down, and the messages the callback channel sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.channels.events import TouchpointEventIn
from bot.channels.intake import accept_event
from bot.cli import main
from bot.feedback import Answers, ConversationRef, FeedbackService, get_feedback_service
from bot.privacy.files import open_private
from bot.settings import PROJECT_ROOT, get_settings
from bot.store.db import engine_for, session_factory
from bot.store.models import utcnow
from bot.store.spool import Spool
from bot.taxonomy import load_taxonomy
from tests.security.data_support import cli_env, database_dump, siloscope

ALPHA, BETA = "cust-alpha", "cust-beta"
ALPHA_WORDS = ["Zanzibar", "Quixotic", "ORD-7781", "TCK-5521", "Marmalade"]


@pytest.fixture
def store(tmp_path: Path, tmp_database: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for variable in ("SILOSCOPE_SLACK_WEBHOOK_URL", "SILOSCOPE_TEAMS_WEBHOOK_URL"):  # so alerts are queued
        monkeypatch.setenv(variable, "http://127.0.0.1:9/alerts")
    factory = session_factory(engine_for(tmp_database))
    accept_event(factory, TouchpointEventIn(
        event_id="evt-1", source="stripe", touchpoint="invoice", silo="finance", occurred_at=utcnow(),
        customer_ref=ALPHA, channel="email", order_id="ORD-7781"), get_settings().webhooks)
    service = get_feedback_service()
    survey = ConversationRef(key=ALPHA, sender_id=ALPHA, customer_ref=ALPHA, touchpoint="invoice", channel="email",
                             order_id="ORD-7781")
    service.record(survey, Answers(score=1, text="I was charged twice, Zanzibar is my pet name for this mess."))
    service.finish(survey)
    widget = ConversationRef(key="web-1", sender_id="web-1", customer_ref=ALPHA, touchpoint="support", channel="web",
                             ticket_id="TCK-5521")
    service.record(widget, Answers(score=4, text="Support was Quixotic but kind."))
    service.finish(widget)
    other = ConversationRef(key=BETA, sender_id=BETA, customer_ref=BETA, touchpoint="delivery", channel="email")
    service.record(other, Answers(score=2, text="The parcel came a week late, Beetroot."))
    service.finish(other)
    unreachable = "postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2"
    spool = Spool(tmp_path / "var" / "spool" / "feedback.jsonl")
    down = FeedbackService(unreachable, load_taxonomy(), spool)
    down.record(survey, Answers(probe_text="Refund it, Marmalade."))
    down.record(other, Answers(probe_text="Just faster, Beetroot."))
    with open_private(tmp_path / "var" / "customer_messages.jsonl") as inbox:
        for recipient in (ALPHA, BETA, ALPHA):
            inbox.write(json.dumps({"received_at": "2026-12-01T10:00:00+00:00", "recipient_id": recipient,
                                    "text": f"How did we do, {recipient}?"}) + "\n")
    env = cli_env(tmp_path)
    env["DATABASE_URL"] = tmp_database
    return env


def totals(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["report", "--format", "json", "--by", "touchpoint"]) == 0
    report = json.loads(capsys.readouterr().out)
    return {"total": report["total"]["metrics"], "rows": {r["key"]: r["metrics"] for r in report["rows"]}}


def test_export_gives_the_customer_everything_stored_about_them_and_nothing_else(store: dict[str, str]) -> None:
    done = siloscope(store, "customer", "export", ALPHA)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["customer"]["ref"] == ALPHA
    assert [e["event_id"] for e in document["events"]] == ["evt-1"]
    assert {c["key"] for c in document["conversations"]} == {ALPHA, "web-1"}
    assert sorted(r["text"] for r in document["responses"]) == [
        "I was charged twice, Zanzibar is my pet name for this mess.", "Support was Quixotic but kind."]
    assert {m["kind"] for m in document["outbox"]} == {"trigger", "alert"}
    assert [r["data"]["probe_text"] for r in document["spooled"]] == ["Refund it, Marmalade."]
    assert len(document["messages_sent"]) == 2
    assert BETA not in done.stdout and "Beetroot" not in done.stdout
    unknown = siloscope(store, "customer", "export", "cust-nobody")
    assert unknown.returncode == 2 and "nothing is stored about customer 'cust-nobody'" in unknown.stderr


def test_erase_refuses_without_yes_when_nobody_can_confirm(store: dict[str, str]) -> None:
    before = database_dump(store["DATABASE_URL"])
    done = siloscope(store, "customer", "erase", ALPHA)  # stdin is not a terminal
    assert done.returncode == 2 and "--yes" in done.stderr and "Traceback" not in done.stderr
    assert database_dump(store["DATABASE_URL"]) == before


def test_erase_removes_the_customer_everywhere_and_keeps_the_counts_honest(
    store: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = totals(capsys)
    done = siloscope(store, "customer", "erase", ALPHA, "--yes", "--by", "dpo@example.com")
    assert done.returncode == 0, done.stderr
    assert f"erased customer {ALPHA!r}" in done.stdout
    dump = database_dump(store["DATABASE_URL"])
    files = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "var").rglob("*.jsonl"))
    for trace in [ALPHA, *ALPHA_WORDS, "web-1"]:
        assert trace not in dump and trace not in files, trace
    assert "Beetroot" in dump and BETA in files  # the other customer is untouched
    assert totals(capsys) == before  # scores, silos and volumes stay for the reports
    again = siloscope(store, "customer", "export", ALPHA)
    assert again.returncode == 2 and "nothing is stored" in again.stderr
    assert main(["customer", "audit"]) == 0
    (audit,) = json.loads(capsys.readouterr().out)
    assert (audit["action"], audit["actor"]) == ("erase", "dpo@example.com")
    assert audit["subject"] == hashlib.sha256(ALPHA.encode()).hexdigest()[:32]
    assert audit["counts"]["responses"] == 2 and audit["counts"]["spooled"] == 1
    assert audit["counts"]["messages_sent"] == 2 and audit["counts"]["outbox"] >= 2


def _erase_on_a_terminal(env: dict[str, str], typed: bytes) -> subprocess.CompletedProcess[str]:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "customer", "erase", ALPHA], cwd=PROJECT_ROOT,
                                   env=env, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(controller, typed)
        out, err = process.communicate(timeout=120)
    finally:
        os.close(terminal)
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_erase_on_a_terminal_asks_and_only_the_right_answer_erases(store: dict[str, str]) -> None:
    wrong = _erase_on_a_terminal(store, b"yes\n")
    assert wrong.returncode == 1 and "not confirmed" in wrong.stderr
    assert "Zanzibar" in database_dump(store["DATABASE_URL"])
    right = _erase_on_a_terminal(store, ALPHA.encode() + b"\n")
    assert right.returncode == 0, right.stderr
    assert "2 responses" in right.stderr  # it said what it was about to erase
    assert "Zanzibar" not in database_dump(store["DATABASE_URL"])

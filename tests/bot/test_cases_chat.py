"""The chat's door: "talk to a human" as the action server runs it opens the case and queues its alert at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.interruptions import ActionRequestHuman
from bot.store.models import Case, OutboxMessage
from tests.support.database import db_session
from tests.support.trackers import load_domain, make_tracker, run

MID_SURVEY = {"conversation_id": "conv-h", "customer_ref": "C-55", "touchpoint": "invoice", "ticket_id": "T-55",
              "requested_slot": "feedback_text", "score": 2}


def test_talk_to_a_human_opens_a_case_and_queues_an_alert_with_its_link(
    tmp_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILOSCOPE_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/helpdesk")
    tracker = make_tracker(text="talk to a human", intent="request_human", slots=MID_SURVEY,
                           active_loop="feedback_form")
    run(ActionRequestHuman(), tracker, load_domain())

    with db_session(tmp_database) as session:
        [case] = session.scalars(select(Case)).all()
        [alert] = session.scalars(select(OutboxMessage)).all()
        assert (case.owner, case.reason, case.status) == ("finance", "asked for a person", "open")
        assert (alert.kind, alert.destination, alert.status) == ("alert", "helpdesk", "pending")
        assert alert.dedupe_key == f"alert:{case.response_id}:person:helpdesk"
        assert alert.payload["case_link"] == f"http://localhost:8000/dashboard/cases/{case.id}"
        assert alert.payload["reasons"] == ["asked for a person"] and alert.payload["touchpoint"] == "invoice"

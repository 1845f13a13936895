"""Cases opened through the feedback service's door: a request for a person at once, an alert-worthy answer
when it is finished; one case per response, whatever is replayed; erased with the customer."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.store.models import Case, CaseEvent, OutboxMessage
from tests.support.database import count, db_session, only_response

REF = ConversationRef(key="case-1", sender_id="case-sender", customer_ref="C-7", touchpoint="delivery", channel="web")


@pytest.fixture
def alert_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped routes, with URLs: ``default`` goes to Slack and the helpdesk, ``finance`` to Teams and it."""
    for name in ("SILOSCOPE_SLACK_WEBHOOK_URL", "SILOSCOPE_TEAMS_WEBHOOK_URL", "SILOSCOPE_ALERT_WEBHOOK_URL"):
        monkeypatch.setenv(name, f"http://127.0.0.1:9/{name.lower()}")


def _cases(url: str) -> list[Case]:
    with db_session(url) as session:
        cases = list(session.scalars(select(Case).order_by(Case.id)))
        for case in cases:
            _ = list(case.events)
        return cases


def _alerts(url: str) -> dict[str, dict]:
    with db_session(url) as session:
        return {m.dedupe_key: m.payload for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def test_asking_for_a_person_opens_a_case_and_alerts_its_owner_before_the_survey_ends(
    tmp_database: str, alert_routes: None
) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=3))
    service.request_human(REF)

    response = only_response(tmp_database)
    assert response.status == "partial"  # the survey may go on
    [case] = _cases(tmp_database)
    assert (case.response_id, case.owner, case.reason, case.status) == (
        response.id, "delivery", "asked for a person", "open")  # nobody blamed yet: the touchpoint's silo
    assert case.customer_id == response.customer_id
    assert case.due_at - case.opened_at == timedelta(hours=4)
    assert [(e.kind, e.actor, e.to_value) for e in case.events] == [("opened", "siloscope", "delivery")]
    alerts = _alerts(tmp_database)
    assert sorted(alerts) == [f"alert:{response.id}:person:helpdesk", f"alert:{response.id}:person:slack"]
    payload = alerts[f"alert:{response.id}:person:slack"]
    assert payload["reasons"] == ["asked for a person"] and payload["silo"] == "delivery"
    assert (payload["case_id"], payload["case_link"]) == (case.id, f"http://localhost:8000/dashboard/cases/{case.id}")


def test_the_request_replayed_from_the_spool_opens_and_sends_nothing_twice(
    tmp_database: str, alert_routes: None
) -> None:
    service = get_feedback_service()
    service.request_human(REF)
    service.request_human(REF)  # the chat repeating itself
    service.spool.append({"op": "request_human", "ref": dataclasses.asdict(REF), "data": {}})  # an outage's leftover
    assert service.replay_spool() == 1
    assert count(tmp_database, Case) == 1 and count(tmp_database, CaseEvent) == 1
    assert len(_alerts(tmp_database)) == 2


def test_the_owner_is_the_department_the_words_blame(tmp_database: str, alert_routes: None) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=2, text="I was charged twice and the invoice is wrong."))
    service.request_human(REF)
    [case] = _cases(tmp_database)
    assert case.owner == "finance"
    assert {key.rsplit(":", 1)[1] for key in _alerts(tmp_database) if ":person:" in key} == {"teams", "helpdesk"}


def test_a_finished_answer_over_the_thresholds_adds_its_reasons_to_the_same_case(
    tmp_database: str, alert_routes: None
) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=3))
    service.request_human(REF)
    service.record(REF, Answers(score=1, text="I was charged twice and the invoice is wrong. Terrible."))
    service.finish(REF)
    service.finish(REF)  # stored again: nothing new

    [case] = _cases(tmp_database)
    assert case.owner == "delivery"  # kept: the department alerted first owns it until somebody moves it
    assert case.reason.startswith("asked for a person; ") and "low score" in case.reason
    assert case.due_at - case.opened_at == timedelta(hours=4)  # the nearer due time stays
    assert [e.kind for e in case.events] == ["opened", "reason"]
    threshold_alerts = {k: v for k, v in _alerts(tmp_database).items() if ":person:" not in k}
    assert threshold_alerts and {p["case_id"] for p in threshold_alerts.values()} == {case.id}


def test_an_answer_over_the_thresholds_alone_opens_a_case_due_later(tmp_database: str, alert_routes: None) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=1, text="The parcel arrived a week late and broken."))
    service.finish(REF)
    [case] = _cases(tmp_database)
    assert case.owner == "delivery" and "low score" in case.reason and "asked for a person" not in case.reason
    assert case.due_at - case.opened_at == timedelta(hours=48)
    assert all(p["case_link"].endswith(f"/dashboard/cases/{case.id}") for p in _alerts(tmp_database).values())


def test_a_happy_answer_opens_no_case(tmp_database: str, alert_routes: None) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=5, text="Quick delivery, friendly driver."))
    service.finish(REF)
    assert count(tmp_database, Case) == 0


def test_erasing_the_customer_erases_their_cases_and_notes(
    tmp_database: str, alert_routes: None, capsys: pytest.CaptureFixture[str]
) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=1, text="The parcel arrived late."))
    service.request_human(REF)
    [case] = _cases(tmp_database)
    assert main(["cases", "update", str(case.id), "--note", "Called Jane Doe on 0171 555 0100", "--by", "ana"]) == 0
    assert main(["customer", "export", "C-7"]) == 0
    exported = capsys.readouterr().out
    assert '"reason": "asked for a person"' in exported and "Called Jane Doe" in exported

    assert main(["customer", "erase", "C-7", "--yes", "--by", "dpo"]) == 0
    assert count(tmp_database, Case) == 0 and count(tmp_database, CaseEvent) == 0
    assert _alerts(tmp_database) == {}
    assert main(["customer", "audit"]) == 0
    assert "cases" in capsys.readouterr().out


def test_the_retention_window_erases_old_notes_and_outcomes_and_keeps_the_case(
    tmp_database: str, alert_routes: None
) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=1, text="The parcel arrived late."))
    service.request_human(REF)
    [case] = _cases(tmp_database)
    assert main(["cases", "update", str(case.id), "--note", "Jane Doe, 12 High Street", "--by", "ana"]) == 0
    assert main(["cases", "close", str(case.id), "--outcome", "Refund to Jane Doe", "--by", "ana"]) == 0
    long_ago = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=400)
    with db_session(tmp_database) as session:
        session.execute(update(CaseEvent).values(at=long_ago))
        session.execute(update(Case).values(closed_at=long_ago))
        session.commit()
    assert main(["customer", "purge-expired", "--by", "ops"]) == 0
    [case] = _cases(tmp_database)
    assert (case.status, case.owner, case.outcome) == ("closed", "delivery", None)
    assert [e.note for e in case.events if e.kind in ("note", "closed")] == [None, None]


def test_with_no_department_named_or_known_the_configured_default_owns_the_case(
    tmp_database: str, alert_routes: None
) -> None:
    nowhere = ConversationRef(key="case-2", sender_id="case-2", customer_ref="C-8", touchpoint=None, channel="web")
    get_feedback_service().request_human(nowhere)
    [case] = _cases(tmp_database)
    assert case.owner == "customer_service"

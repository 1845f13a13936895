"""The feedback service: every answer stored at once, idempotently, and never lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.feedback import Answers, ConversationRef, FeedbackService, get_feedback_service
from bot.store.models import Attribution, Conversation, Customer, FeedbackResponse
from bot.store.spool import Spool
from bot.taxonomy import load_taxonomy
from tests.support.database import count, db_session, only_response

REF = ConversationRef(key="conv-1", sender_id="sender-1", customer_ref="C-42", touchpoint="delivery", channel="web")


def test_a_score_alone_is_stored_as_a_partial_response(tmp_database: str) -> None:
    get_feedback_service().record(REF, Answers(score=2))
    response = only_response(tmp_database)
    assert (response.score, response.status, response.touchpoint, response.touchpoint_silo) == (
        2,
        "partial",
        "delivery",
        "delivery",
    )


def test_storing_the_same_turn_twice_gives_one_row(tmp_database: str) -> None:
    service = get_feedback_service()
    for _ in range(2):
        service.record(REF, Answers(score=4))
        service.record(REF, Answers(text="The invoice charged me twice for one order."))
    assert count(tmp_database, Conversation) == 1
    assert count(tmp_database, FeedbackResponse) == 1
    assert count(tmp_database, Customer) == 1
    response = only_response(tmp_database)
    assert response.score == 4
    assert [a.rank for a in response.attributions] == list(range(1, len(response.attributions) + 1))


def test_open_text_is_analysed_for_sentiment_and_silo(tmp_database: str) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=1, text="I was charged twice and the invoice is wrong. Terrible."))
    service.finish(REF)
    response = only_response(tmp_database)
    assert response.status == "complete"
    assert response.polarity is not None and response.subjectivity is not None
    assert response.sentiment_label == "negative"
    assert response.primary_silo == "finance"
    assert response.attributions[0].silo == "finance"
    assert 0 < response.attributions[0].confidence <= 1


def test_changed_text_replaces_the_old_analysis(tmp_database: str) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(text="The invoice was wrong."))
    service.record(REF, Answers(text="The parcel arrived a week late."))
    assert only_response(tmp_database).primary_silo == "delivery"
    assert count(tmp_database, Attribution) == len(only_response(tmp_database).attributions)


def test_text_in_another_language_is_kept_but_not_analysed(tmp_database: str) -> None:
    get_feedback_service().record(REF, Answers(text="El paquete llegó tarde y roto", language="es"))
    response = only_response(tmp_database)
    assert (response.text, response.language, response.primary_silo) == ("El paquete llegó tarde y roto", "es", None)


def test_opt_out_is_remembered_for_the_customer(tmp_database: str) -> None:
    service = get_feedback_service()
    assert not service.is_opted_out("C-42")
    service.opt_out(REF)
    assert service.is_opted_out("C-42")
    with db_session(tmp_database) as session:
        assert session.execute(select(Conversation.status)).scalar_one() == "opted_out"


def test_a_request_for_a_human_is_recorded(tmp_database: str) -> None:
    get_feedback_service().request_human(REF)
    with db_session(tmp_database) as session:
        assert session.execute(select(Conversation.human_requested)).scalar_one() is True


def test_feedback_is_spooled_while_the_database_is_down_and_replayed_after(tmp_path: Path, tmp_database: str) -> None:
    unreachable = "postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2"  # nothing listens on port 9
    spool = Spool(tmp_path / "spool.jsonl")
    down = FeedbackService(unreachable, load_taxonomy(), spool)
    down.record(REF, Answers(score=3))
    down.record(REF, Answers(text="Nobody answered the phone for an hour."))
    assert spool.pending()

    up = FeedbackService(tmp_database, load_taxonomy(), spool)
    up.finish(REF)
    assert not spool.pending()
    response = only_response(tmp_database)
    assert (response.score, response.text, response.status) == (3, "Nobody answered the phone for an hour.", "complete")


@pytest.mark.parametrize("bad", ["", None])
def test_is_opted_out_without_a_customer_is_false(tmp_database: str, bad: str | None) -> None:
    assert get_feedback_service().is_opted_out(bad) is False


def test_a_finished_negative_response_queues_one_alert_for_its_silo(
    tmp_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store.models import OutboxMessage

    monkeypatch.setenv("SILOSCOPE_TEAMS_WEBHOOK_URL", "http://127.0.0.1:9/teams")
    monkeypatch.delenv("SILOSCOPE_ALERT_WEBHOOK_URL", raising=False)
    service = get_feedback_service()
    service.record(REF, Answers(score=1, text="I was charged twice and the invoice is wrong."))
    assert count(tmp_database, OutboxMessage) == 0  # partial: the customer may still be typing
    service.finish(REF)
    service.finish(REF)  # the same turn again
    with db_session(tmp_database) as session:
        alerts = session.execute(select(OutboxMessage)).scalars().all()
    assert [(a.kind, a.destination) for a in alerts] == [("alert", "teams")]
    assert alerts[0].payload["silo"] == "finance"


def test_restart_forgets_the_answers_but_keeps_the_conversation(tmp_database: str) -> None:
    service = get_feedback_service()
    service.record(REF, Answers(score=1, text="The invoice was wrong.", probe_text="Check it first.", effort=2))
    service.finish(REF)
    service.restart(REF)
    service.record(REF, Answers(score=5))
    response = only_response(tmp_database)
    assert (response.score, response.text, response.probe_text, response.effort) == (5, None, None, None)
    assert (response.status, response.primary_silo, response.attributions) == ("partial", None, [])
    assert count(tmp_database, Conversation) == 1


def test_a_follow_up_is_added_once_and_analysed_even_through_the_spool(tmp_path: Path, tmp_database: str) -> None:
    """What the customer adds after the thanks joins the same response; a replayed turn is not added twice."""
    service = get_feedback_service()
    service.record(REF, Answers(score=4, text="It came on time."))
    service.finish(REF)
    spool = Spool(tmp_path / "spool.jsonl")
    down = FeedbackService("postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2", load_taxonomy(), spool)
    down.add_follow_up(REF, "Also: the driver was rude and threw the parcel.")
    assert spool.pending()
    up = FeedbackService(tmp_database, load_taxonomy(), spool)
    up.add_follow_up(REF, "Also: the driver was rude and threw the parcel.")  # the same turn, retried
    assert not spool.pending()
    response = only_response(tmp_database)
    assert response.text == "It came on time.\nAlso: the driver was rude and threw the parcel."
    assert (response.status, response.sentiment_label) == ("complete", "negative")

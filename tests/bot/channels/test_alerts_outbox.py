"""Department alerts: which responses alert whom, and delivery through the outbox to local Slack/Teams/helpdesk."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.alerts import enqueue_alerts
from bot.channels.outbox import deliver_due
from bot.channels.signing import siloscope_signature
from bot.channels.transports import Transports
from bot.cli import main
from bot.settings import get_settings
from bot.store.models import Attribution, Conversation, Customer, FeedbackResponse, OutboxMessage

from .conftest import SECRETS, FakePeer

COMPLAINT = ("I was charged twice, mail me at jane.doe@example.com or call +44 20 7946 0958; "
             "my card 4111 1111 1111 1111 was billed for order 48213977.")


def store_response(sessions, key: str, *, score: int, text: str, attributions: list[tuple[str, float, float]],
                   status: str = "complete", touchpoint: str = "invoice", **extra: Any) -> int:  # type: ignore[no-untyped-def]
    """A finished response as the feedback service stores it, and the alert hook called in its transaction."""
    with sessions.begin() as session:
        customer = Customer(ref=f"cust-{key}")
        session.add(customer)
        session.flush()
        conversation = Conversation(key=key, sender_id=customer.ref, customer_id=customer.id, touchpoint=touchpoint)
        session.add(conversation)
        session.flush()
        sure = [(silo, conf) for silo, conf, _ in attributions if conf >= 0.35]
        primary, confidence = sure[0] if sure else ("unattributed", None)
        response = FeedbackResponse(
            conversation_id=conversation.id, customer_id=customer.id, touchpoint=touchpoint,
            touchpoint_silo={"invoice": "finance", "delivery": "delivery"}.get(touchpoint), score=score, text=text,
            status=status, primary_silo=primary, primary_confidence=confidence,
            sentiment_score=-0.6 if score <= 2 else 0.5,
            sentiment_label="negative" if score <= 2 else "positive", **extra,
        )
        response.attributions = [
            Attribution(rank=rank, silo=silo, confidence=conf, sentiment_score=sent,
                        sentiment_label="negative" if sent < 0 else "positive", evidence=None)
            for rank, (silo, conf, sent) in enumerate(attributions, start=1)
        ]
        session.add(response)
        session.flush()
        enqueue_alerts(session, response)
        return response.id


def retry(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["outbox", "retry", *args])
    return code, capsys.readouterr().out


def test_negative_response_alerts_its_silo_with_redacted_quote_and_link(
    sessions, peers: dict[str, FakePeer], capsys: pytest.CaptureFixture[str]
) -> None:
    response_id = store_response(sessions, "r1", score=1, text=COMPLAINT, attributions=[("finance", 0.9, -0.7)])
    code, out = retry(capsys)
    assert code == 0, out
    assert "2 delivered" in out

    card = peers["teams"].wait_for(1)[0].json
    assert peers["teams"].received[0].path == "/workflows/1"
    content = card["attachments"][0]["content"]
    assert content["type"] == "AdaptiveCard"
    text = json.dumps(content)
    assert "[email]" in text and "[phone]" in text and "[card]" in text and "48213977" in text
    assert "jane.doe" not in text and "4111" not in text and "7946" not in text
    assert {"title": "Silo", "value": "finance"} in content["body"][1]["facts"]
    assert {"title": "Score", "value": "1/5"} in content["body"][1]["facts"]
    assert content["actions"][0]["url"] == f"http://localhost:8000/dashboard/responses/{response_id}"

    hook = peers["helpdesk"].wait_for(1)[0]
    secret = SECRETS["SILOSCOPE_ALERT_WEBHOOK_SECRET"]
    assert hook.headers["X-Siloscope-Signature"] == siloscope_signature(secret, hook.body)
    assert hook.headers["X-Siloscope-Delivery"] == f"alert:{response_id}:finance:helpdesk"
    alert = hook.json
    assert (alert["event"], alert["silo"], alert["score"], alert["touchpoint"]) == (
        "siloscope.alert", "finance", 1, "invoice")
    assert alert["reasons"] == ["negative about this department", "low score", "negative feedback"]
    assert alert["quote"].startswith("I was charged twice, mail me at [email] or call [phone]")
    assert peers["slack"].received == []


def test_storing_the_same_response_again_adds_no_alert(sessions, peers, capsys) -> None:
    response_id = store_response(sessions, "r1", score=2, text="Billing was a mess",
                                 attributions=[("finance", .8, -.5)])
    with sessions.begin() as session:
        again = session.get(FeedbackResponse, response_id)
        assert enqueue_alerts(session, again) == 0
    with sessions() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 2
    assert retry(capsys)[0] == 0
    assert len(peers["teams"].received) == 1 and len(peers["helpdesk"].received) == 1


def test_which_responses_alert_whom(sessions, peers, capsys) -> None:
    # Happy customer: nobody is told.
    store_response(sessions, "happy", score=5, text="Great service", attributions=[("customer_service", .9, .8)])
    # Still typing: partial responses wait for the finished one.
    store_response(sessions, "partial", score=1, text="Awful", attributions=[("finance", .9, -.9)], status="partial")
    # A good score, but harsh words about delivery: delivery (default route: Slack + helpdesk) hears it.
    store_response(sessions, "mixed", score=4, text="Nice product but the courier threw it over the fence",
                   touchpoint="delivery", attributions=[("product", .7, .6), ("delivery", .6, -.6)])
    # Too unsure to blame anyone: no alert to that silo, the touchpoint owner hears the low score.
    store_response(sessions, "unsure", score=1, text="meh", attributions=[("legal", .1, -.8)])
    # Easy score, but the customer had to call four times: high friction for the primary silo.
    store_response(sessions, "friction", score=3, text="Took four calls", contact_count=4,
                   attributions=[("customer_service", .8, 0.1)])
    with sessions() as session:
        keys = sorted(session.scalars(select(OutboxMessage.dedupe_key)))
    silos = sorted({key.split(":")[2] for key in keys})
    assert silos == ["customer_service", "delivery", "finance"]
    assert len(keys) == 6
    assert retry(capsys)[0] == 0
    slack = [r.json for r in peers["slack"].wait_for(2)]
    silo_fields = sorted(b["blocks"][1]["fields"][0]["text"] for b in slack)
    assert silo_fields == ["*Silo*\ncustomer_service", "*Silo*\ndelivery"]
    friction = next(b for b in slack if "customer_service" in b["text"])
    assert "repeat contact" in friction["text"]


def test_peer_down_then_up_every_alert_arrives_exactly_once(sessions, peers, capsys) -> None:
    peers["slack"].stop()
    peers["teams"].status = 503
    for n in range(3):
        store_response(sessions, f"fin{n}", score=1, text=f"Invoice {n} wrong", attributions=[("finance", .9, -.6)])
        store_response(sessions, f"del{n}", score=1, text=f"Parcel {n} late", touchpoint="delivery",
                       attributions=[("delivery", .9, -.6)])
    code, out = retry(capsys)
    assert code == 1  # something is still owed
    assert len(peers["helpdesk"].received) == 6  # the healthy peer is not held up by the others
    with sessions() as session:
        owed = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
    assert len(owed) == 6
    # A peer that fails is tried once a pass, saying why; its other alerts wait untried (not hammered).
    tried = {m.destination: m.last_error for m in owed if m.attempts}
    assert sorted(m.attempts for m in owed) == [0, 0, 0, 0, 1, 1]
    assert "slack unreachable" in tried["slack"] and "teams answered 503" in tried["teams"], tried
    assert all(m.last_error is None for m in owed if not m.attempts)
    time.sleep(0.5)
    retry(capsys)  # still down: more attempts, still nothing lost
    peers["slack"].start()
    peers["teams"].status = 200
    time.sleep(0.5)
    code, out = retry(capsys)
    assert code == 0, out
    time.sleep(0.5)
    assert retry(capsys)[0] == 0  # nothing left to send twice

    slack_quotes = sorted(r.json["blocks"][2]["text"]["text"] for r in peers["slack"].received)
    teams_quotes = sorted(r.json["attachments"][0]["content"]["body"][2]["inlines"][0]["text"]
                          for r in peers["teams"].received)
    assert slack_quotes == [f"> Parcel {n} late" for n in range(3)]
    assert teams_quotes == [f"“Invoice {n} wrong”" for n in range(3)]
    deliveries = [r.headers["X-Siloscope-Delivery"] for r in peers["helpdesk"].received]
    assert len(deliveries) == len(set(deliveries)) == 6
    with sessions() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"delivered"}


def test_dead_letter_after_max_attempts_then_revived(sessions, peers, capsys) -> None:
    peers["teams"].stop()
    store_response(sessions, "dead", score=1, text="Overcharged", attributions=[("finance", .9, -.6)])
    for _ in range(4):  # max_attempts is 4 in the test config
        retry(capsys)
        time.sleep(0.45)
    assert main(["outbox", "list", "--status", "dead", "--json"]) == 0
    dead = json.loads(capsys.readouterr().out)
    assert [(m["destination"], m["attempts"]) for m in dead] == [("teams", 4)]
    assert "unreachable" in dead[0]["last_error"]

    peers["teams"].start()
    code, out = retry(capsys)
    assert "0 delivered" in out and peers["teams"].received == []  # dead letters wait for a person
    code, out = retry(capsys, "--dead")
    assert code == 0 and "revived 1" in out and "1 delivered" in out
    assert len(peers["teams"].wait_for(1)) == 1

    assert main(["outbox", "list"]) == 0
    table = capsys.readouterr().out
    assert "delivered" in table and "teams" in table and "helpdesk" in table


def test_retry_of_an_unknown_id_is_a_usage_error(sessions, capsys) -> None:
    assert main(["outbox", "retry", "--id", "999"]) == 2
    assert "no outbox message with id 999" in capsys.readouterr().err
    assert main(["outbox", "list", "--limit", "0"]) == 2


def test_two_workers_never_send_the_same_alert_twice(sessions, peers, channel_env) -> None:
    peers["helpdesk"].delay = 0.2
    for n in range(4):
        store_response(sessions, f"c{n}", score=1, text="bad", attributions=[("delivery", .9, -.6)])
    settings = get_settings()
    transports = Transports(settings.webhooks, settings.alerts, settings.outbox)
    workers = [threading.Thread(target=deliver_due, args=(sessions, transports.send, settings.outbox))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    deliveries = [r.headers["X-Siloscope-Delivery"] for r in peers["helpdesk"].received]
    assert len(deliveries) == len(set(deliveries)) == 4
    assert len(peers["slack"].received) == 4

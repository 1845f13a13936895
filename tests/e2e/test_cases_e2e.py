"""A case worked from the alert to closed, through the real doors: the chat, the helpdesk alert, the dashboard.

The product runs as ``make run`` starts it, with the generic alert webhook (the ``helpdesk``
destination) pointed at a local receiver. A customer asks for a person in the middle of a survey;
the department's alert arrives (before the survey is over) carrying the case's link; a manager opens
that link in a browser, takes the case, hands it to another department with a note, and closes it
with the outcome; the queue and the CLI then show it closed, every step in its history.

The same product runs with the optional NPS question turned on (``conversation.ask_nps``), so a
whole survey through the chat door shows the question asked last and its answer stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import select

from bot.settings import PROJECT_ROOT
from bot.store.models import Conversation, FeedbackResponse
from tests.support.database import db_session
from tests.support.stack import CallbackSink, RunningStack, started

pytestmark = pytest.mark.e2e

ALERT_SECRET = "e2e-alert-secret"


@pytest.fixture(scope="module")
def helpdesk() -> Iterator[CallbackSink]:
    """The department's helpdesk webhook, played by a local receiver."""
    sink = CallbackSink()
    yield sink
    sink.server.shutdown()


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory, helpdesk: CallbackSink) -> Iterator[RunningStack]:
    var = tmp_path_factory.mktemp("cases-stack")
    config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
    config["conversation"] = {**config.get("conversation", {}), "ask_nps": True}
    (var / "siloscope.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with started(var, SILOSCOPE_ALERT_WEBHOOK_URL=helpdesk.url, SILOSCOPE_ALERT_WEBHOOK_SECRET=ALERT_SECRET,
                 SILOSCOPE_CONFIG=str(var / "siloscope.yml")) as (running, sink):
        yield RunningStack(running.config, running.config.env["DATABASE_URL"], var, sink)


def _alert(helpdesk: CallbackSink, customer_reason: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in helpdesk.messages:
            if customer_reason in (message.get("reasons") or []):
                return message
        time.sleep(0.3)
    raise AssertionError(f"no alert for {customer_reason!r} within {timeout}s: {helpdesk.messages}")


def _cli(product: RunningStack, *argv: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", *argv], env={**os.environ, **product.config.env},
                          capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    return done.stdout


def test_a_request_for_a_person_is_worked_from_the_alert_to_closed(product: RunningStack, helpdesk: CallbackSink,
                                                                    browser) -> None:
    sender = f"case-{uuid.uuid4().hex[:8]}"
    product.start_survey(sender, "delivery", "C-CASE-1", order_id="A-99")
    product.say(sender, "2")
    product.say(sender, "The parcel came a week late and the box was crushed.")
    product.say(sender, "talk to a human")

    alert = _alert(helpdesk, "asked for a person")
    assert alert["event"] == "siloscope.alert" and alert["silo"] == "delivery" and alert["score"] == 2
    assert "week late" in alert["quote"]
    case_path = urlsplit(alert["case_link"]).path
    assert case_path == f"/dashboard/cases/{alert['case_id']}"
    cases = json.loads(_cli(product, "cases", "list", "--json"))
    assert [(c["id"], c["status"], c["owner"]) for c in cases] == [(alert["case_id"], "open", "delivery")]

    token = product.config.env["SILOSCOPE_DASHBOARD_TOKEN"]
    page = browser.new_page()
    try:
        page.goto(f"{product.config.web_url}{case_path}?token={token}")
        assert page.url == f"{product.config.web_url}{case_path}"  # the token left the address bar
        assert "asked for a person" in page.inner_text("#case")
        assert "week late" in page.inner_text("main")
        response_link = page.get_attribute("#case a[href^='/dashboard/responses/']", "href")
        assert response_link == f"/dashboard/responses/{alert['response_id']}"

        page.select_option("#update select[name=status]", "in_progress")
        page.select_option("#update select[name=owner]", "customer_service")
        page.fill("#update textarea[name=note]", "Courier confirmed the damage; calling the customer")
        page.fill("#update input[name=by]", "Ana (delivery)")
        page.click("#update button[type=submit]")
        page.wait_for_url(f"**{case_path}")
        assert "in progress" in page.inner_text("#case") and "customer_service" in page.inner_text("#case")

        page.fill("#close textarea[name=outcome]", "Replacement sent, customer called back")
        page.fill("#close input[name=by]", "Ben (customer service)")
        page.click("#close button[type=submit]")
        page.wait_for_url(f"**{case_path}")
        summary = page.inner_text("#case")
        assert "closed" in summary and "Replacement sent, customer called back" in summary
        history = page.inner_text("#history")
        for step in ("siloscope · opened", "Ana (delivery) · status", "Ana (delivery) · owner",
                     "Ana (delivery) · note", "Ben (customer service) · closed"):
            assert step in history, history

        page.goto(f"{product.config.web_url}/dashboard/cases?status=closed")
        assert page.locator(f"a[href='{case_path}']").count() == 1
        page.goto(f"{product.config.web_url}/dashboard/cases")
        assert page.locator(f"a[href='{case_path}']").count() == 0
    finally:
        page.close()

    shown = json.loads(_cli(product, "cases", "show", str(alert["case_id"]), "--json"))
    assert (shown["status"], shown["owner"], shown["outcome"]) == (
        "closed", "customer_service", "Replacement sent, customer called back")


def _texts(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages).lower()


def test_the_optional_nps_question_is_asked_last_and_its_answer_stored(product: RunningStack) -> None:
    sender = f"nps-{uuid.uuid4().hex[:8]}"
    product.start_survey(sender, "delivery", "C-NPS-1", order_id="A-100")
    product.say(sender, "4")
    product.say(sender, "Quick and the driver was friendly.")
    product.say(sender, "6")
    assert "recommend" in _texts(product.say(sender, "yes")), "the NPS question was not asked after the last one"
    assert "0 (not at all likely) to 10" in _texts(product.say(sender, "eleven"))  # re-asked, nothing stored
    assert "thank" in _texts(product.say(sender, "9/10"))
    with db_session(product.database_url) as session:
        response = session.scalars(select(FeedbackResponse).join(Conversation)
                                   .where(Conversation.sender_id == sender)).one()
        assert (response.score, response.effort, response.contact_count, response.nps, response.status) == (
            4, 6, 1, 9, "complete")

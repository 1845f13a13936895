"""Turning an outbox message into the request its peer expects, and sending it.

Alerts are stored in one neutral shape (see ``alerts.py``) and formatted here at delivery
time: a Slack incoming webhook gets ``text`` + Block Kit, Microsoft Teams (Workflows webhook)
an Adaptive Card (for both, the customer's words made inert: see ``chat_text.py``), and the
generic webhook the alert JSON itself, signed like our inbound events
(``X-Siloscope-Signature: sha256=<hex>``) and carrying ``X-Siloscope-Delivery`` so a receiver
can drop a redelivery after a crash between its answer and our bookkeeping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from bot.channels.chat_text import SLACK_QUOTE_PREFIX, slack_escape, slack_quote
from bot.channels.rasa_trigger import DeliveryError, RasaTriggerClient, TriggerRequest
from bot.channels.signing import siloscope_signature
from bot.settings.sections import AlertConfig, OutboxConfig, WebhookConfig


@dataclass(frozen=True)
class Envelope:
    """What the worker hands a transport: a detached copy of one outbox row."""

    id: int
    dedupe_key: str
    destination: str
    kind: str
    payload: dict[str, Any]


def _headline(alert: dict[str, Any]) -> str:
    score = alert.get("score")
    score_text = f"score {score}/5" if score is not None else "no score"
    return f"Siloscope: {', '.join(alert.get('reasons') or ['friction'])} for {alert['silo']} ({score_text}, " \
           f"touchpoint {alert.get('touchpoint') or 'unknown'})"


def _score(alert: dict[str, Any]) -> str:
    return f"{alert.get('score') if alert.get('score') is not None else '–'}/5"


def _case(alert: dict[str, Any]) -> tuple[str, str] | None:
    """The button to the alert's case: its label and link (an alert queued before cases existed has none)."""
    if not alert.get("case_link"):
        return None
    return f"Open case #{alert.get('case_id')}", alert["case_link"]


def slack_body(alert: dict[str, Any]) -> dict[str, Any]:
    """``text`` (notifications) and Block Kit; the customer's words inert (see ``chat_text``)."""
    quote = slack_quote(alert.get("quote") or "") or "(no words given)"
    headline = slack_escape(_headline(alert))
    fields = [
        {"type": "mrkdwn", "text": f"*Silo*\n{slack_escape(alert['silo'])}"},
        {"type": "mrkdwn", "text": f"*Score*\n{_score(alert)}"},
        {"type": "mrkdwn", "text": f"*Touchpoint*\n{slack_escape(alert.get('touchpoint') or '–')}"},
        {"type": "mrkdwn", "text": f"*Why*\n{slack_escape(', '.join(alert.get('reasons') or []))}"},
    ]
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": "Open in dashboard"}, "url": alert["link"]}]
    case = _case(alert)
    if case:
        buttons.append({"type": "button", "text": {"type": "plain_text", "text": case[0]}, "url": case[1]})
    return {
        "text": f"{headline}: “{quote}” {alert['link']}" + (f" (case: {case[1]})" if case else ""),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*"}},
            {"type": "section", "fields": fields},
            {"type": "section", "text": {"type": "mrkdwn", "text": SLACK_QUOTE_PREFIX + quote}},
            {"type": "actions", "elements": buttons},
        ],
    }


def teams_body(alert: dict[str, Any]) -> dict[str, Any]:
    """An Adaptive Card; the quote is a ``TextRun``, which Teams never reads as Markdown."""
    facts = [
        {"title": "Silo", "value": alert["silo"]},
        {"title": "Score", "value": _score(alert)},
        {"title": "Touchpoint", "value": alert.get("touchpoint") or "–"},
        {"title": "Why", "value": ", ".join(alert.get("reasons") or [])},
    ]
    actions = [{"type": "Action.OpenUrl", "title": "Open in dashboard", "url": alert["link"]}]
    case = _case(alert)
    if case:
        actions.append({"type": "Action.OpenUrl", "title": case[0], "url": case[1]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": _headline(alert), "weight": "Bolder", "wrap": True},
            {"type": "FactSet", "facts": facts},
            {"type": "RichTextBlock", "inlines": [
                {"type": "TextRun", "text": f"“{alert.get('quote') or '(no words given)'}”", "isSubtle": True},
            ]},
        ],
        "actions": actions,
    }
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card},
    ]}


class Transports:
    """Sends envelopes; raises ``DeliveryError`` with a reason on anything but a 2xx."""

    def __init__(self, webhooks: WebhookConfig, alerts: AlertConfig, outbox: OutboxConfig) -> None:
        self.alerts = alerts
        self.timeout = outbox.timeout_seconds
        self.http = requests.Session()
        self.rasa = RasaTriggerClient(webhooks.rasa, self.http)

    def send(self, envelope: Envelope) -> None:
        if envelope.kind == "trigger":
            self.rasa.trigger(TriggerRequest.from_json(envelope.payload))
        elif envelope.kind == "alert":
            self._alert(envelope)
        else:
            raise DeliveryError(f"unknown outbox kind {envelope.kind!r}")

    def _alert(self, envelope: Envelope) -> None:
        destination = self.alerts.destinations.get(envelope.destination)
        if destination is None:
            raise DeliveryError(f"destination {envelope.destination!r} is no longer in siloscope.yml alerts")
        url = destination.url
        if not url:
            raise DeliveryError(f"destination {destination.name!r} has no URL (set {destination.url_env})")
        headers = {"Content-Type": "application/json", "X-Siloscope-Delivery": envelope.dedupe_key}
        if destination.type == "slack":
            body = slack_body(envelope.payload)
        elif destination.type == "teams":
            body = teams_body(envelope.payload)
        else:
            body = {"event": "siloscope.alert", "delivery_id": envelope.dedupe_key, **envelope.payload}
        raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        if destination.type == "webhook":
            if not destination.secret:
                raise DeliveryError(f"destination {destination.name!r} has no signing secret "
                                    f"(set {destination.secret_env or 'SILOSCOPE_WEBHOOK_SECRET'})")
            headers["X-Siloscope-Signature"] = siloscope_signature(destination.secret, raw)
        try:
            answer = self.http.post(url, data=raw, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DeliveryError(f"{destination.name} unreachable: {exc.__class__.__name__}") from exc
        if not 200 <= answer.status_code < 300:
            raise DeliveryError(f"{destination.name} answered {answer.status_code}: {answer.text[:200]}")

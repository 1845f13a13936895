"""Telling the responsible department: which finished responses become alerts, and to whom.

The feedback service calls ``enqueue_alerts`` inside the transaction that stores a finished
response, so an alert exists exactly when its response does. A silo is told when

- the customer's words about *that silo* are negative (its attribution's sentiment), or
- the response as a whole is negative or high-friction (low score, negative sentiment, low
  ease-of-effort, repeat contact) and the silo is the one it is attributed to (or, when the
  words name nobody, the silo owning the touchpoint).

Thresholds and routes are in ``siloscope.yml`` (``alerts:``). Each alert is one outbox row per
destination, keyed ``alert:<response>:<silo>:<destination>``, so storing the same response
again never sends it twice. A response worth an alert is a case too (``bot.cases``): it is opened
here, in the same transaction, and every alert carries its link (``case_link``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.cases import open_case
from bot.channels.outbox import enqueue
from bot.channels.redaction import short_quote
from bot.settings import get_settings
from bot.settings.sections import AlertConfig, CaseSettings, Thresholds
from bot.store.models import Case, FeedbackResponse
from bot.taxonomy import UNATTRIBUTED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiloAlert:
    silo: str
    reasons: tuple[str, ...]
    quote_source: str | None


def _negative(label: str | None, score: float | None, thresholds: Thresholds) -> bool:
    return label == "negative" or (score is not None and score <= thresholds.sentiment_at_or_below)


def response_reasons(response: FeedbackResponse, thresholds: Thresholds) -> list[str]:
    """Why the response as a whole is worth an alert (empty: it is not)."""
    reasons = []
    if response.score is not None and response.score <= thresholds.score_at_or_below:
        reasons.append("low score")
    if _negative(response.sentiment_label, response.sentiment_score, thresholds):
        reasons.append("negative feedback")
    if response.effort is not None and response.effort <= thresholds.effort_at_or_below:
        reasons.append("high effort")
    if response.contact_count is not None and response.contact_count >= thresholds.contact_count_at_least:
        reasons.append("repeat contact")
    return reasons


def silo_alerts(response: FeedbackResponse, thresholds: Thresholds) -> list[SiloAlert]:
    """The silos to tell about one response, each with its reasons and the words to quote."""
    overall = response_reasons(response, thresholds)
    words = response.words
    found: dict[str, SiloAlert] = {}
    for attribution in response.attributions:
        if attribution.silo == UNATTRIBUTED or attribution.confidence < thresholds.min_confidence:
            continue
        own = ["negative about this department"] if _negative(
            attribution.sentiment_label, attribution.sentiment_score, thresholds) else []
        if attribution.silo == response.primary_silo:
            own += overall
        if own and attribution.silo not in found:
            found[attribution.silo] = SiloAlert(attribution.silo, tuple(own), attribution.evidence or words)
    if overall and not found:
        trusted = response.primary_silo not in (None, UNATTRIBUTED) and (
            response.primary_confidence is None or response.primary_confidence >= thresholds.min_confidence)
        silo = response.primary_silo if trusted else response.touchpoint_silo
        if silo:
            found[silo] = SiloAlert(silo, tuple(overall), words)
    return list(found.values())


def dashboard_link(config: AlertConfig, response_id: int) -> str:
    return config.response_url.replace("{id}", str(response_id))


def alert_payload(response: FeedbackResponse, alert: SiloAlert, config: AlertConfig, case: Case,
                  cases: CaseSettings) -> dict[str, Any]:
    return {
        "response_id": response.id,
        "silo": alert.silo,
        "touchpoint": response.touchpoint,
        "score": response.score,
        "effort": response.effort,
        "contact_count": response.contact_count,
        "sentiment_score": response.sentiment_score,
        "reasons": list(alert.reasons),
        "quote": short_quote(alert.quote_source, config.quote_max_chars),
        "link": dashboard_link(config, response.id),
        "case_id": case.id,
        "case_link": cases.link(case.id),
    }


def enqueue_alert(session: Session, response: FeedbackResponse, alert: SiloAlert, case: Case, key: str,
                  config: AlertConfig, cases: CaseSettings) -> int:
    """One alert to every destination of its silo, keyed ``<key>:<destination>``; how many rows are new."""
    destinations = config.destinations_for(alert.silo)
    if not destinations:
        log.info("no alert route for silo %s (alerts.routes in siloscope.yml)", alert.silo)
    payload = alert_payload(response, alert, config, case, cases)
    added = 0
    for destination in destinations:
        if not destination.url:
            log.warning("alert destination %s has no URL (set %s); skipped", destination.name,
                        destination.url_env)
            continue
        added += enqueue(session, dedupe_key=f"{key}:{destination.name}", destination=destination.name,
                         kind="alert", payload=payload)
    return added


def enqueue_alerts(session: Session, response: FeedbackResponse, config: AlertConfig | None = None,
                   cases: CaseSettings | None = None) -> int:
    """Queue the alerts a finished response deserves, and open its case, in the caller's transaction;
    returns how many alerts are new.

    Partial responses (the customer may still be typing) are skipped; call again when finished.
    """
    if response.status == "partial":
        return 0
    config = config or get_settings().alerts
    cases = cases or get_settings().cases
    alerts = silo_alerts(response, config.thresholds)
    if not alerts:
        return 0
    owner = next((a.silo for a in alerts if a.silo == response.primary_silo), alerts[0].silo)
    reasons = ", ".join(dict.fromkeys(r for a in alerts for r in a.reasons))
    case = open_case(session, response, owner, reasons, cases)
    return sum(enqueue_alert(session, response, alert, case, f"alert:{response.id}:{alert.silo}", config, cases)
               for alert in alerts)

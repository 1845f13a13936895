"""A customer asked for a person: their case is opened and its owner alerted at once.

The survey need not be finished (the customer may go on answering, or leave): the department hears
now, with whatever words the customer has given so far. Called by the feedback service inside the
transaction that records the request, which the spool may replay: the case is found again
(``bot.cases.open_case``) and the alert's outbox key (``alert:<response>:person:<destination>``)
is already taken, so a replay opens and sends nothing twice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.cases import ASKED_FOR_PERSON, open_case, owner_for
from bot.channels.alerts import SiloAlert, enqueue_alert
from bot.settings import get_settings
from bot.settings.sections import AlertConfig, CaseSettings
from bot.store.models import Case, FeedbackResponse


def person_requested(session: Session, response: FeedbackResponse, config: AlertConfig | None = None,
                     cases: CaseSettings | None = None) -> Case:
    """Open (or find) the response's case for "asked for a person" and alert its owner; the case."""
    config = config or get_settings().alerts
    cases = cases or get_settings().cases
    case = open_case(session, response, owner_for(response, cases), ASKED_FOR_PERSON, cases)
    alert = SiloAlert(case.owner, (ASKED_FOR_PERSON,), response.words)
    enqueue_alert(session, response, alert, case, f"alert:{response.id}:person", config, cases)
    return case

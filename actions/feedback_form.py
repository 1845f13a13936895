"""``feedback_form``'s validation: each answer goes to the survey's policy, its outcome becomes messages and slots.

What an answer does (stored at once, re-asked, given up after ``conversation.max_reasks``
re-asks, small talk answered, not saved) is decided by :mod:`bot.survey_policy`; this module
only says it in the chat's words (responses of domain.yml) and keeps the form's slots.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.context import store, touchpoint_label, touchpoint_labels
from actions.outcomes import Slots, say, slots
from bot import survey_policy
from bot.settings import get_settings
from bot.survey_policy import Kind, Progress, Said


class ValidateFeedbackForm(FormValidationAction):
    """Validation for ``feedback_form``: every ``validate_<slot>`` hands the answer to the policy."""

    def name(self) -> str:
        return "validate_feedback_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[str]:
        return survey_policy.questions_left(
            domain_slots,
            tracker.get_slot("skipped") or [],
            tracker.get_slot("score"),
            tracker.get_slot("first_contact"),
            get_settings().conversation,
        )

    def _answer(self, question: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        """The policy's outcome for this answer, said to the customer and turned into slots."""
        intent = (tracker.latest_message or {}).get("intent") or {}
        outcome = survey_policy.answer(
            question,
            Said(None if value is None else str(value), intent.get("name"), intent.get("confidence") or 0.0),
            Progress(
                reasks=(tracker.get_slot("reasks") or {}).get(question, 0),
                has_open_answer=bool(tracker.get_slot("feedback_text")),
            ),
            partial(store, tracker),
            get_settings().conversation,
            touchpoint_labels() if question == "touchpoint" else None,
        )
        say(outcome, dispatcher)
        result = slots(outcome, tracker)
        if question == "touchpoint" and outcome.kind is Kind.STORED:
            result["touchpoint_label"] = touchpoint_label(result["touchpoint"])
        return result

    def validate_touchpoint(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._answer("touchpoint", value, dispatcher, tracker)

    def validate_score(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Slots:
        return self._answer("score", value, dispatcher, tracker)

    def validate_feedback_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._answer("feedback_text", value, dispatcher, tracker)

    def validate_probe_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._answer("probe_text", value, dispatcher, tracker)

    def validate_effort(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Slots:
        return self._answer("effort", value, dispatcher, tracker)

    def validate_first_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._answer("first_contact", value, dispatcher, tracker)

    def validate_contact_count(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._answer("contact_count", value, dispatcher, tracker)

    def validate_nps(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Slots:
        return self._answer("nps", value, dispatcher, tracker)

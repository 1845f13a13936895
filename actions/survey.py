"""Starting and finishing a survey."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    clean_context,
    conversation_ref,
    finish,
    from_page,
    is_opted_out,
    latest_entities,
    latest_intent,
    surveyed_recently,
    touchpoint_label,
    touchpoint_labels,
    trusted_context,
)

log = logging.getLogger(__name__)

# Everything one survey learns; cleared when the next one starts.
ANSWER_SLOTS = (
    "score",
    "score_band",
    "feedback_text",
    "probe_text",
    "effort",
    "first_contact",
    "contact_count",
    "nps",
    "reasks",
    "skipped",
    "requested_slot",
)
TRIGGER = "touchpoint_completed"


def survey_context(tracker: Tracker) -> tuple[dict[str, Any], bool]:
    """Context for a new survey, and whether a trusted trigger started it.

    A trusted trigger (signed webhook, signed page context) carries the whole context. Anyone else
    who starts a survey (a greeting, a touchpoint they name, their story, anything they type) keeps
    the identity the conversation already has (customer, channel) and the touchpoint they chose, but
    never names a customer, order or ticket: what a customer types is never identity.
    """
    trusted = trusted_context(tracker, TRIGGER)
    if trusted is not None:
        return clean_context(trusted), True
    context = {
        "customer_ref": tracker.get_slot("customer_ref"),
        "channel": tracker.get_slot("channel"),
        "touchpoint": latest_entities(tracker).get("touchpoint"),
    }
    return clean_context(context), False


class ActionBeginFeedback(Action):
    """Opens a fresh survey: new conversation key, context from the trigger, answers cleared.

    A trigger for a customer who opted out sets ``survey_allowed`` to false; a webhook's says nothing
    (we never message them), a page's says why the chat has no questions. A page's trigger about an
    order and touchpoint this customer was already asked about in the survey window does the same
    with a short note (``bot.survey_window``). A customer who comes to us on their own is always heard.
    """

    def name(self) -> str:
        return "action_begin_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        context, triggered = survey_context(tracker)
        if triggered and is_opted_out(context["customer_ref"]):
            log.info("not surveying customer %s: opted out", context["customer_ref"])
            if from_page(tracker):  # they opened the chat themselves: an empty chat would say nothing
                dispatcher.utter_message(response="utter_opted_out_widget")
            return [SlotSet("survey_allowed", False)]
        # A webhook's trigger passed the same rule at the door (bot.channels.intake); a page's is checked here.
        if triggered and from_page(tracker) and surveyed_recently(context, tracker.get_slot("conversation_id")):
            log.info("not surveying customer %s again about this order and touchpoint", context["customer_ref"])
            dispatcher.utter_message(response="utter_already_surveyed")
            return [SlotSet("survey_allowed", False)]
        events: list[EventType] = [SlotSet(slot, None) for slot in ANSWER_SLOTS]
        events += [SlotSet(name, value) for name, value in context.items()]
        events += [
            SlotSet("touchpoint_label", touchpoint_label(context["touchpoint"])),
            SlotSet("conversation_id", str(uuid.uuid4())),
            SlotSet("survey_allowed", True),
            SlotSet("survey_ended", False),
            SlotSet("touchpoint_from_trigger", triggered and context["touchpoint"] is not None),
        ]
        if latest_intent(tracker) == "give_feedback":
            # They started with their story: it answers the open question (validated as it is).
            events.append(SlotSet("feedback_text", (tracker.latest_message or {}).get("text")))
        return events


class ActionAskTouchpoint(Action):
    """Asks which part of their experience to talk about, one button per touchpoint in silos.yml."""

    def name(self) -> str:
        return "action_ask_touchpoint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        # The touchpoint's name as plain words: customers' messages never carry entities
        # (bot.channels.chat_door), and the form reads a name as the touchpoint it is.
        buttons = [{"title": label, "payload": name} for name, label in touchpoint_labels().items()]
        dispatcher.utter_message(response="utter_choose_touchpoint", buttons=buttons)
        return []


class ActionStoreFeedback(Action):
    """The survey is complete: mark the stored response complete, thank, say what happens next."""

    def name(self) -> str:
        return "action_store_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        # Either way the survey is over: what the customer adds now goes to its response.
        ended = [SlotSet("survey_ended", True)]
        if not finish(tracker):
            dispatcher.utter_message(response="utter_not_saved_end")  # no thanks for what was not kept
            return ended
        log.info("feedback complete for %s", conversation_ref(tracker).key)
        dispatcher.utter_message(response="utter_thanks")
        return ended

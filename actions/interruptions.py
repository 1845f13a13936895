"""What the customer can say at any time: stop, a person please, start again, something unclear."""

from __future__ import annotations

from functools import partial

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    CONTEXT_SLOTS,
    add_follow_up,
    conversation_key,
    key_events,
    opt_out,
    request_human,
    restart,
    store,
    touchpoint_label,
)
from actions.outcomes import say, slots
from bot import survey_policy
from bot.settings import get_settings


def keep_story(tracker: Tracker) -> None:
    """An interruption that also answers the open question is stored as that answer.

    "I want to stop paying for this, the app never works" ends the survey, and its words
    still reach the team responsible (the rule: ``bot.survey_policy.keep_story``).
    """
    if tracker.active_loop.get("name"):
        text = (tracker.latest_message or {}).get("text")
        survey_policy.keep_story(
            tracker.get_slot("requested_slot"), text, partial(store, tracker), get_settings().conversation
        )


def _end_survey(tracker: Tracker) -> list[EventType]:
    """Events that close an open form, so nothing is asked after the customer left."""
    if not tracker.active_loop.get("name"):
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionOptOut(Action):
    """ "stop", "not now", "unsubscribe": never survey this customer again, end politely."""

    def name(self) -> str:
        return "action_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        keep_story(tracker)
        opt_out(tracker)
        dispatcher.utter_message(response="utter_opted_out")
        return _end_survey(tracker)


class ActionRequestHuman(Action):
    """ "talk to a human": a colleague is alerted at once (the feedback service opens a case), the survey stays.

    The customer hears that a person will get in touch; an open survey keeps its touchpoint, order
    and customer and goes on (its rule runs the form again, which asks the open question again), so
    the customer may finish it or simply leave, and their next line is an answer to this survey.
    """

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        keep_story(tracker)
        request_human(tracker)
        dispatcher.utter_message(response="utter_human_requested")
        if tracker.active_loop.get("name"):
            dispatcher.utter_message(response="utter_human_requested_survey_goes_on")
        return [SlotSet(k, v) for k, v in key_events(tracker).items()]


class ActionRestart(Action):
    """ "start over": the same survey again from its first question, same conversation.

    Overrides Rasa's default ``action_restart``, which would also forget who the customer is
    and what the survey is about. Answers given again replace the stored ones.
    """

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        # The touchpoint a trigger gave is the survey's subject (kept); one the customer chose, they choose again.
        from_trigger = bool(tracker.get_slot("touchpoint_from_trigger"))
        keep = [name for name in CONTEXT_SLOTS if name != "touchpoint" or from_trigger]
        touchpoint = tracker.get_slot("touchpoint") if from_trigger else None
        restart(tracker)
        dispatcher.utter_message(response="utter_restart")
        return [
            Restarted(),
            *(SlotSet(name, tracker.get_slot(name)) for name in keep),
            SlotSet("touchpoint_label", touchpoint_label(touchpoint)),
            SlotSet("conversation_id", conversation_key(tracker)),
            SlotSet("survey_allowed", True),
            SlotSet("survey_ended", False),
            SlotSet("touchpoint_from_trigger", from_trigger),
            FollowupAction("feedback_form"),
        ]


class ActionUnclear(Action):
    """A message outside a survey that is no request: more feedback after the survey, or a stray message.

    After this chat's survey ended it is added to that survey's response and acknowledged. Otherwise,
    in another language it is kept as feedback (marked with its language) and the customer is told
    that only English is supported for now; anything else hears what the bot is for.
    """

    def name(self) -> str:
        return "action_unclear"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text")
        outcome = survey_policy.outside_survey(
            text,
            bool(tracker.get_slot("survey_ended")),
            partial(store, tracker),
            partial(add_follow_up, tracker),
            get_settings().conversation,
        )
        say(outcome, dispatcher)
        return [SlotSet(k, v) for k, v in slots(outcome, tracker).items()]

"""An answer that reaches Rasa while the action server is away is never silently dropped.

Rasa 3.6 calls the action server once per custom action (``RemoteAction.run``, also for a form's
validation). When it cannot connect, the processor logs the error, drops the action's events and
answers the customer with nothing (``200 []``). ``install()`` wraps ``RemoteAction.run``:

- a failed connection (or 502/503/504 from a proxy in front of the action servers) is retried
  with exponential backoff for up to ``SILOSCOPE_ACTION_RETRY_SECONDS`` (45 by default, enough for
  the supervisor to restart a crashed action server), so the answer is taken in the same turn;
- if the action server is still away, the customer is sent ``utter_send_again`` and the failure
  is raised as before: Rasa keeps none of the action's events, so a form stays on the question
  it asked (nothing unvalidated is taken as an answer) and the customer's next message is read
  as the answer to it. Later custom actions of the same turn fail at once, without a second
  message.
- a survey trigger (Rasa's HTTP API) the action server stays away for says nothing for the rest
  of its turn: without the survey's first action the policy falls back to "Sorry, I didn't
  understand", which would reach a customer who wrote nothing. The trigger client sees that the
  survey did not start and the outbox sends the trigger again (``bot.channels.rasa_trigger``).

Rasa offers no setting for either (``EndpointConfig`` has no retry, the processor swallows the
error), hence this wrapper; it only changes what happens when the action server is unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from typing import Any

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import EXTERNAL_MESSAGE_PREFIX
from rasa.shared.exceptions import RasaException

log = logging.getLogger(__name__)

RETRY_SECONDS_VARIABLE = "SILOSCOPE_ACTION_RETRY_SECONDS"
DEFAULT_RETRY_SECONDS = 45.0
FIRST_DELAY = 0.5
MAX_DELAY = 4.0
RETRIED_STATUSES = {502, 503, 504}
SEND_AGAIN = "utter_send_again"
# Turns whose action server stayed away: later actions of the turn fail at once, told once.
_given_up: OrderedDict[tuple[str, str], None] = OrderedDict()
_REMEMBERED_TURNS = 1000


def retry_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(RETRY_SECONDS_VARIABLE, DEFAULT_RETRY_SECONDS)))
    except ValueError:
        return DEFAULT_RETRY_SECONDS


def action_server_away(error: BaseException) -> bool:
    """True when RemoteAction failed because nobody answered, not because an action failed."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, aiohttp.ClientConnectionError):
        return True
    return getattr(cause, "status", None) in RETRIED_STATUSES


def _turn(tracker: Any) -> tuple[str, str]:
    message = tracker.latest_message
    ref = getattr(message, "message_id", None) or str(getattr(message, "timestamp", ""))
    return (tracker.sender_id, str(ref))


def _from_customer(tracker: Any) -> bool:
    """False for a survey trigger (Rasa's HTTP API): the customer sent nothing to send again."""
    text = getattr(tracker.latest_message, "text", None) or ""
    return not text.startswith(EXTERNAL_MESSAGE_PREFIX)


def _mute(output_channel: Any) -> None:
    """Nothing more reaches the customer through this channel object (one request's, for a trigger)."""

    async def say_nothing(recipient_id: str, message: dict) -> None:
        log.info("survey trigger for %s not started: message held back", recipient_id)

    output_channel.send_response = say_nothing


async def _tell_customer(output_channel: Any, nlg: Any, tracker: Any) -> None:
    try:
        message = await nlg.generate(SEND_AGAIN, tracker, output_channel.name())
        if message:
            await output_channel.send_response(tracker.sender_id, message)
        else:
            log.error("the domain has no %s response: the customer was not told", SEND_AGAIN)
    except Exception:
        log.exception("could not tell %s to send the answer again", tracker.sender_id)


def install() -> None:
    """Wrap ``RemoteAction.run`` once (idempotent)."""
    if getattr(RemoteAction.run, "_siloscope_durable", False):
        return
    original = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        turn = _turn(tracker)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + retry_seconds()
        delay = FIRST_DELAY
        while True:
            try:
                return await original(self, output_channel, nlg, tracker, domain)
            except RasaException as error:
                if not action_server_away(error):
                    raise
                if turn in _given_up:
                    raise
                remaining = deadline - loop.time()
                if remaining <= 0:
                    log.error("action server away for %.0fs: %s not run for %s; asking to send again",
                              retry_seconds(), self.name(), tracker.sender_id)
                    _given_up[turn] = None
                    while len(_given_up) > _REMEMBERED_TURNS:
                        _given_up.popitem(last=False)
                    if _from_customer(tracker):
                        await _tell_customer(output_channel, nlg, tracker)
                    else:
                        _mute(output_channel)
                    raise
                log.warning("action server away (%s): retrying %s in %.1fs", error, self.name(), delay)
                await asyncio.sleep(min(delay, remaining))
                delay = min(delay * 2, MAX_DELAY)

    run._siloscope_durable = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]

"""Run actions as Rasa runs them: a Tracker built from a dict, a CollectingDispatcher and domain.yml.

One tracker builder for every room that calls an action directly (tests/actions, the spool's
fault tests, the security tests of the action server).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.launcher import rasa_python
from bot.settings import PROJECT_ROOT

# Rasa's own reading of domain.yml, in the Rasa server's environment (the core has no Rasa).
_DOMAIN_AS_RASA_SENDS_IT = """
import json, sys
from rasa.shared.core.domain import Domain
print(json.dumps(Domain.load(sys.argv[1]).as_dict()))
"""


@lru_cache(maxsize=1)
def _domain_json() -> str:
    done = subprocess.run([rasa_python(), "-c", _DOMAIN_AS_RASA_SENDS_IT, str(PROJECT_ROOT / "domain.yml")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def load_domain() -> dict[str, Any]:
    """domain.yml as the action server receives it from Rasa (read once per run, by Rasa in its environment)."""
    return json.loads(_domain_json())


def make_tracker(
    text: str | None = "hello",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    extracted: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "sender-1",
    events_before: list[dict[str, Any]] | None = None,
    now: float | None = None,
    confidence: float = 1.0,
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker whose latest user turn said ``text``; ``extracted`` are slots mapped from it."""
    now = now or time.time()
    user = {
        "event": "user",
        "timestamp": now,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "text": text,
            "metadata": metadata or {},
        },
    }
    events = [
        {"event": "action", "timestamp": now - 10, "name": "action_session_start"},
        {"event": "session_started", "timestamp": now - 10},
        *(events_before or []),
        user,
        *({"event": "slot", "timestamp": now, "name": k, "value": v} for k, v in (extracted or {}).items()),
    ]
    all_slots = {**(slots or {}), **(extracted or {})}
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": all_slots,
            "latest_message": user["parse_data"],
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Action, tracker: Tracker, domain: dict[str, Any]) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    """The action's events and what it said, as the action server would send them back."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return events, dispatcher


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]

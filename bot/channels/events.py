"""The native touchpoint event: its schema, and the checks every inbound event passes.

Adapters for other tools translate their payloads into ``TouchpointEventIn`` and then go
through the same taxonomy checks, so every route refuses the same things for the same reasons.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from bot.taxonomy import Taxonomy

_FRACTION = re.compile(r"(\.\d+)(?=[+-]\d\d:?\d\d$|$)")
SCHEMA_FILE = Path(__file__).resolve().parent / "touchpoint_event.schema.json"


class EventRejected(Exception):
    """An inbound request we refuse: HTTP status, a machine-readable reason and a sentence for people."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"status": "refused", "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class TouchpointEventIn:
    """A validated event, whatever tool it came from."""

    event_id: str
    source: str
    touchpoint: str
    silo: str
    occurred_at: datetime  # naive UTC, like every time in the store
    customer_ref: str
    channel: str
    order_id: str | None = None
    ticket_id: str | None = None
    # Who handled it in the tool (agent and group ids, never names): the journey counts the people
    # a customer dealt with from these (analytics/journey.py) when a tool sends them.
    assignees: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat() + "Z"
        return data


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    return Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def parse_json(body: bytes) -> Any:
    """The decoded body, or a 400 that says where the JSON breaks."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise EventRejected(400, "malformed_json", "body is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise EventRejected(400, "malformed_json", f"body is not valid JSON ({exc.msg} at line {exc.lineno} "
                                                   f"column {exc.colno})") from exc


def parse_time(value: Any, field: str) -> datetime:
    """ISO 8601 (a trailing Z allowed) or Unix seconds, as naive UTC; 422 otherwise."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)
        text = str(value).strip().replace("Z", "+00:00")
        # Python 3.10 reads only 3 or 6 fractional digits; tools send anything up to nanoseconds.
        text = _FRACTION.sub(lambda m: (m.group(1) + "000000")[:7], text)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError) as exc:
        raise EventRejected(422, "invalid_event", f"{field} must be an ISO 8601 time, got {value!r}") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def resolve_silo(taxonomy: Taxonomy, touchpoint: str, silo: str | None) -> str:
    """The silo an event belongs to; unknown touchpoints and silos are refused with the known names."""
    owner = taxonomy.owner(touchpoint)
    if owner is None:
        known = ", ".join(taxonomy.touchpoints)
        raise EventRejected(422, "unknown_touchpoint", f"unknown touchpoint {touchpoint!r}; known: {known}")
    if silo and silo not in taxonomy.silos:
        known = ", ".join(taxonomy.silos)
        raise EventRejected(422, "unknown_silo", f"unknown silo {silo!r}; known: {known}")
    return silo or owner


def native_event(data: Any, taxonomy: Taxonomy) -> TouchpointEventIn:
    """Validate a native Siloscope event (see touchpoint_event.schema.json)."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "event"
        raise EventRejected(422, "invalid_event", f"{where}: {first.message}")
    return TouchpointEventIn(
        event_id=data["event_id"],
        source="siloscope",
        touchpoint=data["touchpoint"],
        silo=resolve_silo(taxonomy, data["touchpoint"], data.get("silo")),
        occurred_at=parse_time(data["occurred_at"], "occurred_at"),
        customer_ref=data["customer_ref"],
        channel=data["channel"],
        order_id=data.get("order_id"),
        ticket_id=data.get("ticket_id"),
    )

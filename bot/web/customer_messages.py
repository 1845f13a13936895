"""A stand-in for the company's messaging gateway, so ``make run`` works end to end on one machine.

Surveys started by a touchpoint webhook reach customers through Rasa's ``callback`` channel,
which posts every bot message to a URL: in production, the company's SMS, e-mail or WhatsApp
gateway (``callback.url`` in ``credentials.yml``). Out of the box that URL is this route, which
keeps the messages in ``var/customer_messages.jsonl`` and shows them at
``GET /channels/callback``. A customer's answers go to Rasa's
``POST /webhooks/callback/webhook``. Only local peers may use it: it is a development inbox.
"""

from __future__ import annotations

import ipaddress
import json
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.privacy.files import open_private
from bot.settings import var_dir

blueprint = Blueprint("siloscope_customer_messages", url_prefix="/channels")
SHOWN = 100


def inbox_file() -> Path:
    return var_dir() / "customer_messages.jsonl"


def _local(request: Request) -> bool:
    try:
        return ipaddress.ip_address(request.ip).is_loopback
    except ValueError:
        return False


@blueprint.on_request
async def local_peers_only(request: Request) -> HTTPResponse | None:
    if not _local(request):
        return json_response({"status": "refused", "message": "the development inbox serves this machine only"}, 403)
    return None


@blueprint.post("/callback")
async def receive(request: Request) -> HTTPResponse:
    """Rasa's callback channel delivers one bot message (``recipient_id``, ``text``, ``buttons``...)."""
    try:
        message = json.loads(request.body or b"")
    except ValueError:
        return json_response({"status": "refused", "message": "the body must be a JSON object"}, 400)
    if not isinstance(message, dict) or not message.get("recipient_id"):
        return json_response({"status": "refused", "message": "a message needs a recipient_id"}, 400)
    record = {"received_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **message}
    with open_private(inbox_file(), "a") as handle:  # messages to customers: owner-only
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return json_response({"status": "delivered"})


@blueprint.get("/callback")
async def show(request: Request) -> HTTPResponse:
    """The newest messages, optionally for one ``recipient`` (a conversation id or a customer), oldest first."""
    recipient = request.args.get("recipient")
    newest: deque[dict] = deque(maxlen=SHOWN)
    if inbox_file().exists():
        with inbox_file().open(encoding="utf-8") as handle:
            for line in handle:
                message = json.loads(line)
                if recipient is None or recipient in (message.get("recipient_id"), message.get("customer_ref")):
                    newest.append(message)
    return json_response(list(newest))

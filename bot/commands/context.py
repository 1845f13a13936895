"""``siloscope context``: sign a page context, as the company's page server does for the widget.

For trying the chat by hand (curl to Rasa's REST channel) and for checking a page server's own
signing against ours. The token goes into a message's ``metadata.siloscope_context`` with the
text ``/touchpoint_completed``, or into the widget's ``data-context``.
"""

from __future__ import annotations

import argparse
import json

from bot.channels.chat_door import CONTEXT_KEY, TRIGGER_INTENT
from bot.channels.page_context import PageContext, sign_for
from bot.channels.references import BadReference
from bot.errors import UsageError
from bot.settings import get_settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--touchpoint", required=True, help="a touchpoint name from silos.yml")
    parser.add_argument("--customer", help="the customer's reference")
    parser.add_argument("--order", help="the order id")
    parser.add_argument("--ticket", help="the ticket id")
    parser.add_argument("--channel", default=None, help="stored as the response's channel (default widget.channel)")
    parser.add_argument("--ttl", type=int, default=None,
                        help="seconds it stays valid (default: widget.context_ttl_seconds)")
    parser.add_argument("--sender", help="also print a REST message body for this conversation id")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    channel = args.channel or settings.widget.channel
    try:
        context = PageContext(touchpoint=args.touchpoint, customer_ref=args.customer or None,
                              order_id=args.order or None, ticket_id=args.ticket or None, channel=channel)
        token = sign_for(settings, context, args.ttl)
    except (BadReference, ValueError) as error:
        raise UsageError(str(error)) from error
    if args.sender:
        print(json.dumps({"sender": args.sender, "message": f"/{TRIGGER_INTENT}", "metadata": {CONTEXT_KEY: token}}))
    else:
        print(token)
    return 0

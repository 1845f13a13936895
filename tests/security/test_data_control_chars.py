"""Control characters are cleaned where a customer's words come in, before they are stored.

NUL makes PostgreSQL refuse the text, ANSI escapes repaint the terminal of whoever exports,
bidi overrides make a quote on the dashboard read differently from what was stored.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.store.models import FeedbackResponse
from tests.security.data_support import cli_env, siloscope
from tests.support.database import db_session

REF = ConversationRef(key="conv-ctl", sender_id="sender-ctl", customer_ref="C-5", touchpoint="delivery", channel="web")
HOSTILE = ("The parcel\x00 came \x1b[31mlate\x1b[0m\x1b]0;pwned\x07 and \u202egnorw\u202c was \u2066delivered\u2069"
           "\r\nSecond line\u2028third\tend \U0001F468\u200d\U0001F469\u200d\U0001F467 \u2764\ufe0f cafe\u0301\ufeff"
           "\x7f\x9b31m\ud83d")
CLEAN = ("The parcel came late and gnorw was delivered\nSecond line\nthird end "
         "\U0001F468\u200d\U0001F469\u200d\U0001F467 \u2764\ufe0f caf\u00e9\ufffd")
FORBIDDEN = ["\x00", "\x1b", "\x07", "\x7f", "\x9b", "\r", "\u202e", "\u202c", "\u2066", "\u2069", "\u2028", "\ufeff"]


def test_control_characters_are_normalised_at_the_door_and_never_stored(tmp_path: Path, tmp_database: str) -> None:
    service = get_feedback_service()  # as actions/context.py calls it
    service.record(REF, Answers(score=2, text=HOSTILE, language="en"))
    service.record(REF, Answers(probe_text="\x00\u202eNobody\x1b[2J called"))
    service.finish(REF)
    with db_session(tmp_database) as session:
        response = session.scalars(select(FeedbackResponse)).one()
        texts = [response.text, response.probe_text, *(a.evidence for a in response.attributions)]
    assert texts[0] == CLEAN  # newlines and emoji (joiners, variation selector) kept; NFC
    assert texts[1] == "Nobody called"
    env = cli_env(tmp_path)
    env["DATABASE_URL"] = tmp_database
    exported = siloscope(env, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    shown = [*texts, exported.stdout, json.loads(exported.stdout)[0]["text"]]
    for text in shown:
        for char in FORBIDDEN:
            assert char not in (text or ""), (char, text)

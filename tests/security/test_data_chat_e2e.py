"""Through the chat itself: a card number and an e-mail typed to the bot never reach the store or an export."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from bot.settings import PROJECT_ROOT
from tests.security.data_support import database_dump

pytestmark = pytest.mark.e2e

CARD, EMAIL = "4111 1111 1111 1111", "jane.doe@mail.example.com"


def test_a_card_number_and_an_email_typed_in_the_chat_are_never_stored(stack) -> None:
    sender = f"e2e-pii-{uuid.uuid4().hex[:8]}"
    replies = [stack.say(sender, "hi"), stack.say(sender, "the invoice"), stack.say(sender, "1")]
    replies.append(stack.say(sender, f"I was charged twice on card {CARD}, write to {EMAIL} about the invoice."))
    # Every table, Rasa's own tracker (``events``) included: the chat door cleans the words before Rasa reads them.
    dump = database_dump(stack.database_url)
    # The answer is stored, redacted (the replies show where the conversation went otherwise).
    assert "charged twice on card [card], write to [email]" in dump, replies
    exported = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "--format", "json"], cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": stack.database_url,
             "SILOSCOPE_VAR": str(stack.var)},
    )
    assert exported.returncode == 0, exported.stderr
    assert "[card]" in exported.stdout
    for raw in (CARD, CARD.replace(" ", ""), EMAIL):
        assert raw not in dump and raw not in exported.stdout
    spooled = "".join(p.read_text(encoding="utf-8") for p in (stack.var / "spool").glob("*.jsonl")) \
        if (stack.var / "spool").is_dir() else ""
    assert CARD not in spooled and EMAIL not in spooled

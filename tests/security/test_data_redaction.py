"""Personal data never reaches the store: the feedback service (the chat's door) redacts it first.

Card numbers always (PCI DSS), e-mails, phones, IBANs and addresses as ``privacy.redact`` says;
the words around them stay, so the complaint is still attributed to the right department.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.errors import UsageError
from bot.feedback import Answers, ConversationRef, FeedbackService, get_feedback_service
from bot.settings import PROJECT_ROOT, Settings, load_settings
from bot.settings.sections import RedactionRules
from bot.store.models import FeedbackResponse
from bot.store.spool import Spool
from bot.taxonomy import load_taxonomy
from tests.security.data_support import cli_env, database_dump, siloscope
from tests.support.database import db_session

REF = ConversationRef(key="conv-pii", sender_id="sender-pii", customer_ref="C-9", touchpoint="invoice", channel="web")
CARD, CARD_DASHED = "4111 1111 1111 1111", "5500-0000-0000-0004"
EMAIL, PHONE, IBAN = "jane.doe@mail.example.com", "+44 20 7946 0958", "DE89 3704 0044 0532 0130 00"
ADDRESS = "221B Baker Street"
TEXT = (f"I was charged twice on card {CARD} for one invoice. Write to {EMAIL} or call {PHONE}; "
        f"refund to {IBAN}, the invoice went to {ADDRESS}.")
PROBE = f"Refund the second charge to card {CARD_DASHED} and fix the billing."
RAW = [CARD, CARD_DASHED, "4111111111111111", EMAIL, PHONE, IBAN, "DE89370400440532013000", "Baker Street",
       "7946 0958", "3704 0044"]


def test_chat_answers_are_stored_analysed_and_exported_without_personal_data(tmp_path: Path,
                                                                             tmp_database: str) -> None:
    service = get_feedback_service()  # as actions/context.py calls it
    service.record(REF, Answers(score=1))
    service.record(REF, Answers(text=TEXT, language="en"))
    service.record(REF, Answers(probe_text=PROBE))
    service.finish(REF)
    with db_session(tmp_database) as session:
        response = session.scalars(select(FeedbackResponse)).one()
        evidence = [a.evidence for a in response.attributions] + [h.evidence for h in response.handoffs]
        stored = (response.text, response.probe_text, response.primary_silo)
    assert stored[0] == ("I was charged twice on card [card] for one invoice. Write to [email] or call [phone]; "
                         "refund to [iban], the invoice went to [address].")
    assert stored[1] == "Refund the second charge to card [card] and fix the billing."
    assert stored[2] == "finance"  # the words around the tags still say who is responsible
    assert any("[card]" in (e or "") for e in evidence)
    dump = database_dump(tmp_database)
    env = cli_env(tmp_path)
    env["DATABASE_URL"] = tmp_database
    exported = siloscope(env, "export", "--format", "json")
    as_csv = siloscope(env, "export", "--format", "csv")
    assert exported.returncode == 0 and as_csv.returncode == 0, exported.stderr + as_csv.stderr
    assert json.loads(exported.stdout)[0]["text"] == stored[0]
    for raw in RAW:
        assert raw not in dump and raw not in exported.stdout and raw not in as_csv.stdout, raw


def test_the_spool_never_holds_raw_personal_data(tmp_path: Path, tmp_database: str) -> None:
    """While the database is down the answer waits in a local file: redacted before it is written."""
    spool = Spool(tmp_path / "var" / "spool" / "feedback.jsonl")
    unreachable = "postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2"  # nothing listens on port 9
    down = FeedbackService(unreachable, load_taxonomy(), spool)
    down.record(REF, Answers(text=TEXT))
    assert spool.pending()
    spooled = spool.path.read_text(encoding="utf-8")
    assert "[card]" in spooled and "[email]" in spooled
    for raw in RAW:
        assert raw not in spooled, raw
    FeedbackService(tmp_database, load_taxonomy(), spool).record(REF, Answers(score=2))  # replays
    assert "[card]" in database_dump(tmp_database) and CARD not in database_dump(tmp_database)


def test_only_card_numbers_are_redacted_when_the_company_keeps_the_rest(tmp_path: Path) -> None:
    env = cli_env(tmp_path, redact={"emails": False, "phones": False, "ibans": False, "addresses": False})
    assert siloscope(env, "migrate").returncode == 0
    script = (
        "from bot.feedback import Answers, ConversationRef, get_feedback_service\n"
        f"get_feedback_service().record(ConversationRef(key='k', sender_id='s'), Answers(text={TEXT!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(siloscope(env, "export").stdout)))
    assert rows[0]["text"] == (f"I was charged twice on card [card] for one invoice. Write to {EMAIL} or call "
                               f"{PHONE}; refund to {IBAN}, the invoice went to {ADDRESS}.")


@pytest.mark.parametrize(
    ("privacy", "message"),
    [
        ({"redact": {"cards": False}}, "cannot be turned off"),
        ({"redact": {"emails": "maybe"}}, "must be true or false"),
        ({"redact": {"names": True}}, r"unknown setting\(s\) privacy.redact.names"),
        ({"retention_days": 0}, "retention_days"),
        ({"retention": 30}, r"unknown setting\(s\) privacy.retention"),
    ],
)
def test_a_bad_privacy_section_is_refused_with_one_line(privacy: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Settings.from_mapping({"privacy": privacy})



def test_the_cli_refuses_a_configuration_that_would_store_card_numbers(tmp_path: Path) -> None:
    done = siloscope(cli_env(tmp_path, redact={"cards": False}), "customer", "purge-expired")
    assert done.returncode == 2 and "cannot be turned off" in done.stderr and "Traceback" not in done.stderr


def test_the_shipped_configuration_redacts_everything() -> None:
    assert load_settings({"SILOSCOPE_CONFIG": str(PROJECT_ROOT / "siloscope.yml")}).privacy.redact == RedactionRules()

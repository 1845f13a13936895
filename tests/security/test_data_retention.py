"""Free text is kept ``privacy.retention_days`` and then erased: by hand and by the web service's sweep."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.privacy.files import open_private
from bot.store.db import engine_for, session_factory
from bot.store.models import Attribution, FeedbackResponse, OutboxMessage, utcnow
from tests.security.data_support import cli_env, siloscope
from tests.support import WebService
from tests.support.database import db_session

OLD_TEXT = "The invoice charged me twice for one order."
NEW_TEXT = "The courier was late and rude."


def _seed(url: str, old_days: int) -> None:
    service = get_feedback_service()
    for key, text in (("old", OLD_TEXT), ("new", NEW_TEXT)):
        ref = ConversationRef(key=key, sender_id=key, customer_ref=f"C-{key}", touchpoint="invoice", channel="web")
        service.record(ref, Answers(score=1, text=text))
        service.finish(ref)
    long_ago = utcnow() - timedelta(days=old_days)
    factory = session_factory(engine_for(url))
    with factory.begin() as session:
        session.execute(update(FeedbackResponse).where(FeedbackResponse.text == OLD_TEXT)
                        .values(created_at=long_ago, updated_at=long_ago))
        session.add(OutboxMessage(dedupe_key="alert:old:finance:slack", destination="slack", kind="alert",
                                  payload={"quote": OLD_TEXT}, status="delivered", created_at=long_ago))


def _texts(url: str) -> str:
    """Every stored answer and piece of evidence, in one string to search."""
    with db_session(url) as session:
        return repr([(r.text, [a.evidence for a in r.attributions]) for r in session.scalars(select(FeedbackResponse))])


def test_purge_expired_erases_old_free_text_and_keeps_scores(tmp_path: Path, tmp_database: str, capsys) -> None:
    _seed(tmp_database, old_days=400)
    inbox = tmp_path / "var" / "customer_messages.jsonl"
    with open_private(inbox) as handle:
        handle.write(json.dumps({"received_at": "2020-01-01T00:00:00+00:00", "recipient_id": "C-old"}) + "\n")
        handle.write(json.dumps({"received_at": utcnow().isoformat() + "+00:00", "recipient_id": "C-new"}) + "\n")
    done = siloscope(cli_env(tmp_path), "customer", "purge-expired", "--by", "ops")  # shipped window: 365 days
    assert done.returncode == 0, done.stderr
    with db_session(tmp_database) as session:
        old, new = session.scalars(select(FeedbackResponse).order_by(FeedbackResponse.id)).all()
        old_evidence = session.scalars(select(Attribution.evidence).where(Attribution.response_id == old.id)).all()
        assert (old.text, old.score, old.primary_silo) == (None, 1, "finance")  # the numbers stay for reports
        assert old_evidence and set(old_evidence) == {None}
        assert new.text == NEW_TEXT
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert",
                                                           OutboxMessage.status == "delivered")).all() == []
    assert "C-old" not in inbox.read_text() and "C-new" in inbox.read_text()
    assert main(["customer", "audit"]) == 0
    (audit,) = json.loads(capsys.readouterr().out)
    assert (audit["action"], audit["actor"], audit["counts"]["texts"]) == ("purge_expired", "ops", 1)
    again = siloscope(cli_env(tmp_path), "customer", "purge-expired")
    assert again.returncode == 0 and "texts 0" in again.stdout


def test_the_web_service_sweeps_on_its_own(tmp_path: Path, tmp_database: str) -> None:
    _seed(tmp_database, old_days=40)
    env = cli_env(tmp_path, retention_days=30, sweep_minutes=0.01)
    web = WebService({k: env[k] for k in ("DATABASE_URL", "SILOSCOPE_VAR", "SILOSCOPE_CONFIG")}, tmp_path / "web.log")
    try:
        deadline = time.monotonic() + 60
        while OLD_TEXT in _texts(tmp_database) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        web.stop()
    texts = _texts(tmp_database)
    assert OLD_TEXT not in texts and NEW_TEXT in texts

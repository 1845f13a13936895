"""Where the launcher tells Rasa to keep conversations, from the environment."""

from __future__ import annotations

import pytest

from bot.conversation_store import rasa_stores
from bot.errors import UsageError


def test_by_default_conversations_go_to_the_feedback_database() -> None:
    stores = rasa_stores({}, "sqlite:////srv/siloscope/var/siloscope.db")
    sqlite = {"type": "SQL", "dialect": "sqlite", "db": "/srv/siloscope/var/siloscope.db"}
    assert stores.endpoints == {"tracker_store": sqlite}
    assert stores.env == {}


def test_a_postgresql_password_is_passed_by_environment_never_written() -> None:
    stores = rasa_stores({}, "postgresql+psycopg2://bot:s3cr%40t@db.internal:5433/feedback?sslmode=require")
    assert stores.endpoints["tracker_store"] == {
        "type": "SQL", "dialect": "postgresql+psycopg2", "url": "db.internal", "port": 5433, "db": "feedback",
        "username": "bot", "password": "${SILOSCOPE_TRACKER_STORE_PASSWORD}", "query": {"sslmode": "require"},
    }
    assert stores.env == {"SILOSCOPE_TRACKER_STORE_PASSWORD": "s3cr@t"}


def test_redis_tracker_and_lock_store_when_configured() -> None:
    stores = rasa_stores(
        {"SILOSCOPE_TRACKER_STORE_URL": "redis://:pw@cache:6380/2", "SILOSCOPE_LOCK_STORE_URL": "rediss://cache"},
        "sqlite:////tmp/x.db",
    )
    assert stores.endpoints["tracker_store"] == {
        "type": "redis", "url": "cache", "port": 6380, "db": 2, "password": "${SILOSCOPE_TRACKER_STORE_PASSWORD}",
        "use_ssl": False,
    }
    assert stores.endpoints["lock_store"] == {"type": "redis", "url": "cache", "port": 6379, "db": 1, "use_ssl": True}
    assert stores.env == {"SILOSCOPE_TRACKER_STORE_PASSWORD": "pw"}


def test_in_memory_only_when_asked_for() -> None:
    assert rasa_stores({"SILOSCOPE_TRACKER_STORE_URL": "memory"}, "sqlite:////tmp/x.db").endpoints == {}


@pytest.mark.parametrize(
    ("environ", "database_url"),
    [({}, "sqlite://"), ({}, "sqlite:///:memory:"), ({"SILOSCOPE_LOCK_STORE_URL": "postgresql://db/x"}, "sqlite:////x.db"),
     ({"SILOSCOPE_TRACKER_STORE_URL": "not a url"}, "sqlite:////x.db")],
)
def test_a_store_that_cannot_keep_conversations_is_refused(environ: dict, database_url: str) -> None:
    with pytest.raises(UsageError):
        rasa_stores(environ, database_url)

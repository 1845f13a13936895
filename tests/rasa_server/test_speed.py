"""``rasa_server.speed``: Rasa's check of action server answers and its SQLite tracker store, cheaper."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from rasa_server import speed

GOOD = {"events": [{"event": "slot", "name": "score", "value": 2, "timestamp": None}],
        "responses": [{"response": "utter_ask_feedback_text"}]}
BAD = [{"events": [{"event": "no_such_event"}]}, {"events": "not a list"}, {"responses": [3]}]


def _error(result: dict) -> str:
    with pytest.raises(jsonschema.ValidationError) as raised:
        RemoteAction("validate_feedback_form", None)._validate_action_result(result)
    return raised.value.message


@pytest.fixture()
def installed() -> Iterator[None]:
    speed.install()
    try:
        yield
    finally:
        speed.uninstall()


def test_the_same_answers_are_accepted_and_refused_with_the_same_message() -> None:
    rasa_says = [_error(result) for result in BAD]
    speed.install()
    try:
        assert RemoteAction("x", None)._validate_action_result(GOOD) is True
        assert [_error(result) for result in BAD] == rasa_says
    finally:
        speed.uninstall()


def test_the_schema_is_checked_once_not_on_every_answer(installed: None) -> None:
    speed._validator.cache_clear()
    with mock.patch.object(jsonschema.Draft202012Validator, "check_schema",
                           wraps=jsonschema.Draft202012Validator.check_schema) as check:
        for _ in range(5):
            RemoteAction("x", None)._validate_action_result(GOOD)
    assert check.call_count == 1


def test_the_sqlite_tracker_store_waits_for_the_lock_and_skips_fsync_only_in_wal_mode(installed: None,
                                                                                      tmp_path) -> None:
    import sqlite3

    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import text

    for name, journal in (("wal.db", "wal"), ("rollback.db", "delete")):
        path = tmp_path / name
        sqlite3.connect(path).execute(f"PRAGMA journal_mode={journal}").close()
        store = SQLTrackerStore(None, dialect="sqlite", db=str(path))
        with store.engine.connect() as connection:
            busy = connection.execute(text("PRAGMA busy_timeout")).scalar()
            synchronous = connection.execute(text("PRAGMA synchronous")).scalar()
        assert busy == speed.BUSY_TIMEOUT_MS
        assert synchronous == (1 if journal == "wal" else 2), name  # NORMAL only where WAL keeps it crash-safe


def test_event_classes_are_found_by_name_as_rasa_finds_them(installed: None) -> None:
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is speed._ORIGINAL_RESOLVE(cls.type_name)
    assert (Event.resolve_by_type("slot"), Event.resolve_by_type("user")) == (SlotSet, UserUttered)
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", ActionExecuted) is ActionExecuted
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")

    class LateEvent(SlotSet):  # a class imported after the table was built is still found
        type_name = "siloscope_late_test_event"

    assert Event.resolve_by_type("siloscope_late_test_event") is LateEvent
    assert Event.from_parameters({"event": "slot", "name": "score", "value": 2}) == SlotSet("score", 2)

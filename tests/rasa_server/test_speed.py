"""``rasa_server.speed``: Rasa's check of action server answers and its SQLite tracker store, cheaper."""

from __future__ import annotations

import asyncio
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
            for bad in BAD:  # the answers the short check refuses are checked in full
                with pytest.raises(jsonschema.ValidationError):
                    RemoteAction("x", None)._validate_action_result(bad)
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


def test_the_short_check_accepts_exactly_what_the_whole_schema_accepts(installed: None) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    events = [e.as_dict() for e in (SlotSet("score", 2), ActionExecuted("action_listen"), BotUttered("hi"),
                                    UserUttered("late again", {"name": "give_feedback", "confidence": 0.9}),
                                    SessionStarted())]
    schema = RemoteAction.action_response_format_spec()
    answers = [GOOD, *BAD, {"events": events, "responses": []}, {}, [], {"events": [{"event": "slot"}]},
               {"events": [{"event": 3}]}, {"events": [{"event": "user", "text": 5}]},
               {"events": [{"name": "score", "value": 1}]}, {"events": [{"event": "slot", "name": 1, "value": 1}]},
               {"events": [{**events[0], "timestamp": "noon"}]}, {"responses": "none"}]
    for answer in answers:
        whole = jsonschema.Draft202012Validator(schema).is_valid(answer)
        assert speed._passes_short_check(answer) is whole
        if whole:
            assert RemoteAction("x", None)._validate_action_result(answer) is True
        else:
            with pytest.raises(jsonschema.ValidationError):
                RemoteAction("x", None)._validate_action_result(answer)


def _store(tmp_path) -> object:  # type: ignore[no-untyped-def]
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  score:\n    type: any\n    mappings: []\n")
    return SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def test_a_conversation_read_and_saved_keeps_every_event_once_in_order(installed: None, tmp_path) -> None:
    asyncio.run(_read_and_save(_store(tmp_path)))


async def _read_and_save(store) -> None:  # type: ignore[no-untyped-def]
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from sqlalchemy import text

    tracker = await store.get_or_create_tracker("customer-1")  # new: read finds nothing, save writes all
    for turn in range(3):
        tracker = await store.retrieve("customer-1")
        tracker.update(UserUttered(f"answer {turn}"))
        tracker.update(SlotSet("score", turn))
        await store.save(tracker)
    tracker = await store.retrieve("customer-1")
    tracker.update(SessionStarted())  # a new session within the turn, as Rasa starts one
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    assert store._stored_counts == {}  # what a read found is used by the one save after it
    tracker = await store.retrieve("customer-1")
    tracker.update(SlotSet("score", 5))
    store._stored_counts.clear()  # a save with no read before it counts the stored events, as Rasa does
    await store.save(tracker)

    with store.engine.connect() as connection:
        types = [row[0] for row in connection.execute(text("SELECT type_name FROM events ORDER BY id"))]
    assert types == ["action"] + ["user", "slot"] * 3 + ["session_started", "action", "slot"]
    again = await store.retrieve("customer-1")  # the latest session only, as before
    assert [e.type_name for e in again.events] == ["session_started", "action", "slot"]
    full = await store.retrieve_full_tracker("customer-1")
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["answer 0", "answer 1", "answer 2"]
    assert full.get_slot("score") == 5


def test_reads_with_no_save_after_them_are_not_remembered_forever(installed: None, tmp_path, monkeypatch) -> None:
    store = _store(tmp_path)
    monkeypatch.setattr(speed, "MAX_REMEMBERED", 5)
    for number in range(12):
        asyncio.run(store.retrieve(f"reader-{number}"))
    assert len(store._stored_counts) <= 5


def test_a_deleted_tracker_database_fails_the_save_instead_of_writing_into_the_unlinked_file(
    installed: None, tmp_path
) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    store = _store(tmp_path)
    path = tmp_path / "tracker.db"
    asyncio.run(store.get_or_create_tracker("customer-1"))
    with sqlite3.connect(path) as source, sqlite3.connect(tmp_path / "backup.db") as target:
        source.backup(target)
    for name in ("tracker.db", "tracker.db-wal", "tracker.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(OperationalError):
        asyncio.run(store.get_or_create_tracker("customer-2"))
    assert not path.exists(), "no new, empty tracker database where the real one went missing"

    (tmp_path / "backup.db").rename(path)  # restored: the conversations go on in it
    asyncio.run(store.get_or_create_tracker("customer-3"))
    with sqlite3.connect(path) as connection:
        senders = {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}
    assert senders == {"customer-1", "customer-3"}

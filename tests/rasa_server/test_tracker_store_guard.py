"""Inside Rasa: a tracker store that cannot be reached fails the message, never starts a new conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import PROJECT_ROOT
from rasa_server import tracker_store_guard
from rasa_server.tracker_store_guard import ConversationStoreUnavailable

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def test_an_unreadable_tracker_store_raises_instead_of_answering_a_new_conversation(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    primary = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(folder / "rasa.db"))
    guarded = FailSafeTrackerStore(primary)
    tracker = DialogueStateTracker.from_events("customer-1", [SlotSet("touchpoint", "delivery")])
    asyncio.run(guarded.save(tracker))
    primary.engine.dispose()
    (folder / "rasa.db").unlink()
    folder.rmdir()  # the volume is gone: SQLite can neither read nor create the file

    # Rasa's own behaviour, the finding: no tracker (a new, empty conversation) and a save kept nowhere.
    assert asyncio.run(guarded.retrieve("customer-1")) is None

    tracker_store_guard.install()
    try:
        with pytest.raises(ConversationStoreUnavailable, match="SQLTrackerStore unavailable"):
            asyncio.run(guarded.retrieve("customer-1"))
        with pytest.raises(ConversationStoreUnavailable):
            asyncio.run(guarded.save(tracker))
        assert asyncio.run(guarded.fallback_tracker_store.retrieve("customer-1")) is None, "nothing kept aside"
    finally:
        _uninstall()


def _uninstall() -> None:
    """Other tests in this process see Rasa as it ships (the guard is installed only by rasa_server.main)."""
    for name in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
        setattr(FailSafeTrackerStore, name, ORIGINAL[name])


ORIGINAL = {name: getattr(FailSafeTrackerStore, name)
            for name in ("on_tracker_store_error", "on_tracker_store_retrieve_error")}

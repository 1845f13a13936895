"""Costs of Rasa 3.6 per turn that are not about understanding the customer, taken away.

**Action server answers.** Rasa checks every action server answer against a JSON schema.
Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every
custom action call. That function first validates the *schema* against its draft 2020-12
metaschema, every time, and that alone was a fifth of the Rasa process's time per turn (profiled
with py-spy: 82 % of ``RemoteAction.run`` in ``jsonschema``, ``check_schema`` most of it;
docs/reliability.md "Speed"). The schema never changes, so it is checked once and the same
validator is reused: the answer is still validated exactly as before, with the same error.

**The tracker store on SQLite.** Rasa's ``SQLTrackerStore`` runs its queries synchronously in the
event loop, and with 100 customers at once the workers and the action server queue for the
one SQLite writer lock: over a quarter of a worker's time went to waiting on commits and locks. Its
connections get (1) SQLite's busy timeout of Siloscope's own engine (30 s instead of 5 s: a
save that fails with "database is locked" makes Rasa fall back to an in-memory tracker for that
conversation) and (2) ``synchronous=NORMAL`` in WAL mode: a commit survives a crash of any
process (kill -9) and waits for no fsync; only the last turns' conversation state (never a
stored answer: the action server's own connections stay ``FULL``) could roll back if the
machine itself loses power.

**Checking each event once.** An event must match exactly one of the ~20 alternatives of Rasa's
event schema (``oneOf``), so the full check tries every alternative on every event of every answer:
7 % of a worker with a hundred customers. The alternatives differ by their ``event`` name, so an
event that passes the common part and the one alternative of its name passes the whole schema; an
answer that fails this short check is checked again in full, so the same error is raised.

**Reading and writing a conversation.** With a hundred customers 38 % of a worker went to Rasa's
``SQLTrackerStore``: every read built an ORM object per event to take its ``data`` column, every
save counted the stored events again with the same query, and on SQLite every session opened a new
connection (and set its pragmas). Now a read selects only ``data``; the number of rows it read is
remembered for that conversation, and the save that follows (under the same conversation lock)
appends the events after them without counting again; a save with no read before it counts as
Rasa does. SQLite connections are pooled (as SQLAlchemy 2 does for files), each set up once, and
dropped when the file they opened is no longer the one at the path (``bot.store.sqlite_file``): a
deleted database fails the turn (503, send it again) instead of being written into unlinked.

**Reading a tracker.** Every event Rasa reads back from the tracker store is matched to its class
by walking all subclasses of ``Event`` (``inspect.isabstract`` on each) again: about 4 % of a
worker's time with a hundred customers. The classes are looked up by name in a table built from
that same walk (first match wins, as before), built again when a name is missing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events
from rasa.shared.utils.common import all_subclasses
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.store.sqlite_file import bind_to_existing_file, sqlite_file

_ORIGINAL = RemoteAction._validate_action_result
_ORIGINAL_INIT = tracker_store.SQLTrackerStore.__init__
_ORIGINAL_RESOLVE = events.Event.resolve_by_type
_ORIGINAL_RETRIEVE = tracker_store.SQLTrackerStore._retrieve
_ORIGINAL_ADDITIONAL = tracker_store.SQLTrackerStore._additional_events
_EVENT_CLASSES: dict[str, type] = {}
BUSY_TIMEOUT_MS = 30_000  # as bot.store.db's engine
MAX_REMEMBERED = 10_000  # conversations whose stored event count a worker keeps between a read and its save
HELP = (". Failed to validate Action server response from API, make sure your response from the Action "
        "endpoint is valid. For more information about the format visit {docs}/custom-actions")


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _short_check() -> tuple[Any, Any, dict[str, Any]]:
    """Validators for the answer without its events, an event's common part, and each alternative by name."""
    schema = RemoteAction.action_response_format_spec()
    event_schema = schema["properties"]["events"]["items"]
    cls = validator_for(schema)
    outer = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    by_name: dict[str, Any] = {}
    for alternative in event_schema["oneOf"]:
        name = alternative["properties"]["event"]["const"]
        by_name[name] = None if name in by_name else cls(alternative)  # a name twice: no short check for it
    return cls(outer), cls(common), by_name


def _passes_short_check(result: Any) -> bool:
    """True only where the whole schema holds: each event matches its own alternative and no other's name."""
    outer, common, by_name = _short_check()
    if not outer.is_valid(result):
        return False
    for item in result.get("events") or ():
        if not common.is_valid(item):
            return False
        alternative = by_name.get(item["event"])
        if alternative is None or not alternative.is_valid(item):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """What ``jsonschema.validate`` does (best-matching error raised), without re-checking the schema."""
    from rasa.shared.constants import DOCS_BASE_URL

    if _passes_short_check(result):
        return True
    error: ValidationError | None = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += HELP.format(docs=DOCS_BASE_URL)
        raise error
    return True


def _sqlite_tuned(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _tracker_store_init(self: tracker_store.SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL_INIT(self, *args, **kwargs)
    if self.engine.dialect.name == "sqlite":
        url = self.engine.url
        self.engine.dispose()
        self.engine = create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _sqlite_tuned)
        path = sqlite_file(self.engine)
        if path is not None:  # a pooled connection must not outlive its file
            bind_to_existing_file(self.engine, path)
        self.sessionmaker = sessionmaker(bind=self.engine)


async def _retrieve(self: tracker_store.SQLTrackerStore, sender_id: str,
                    fetch_events_from_all_sessions: bool) -> Any:
    """Rasa's ``_retrieve`` reading only the ``data`` column; remembers how many rows the session has."""
    from rasa.shared.core.trackers import DialogueStateTracker

    with self.session_scope() as session:
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
        rows = query.with_entities(self.SQLEvent.data).all()
    if not fetch_events_from_all_sessions:
        counts = self.__dict__.setdefault("_stored_counts", {})
        if len(counts) >= MAX_REMEMBERED:  # reads with no save after them (the HTTP API) must not pile up
            counts.clear()
        counts[sender_id] = len(rows)
    if self.domain and rows:
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)
    return None


def _additional_events(self: tracker_store.SQLTrackerStore, session: Any, tracker: Any) -> Iterator:
    """The events after those the last read found; counted again as Rasa does when nothing was read."""
    stored = self.__dict__.get("_stored_counts", {}).pop(tracker.sender_id, None)
    if stored is None:
        return _ORIGINAL_ADDITIONAL(self, session, tracker)
    return itertools.islice(tracker.events, stored, len(tracker.events))


def _event_classes() -> dict[str, type]:
    table: dict[str, type] = {}
    for cls in all_subclasses(events.Event):
        table.setdefault(cls.type_name, cls)
    return table


def _resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    """``Event.resolve_by_type`` from a table; a name not in it walks the classes again, then answers as Rasa."""
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        _EVENT_CLASSES.clear()
        _EVENT_CLASSES.update(_event_classes())
        found = _EVENT_CLASSES.get(type_name)
    return found if found is not None else _ORIGINAL_RESOLVE(type_name, default)


def install() -> None:
    """The cached validator, the SQL tracker store's reads and saves, event classes by name (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore.__init__ = _tracker_store_init  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore._retrieve = _retrieve  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore._additional_events = _additional_events  # type: ignore[method-assign]
    events.Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[assignment]


def uninstall() -> None:
    RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore.__init__ = _ORIGINAL_INIT  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore._retrieve = _ORIGINAL_RETRIEVE  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore._additional_events = _ORIGINAL_ADDITIONAL  # type: ignore[method-assign]
    events.Event.resolve_by_type = staticmethod(_ORIGINAL_RESOLVE)  # type: ignore[assignment]

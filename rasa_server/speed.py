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

**Reading a tracker.** Every event Rasa reads back from the tracker store is matched to its class
by walking all subclasses of ``Event`` (``inspect.isabstract`` on each) again: about 4 % of a
worker's time with a hundred customers. The classes are looked up by name in a table built from
that same walk (first match wins, as before), built again when a name is missing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events
from rasa.shared.utils.common import all_subclasses
from sqlalchemy import event

_ORIGINAL = RemoteAction._validate_action_result
_ORIGINAL_INIT = tracker_store.SQLTrackerStore.__init__
_ORIGINAL_RESOLVE = events.Event.resolve_by_type
_EVENT_CLASSES: dict[str, type] = {}
BUSY_TIMEOUT_MS = 30_000  # as bot.store.db's engine
HELP = (". Failed to validate Action server response from API, make sure your response from the Action "
        "endpoint is valid. For more information about the format visit {docs}/custom-actions")


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """What ``jsonschema.validate`` does (best-matching error raised), without re-checking the schema."""
    from rasa.shared.constants import DOCS_BASE_URL

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
        self.engine.dispose()  # connections opened while creating the table get the settings too
        event.listen(self.engine, "connect", _sqlite_tuned)


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
    """The cached validator, the SQLite settings for Rasa's tracker store, event classes by name (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore.__init__ = _tracker_store_init  # type: ignore[method-assign]
    events.Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[assignment]


def uninstall() -> None:
    RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[method-assign]
    tracker_store.SQLTrackerStore.__init__ = _ORIGINAL_INIT  # type: ignore[method-assign]
    events.Event.resolve_by_type = staticmethod(_ORIGINAL_RESOLVE)  # type: ignore[assignment]

"""A tracker store that is away fails the message instead of starting the conversation over.

Rasa 3.6 wraps every tracker store in ``FailSafeTrackerStore``: when the store cannot be read
(PostgreSQL stopped, Redis gone) ``retrieve`` returns None, and Rasa carries on with a **new, empty**
conversation; a failed ``save`` goes to an in-memory store that nobody reads again. A customer in
the middle of a survey would have their next answer read as the start of a new conversation,
without customer, touchpoint or order, and the survey they were on would stay partial.

``install()`` makes both errors raise :class:`ConversationStoreUnavailable` instead: the message
fails as a whole, the doors answer 503 "please send it again" (``rasa_server.rest``), a survey
trigger is retried by the outbox, and nothing of the turn is kept half. Once the store is back
the conversation goes on where it was.
"""

from __future__ import annotations

import logging

from rasa.core.tracker_store import FailSafeTrackerStore

log = logging.getLogger(__name__)


class ConversationStoreUnavailable(RuntimeError):
    """Rasa's tracker store could not be read or written: the message is not taken."""


def _refuse(self: FailSafeTrackerStore, error: Exception) -> None:
    store = type(self._tracker_store).__name__
    log.error("tracker store %s unavailable, message not taken: %s", store, " ".join(str(error).split())[:500])
    raise ConversationStoreUnavailable(f"{store} unavailable: {error}") from error


def install() -> None:
    """Replace FailSafeTrackerStore's fall-backs by a refusal (idempotent)."""
    FailSafeTrackerStore.on_tracker_store_error = _refuse  # type: ignore[method-assign]
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _refuse  # type: ignore[method-assign]

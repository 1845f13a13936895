"""Rasa's Redis lock store, made safe for several processes at once.

Rasa 3.6's ``RedisLockStore`` keeps a conversation's ticket lock as one Redis value and changes
it by read, change, write: ``issue_ticket``, ``update_lock`` and ``cleanup`` each ``GET`` the lock,
change it in Python and ``SET`` or ``DELETE`` it. Two processes doing that for one conversation at
the same moment lose one change: a ticket issued while another process cleans up its own is
deleted with the lock, and the waiting turn fails with ``LockError`` ("Could not acquire lock")
although nobody holds it (seen with three processes on one conversation under load). Here each of
those changes is one Redis transaction on the lock's key (``WATCH``, then ``MULTI``/``EXEC``, again
from the read when another process wrote in between), so every ticket survives and the lock is
deleted only when no ticket is left.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

_ORIGINALS = {name: getattr(RedisLockStore, name) for name in ("issue_ticket", "update_lock", "cleanup")}
KEEP = object()  # a change that leaves the stored lock as it is


def _change(store: RedisLockStore, conversation_id: str,
            change: Callable[[TicketLock | None], tuple[Any, Any]]) -> Any:
    """Apply ``change`` (lock → (new lock, None to delete, or KEEP), result) atomically; return the result."""
    key = store.key_prefix + conversation_id
    while True:
        with store.red.pipeline() as pipe:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                new, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                if new is KEEP:
                    return result
                pipe.multi()
                if new is None:
                    pipe.delete(key)
                else:
                    pipe.set(key, new.dumps())
                pipe.execute()
                return result
            except redis.WatchError:
                continue  # another process changed the lock after we read it: read it again


def issue_ticket(self: RedisLockStore, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
    def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
        lock = lock or TicketLock(conversation_id)
        return lock, lock.issue_ticket(lock_lifetime)

    try:
        return _change(self, conversation_id, issue)
    except Exception as exc:  # as Rasa's: any failure to issue is a LockError
        raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc


def update_lock(self: RedisLockStore, conversation_id: str) -> None:
    def drop_expired(lock: TicketLock | None) -> tuple[Any, None]:
        if lock is None:
            return KEEP, None
        lock.remove_expired_tickets()
        return lock, None

    _change(self, conversation_id, drop_expired)


def cleanup(self: RedisLockStore, conversation_id: str, ticket_number: int) -> None:
    """Rasa's ``finish_serving`` then ``cleanup``, as one change: the lock goes when no ticket is left."""
    def finish(lock: TicketLock | None) -> tuple[Any, None]:
        if lock is not None:
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                return lock, None
        return None, None

    _change(self, conversation_id, finish)


def install() -> None:
    """Atomic ticket changes for every RedisLockStore (idempotent)."""
    RedisLockStore.issue_ticket = issue_ticket  # type: ignore[method-assign]
    RedisLockStore.update_lock = update_lock  # type: ignore[method-assign]
    RedisLockStore.cleanup = cleanup  # type: ignore[method-assign]


def uninstall() -> None:
    for name, method in _ORIGINALS.items():
        setattr(RedisLockStore, name, method)

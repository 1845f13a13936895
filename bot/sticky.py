"""Which Rasa worker owns a conversation: the one rule the front and the workers share.

Several Rasa processes use both cores, but Rasa's default lock store lives inside one process:
two workers handling the same conversation at once would both read its tracker and one turn
would overwrite the other. So every message of a conversation goes to one worker, chosen by a
stable hash of its id (the same on every front and after restarts). A socket.io connection is
bound to the worker that opened it: each worker prefixes the engine.io session ids it issues
with its own number, so the front can send the connection's later polls and its websocket
upgrade back to it without keeping any table.
"""

from __future__ import annotations

import hashlib
import os
import re

WORKER_ENV = "SILOSCOPE_RASA_WORKER"  # this Rasa process's number (0-based), set by the launcher
_SID = re.compile(r"w(\d{2})\.")


def worker_for(key: str, workers: int) -> int:
    """The worker (0..workers-1) that owns conversation ``key``; stable across processes."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % workers


def worker_sid(index: int, sid: str) -> str:
    """An engine.io session id that names the worker which issued it."""
    return f"w{index:02d}.{sid}"


def worker_of_sid(sid: str, workers: int) -> int | None:
    """The worker that issued engine.io session ``sid``, or None for a sid no worker of ours issued."""
    match = _SID.match(sid)
    if not match:
        return None
    index = int(match.group(1))
    return index if index < workers else None


def this_worker() -> int | None:
    """This Rasa process's number when it runs as one of several workers, else None."""
    raw = os.environ.get(WORKER_ENV, "").strip()
    return int(raw) if raw.isdigit() else None

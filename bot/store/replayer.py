"""Background replay of the spool, so answers kept during an outage reach the database without a new one.

Every write replays the spool first, but after an outage at night nobody may write for hours:
the answers would sit in ``var/spool`` and be missing from every report. A server process runs
:func:`replay_forever`: every ``SILOSCOPE_SPOOL_REPLAY_SECONDS`` (15 by default) it replays what is
spooled, in order, through the same feedback service. It never waits for the spool's lock: a
process that holds it is appending or replaying already, so several replayers (action servers,
workers) take turns instead of queueing, and a customer's write is never held up by one.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

from bot.errors import UsageError
from bot.feedback import FeedbackService, get_feedback_service
from bot.store.spool import SpoolBusy, SpoolWriteError, Transient

log = logging.getLogger(__name__)

INTERVAL_VARIABLE = "SILOSCOPE_SPOOL_REPLAY_SECONDS"
DEFAULT_INTERVAL = 15.0


def replay_interval() -> float:
    """Seconds between two background replays; a value that is not a positive number is refused."""
    raw = os.environ.get(INTERVAL_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_INTERVAL
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise UsageError(f"{INTERVAL_VARIABLE} must be a number of seconds between 0 and 3600, not {raw!r}")
    return seconds


def replay_once(service: FeedbackService) -> int:
    """One background pass: how many spooled records reached the database (or the dead letters)."""
    if not service.spool.pending():
        return 0
    try:
        return service.replay_spool(wait=False)
    except SpoolBusy:
        return 0  # another process is replaying or appending; the next pass looks again
    except Transient as exc:
        log.warning("spooled feedback waits: the database is still unavailable (%s)", " ".join(str(exc).split()))
    except SpoolWriteError as exc:
        log.critical("spool replay stopped: a record cannot be set aside (%s)", exc)
    return 0


async def replay_forever(interval: float, service: Callable[[], FeedbackService] = get_feedback_service) -> None:
    """Replay every ``interval`` seconds until cancelled; a failed pass never ends the loop."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        try:
            await loop.run_in_executor(None, replay_once, service())
        except Exception:
            log.exception("background spool replay failed; trying again in %.0fs", interval)

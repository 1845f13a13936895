"""The retention sweep of the web service: free text older than ``privacy.retention_days`` is erased.

It runs once after start and then every ``privacy.sweep_minutes``, beside the outbox loop
(``bot.web.webhooks``); ``siloscope customer purge-expired`` does the same by hand. Without
``retention_days`` nothing runs. What is erased and what stays: ``bot/privacy/rights.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import partial

from sanic import Blueprint, Sanic
from sqlalchemy.exc import SQLAlchemyError

from bot.privacy.rights import purge_expired
from bot.store.db import engine_for, session_factory

log = logging.getLogger(__name__)
blueprint = Blueprint("siloscope_retention")


async def _sweep_forever(app: Sanic, retention_days: int, every_seconds: float) -> None:
    factory = session_factory(engine_for(app.ctx.settings.database_url))
    loop = asyncio.get_running_loop()
    while True:
        try:
            counts = await loop.run_in_executor(None, partial(purge_expired, factory, retention_days))
            if any(counts.values()):
                log.info("retention: free text older than %d days erased: %s", retention_days, counts)
        except SQLAlchemyError as exc:
            log.error("retention sweep paused, database unavailable: %s", exc)
        except Exception:  # the loop must outlive one bad pass, or old text is kept for ever
            log.exception("retention sweep failed")
        await asyncio.sleep(every_seconds)


@blueprint.listener("after_server_start")
async def _start_sweep(app: Sanic) -> None:
    config = app.ctx.settings.privacy
    app.ctx.retention = None
    if config.retention_days is not None:
        app.ctx.retention = asyncio.get_running_loop().create_task(
            _sweep_forever(app, config.retention_days, config.sweep_minutes * 60))


@blueprint.listener("before_server_stop")
async def _stop_sweep(app: Sanic) -> None:
    task = getattr(app.ctx, "retention", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

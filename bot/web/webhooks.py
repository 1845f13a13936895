"""Inbound touchpoint webhooks and the outbox delivery loop of the web service.

Routes: ``POST /webhooks/touchpoint`` (the native event, ``X-Siloscope-Signature``) and one
route per native adapter (``/webhooks/zendesk``, ``/webhooks/shopify``, ``/webhooks/stripe``),
each checking its tool's own signature. Answers: 202 accepted, 200 duplicate/ignored, and for
refusals a JSON ``{"status": "refused", "reason": ..., "message": ...}`` with 400 (malformed
JSON), 401 (missing or wrong signature), 403 (customer opted out), 413 (body too large),
422 (schema, unknown touchpoint or silo), 429 (customer surveyed within the window), or 503
when the route's secret is not configured or the database is down (so the tool retries later).

The tools' routes answer the way their senders expect. A retry cannot change a decision about
the customer (opted out, surveyed within the window, nobody to survey), while a tool retries
what is not 2xx (Stripe for three days, Shopify eight times; Zendesk retries some codes and
trips a circuit breaker), so those decisions are ``200 {"status": "ignored", "reason": ...,
"message": ...}`` there. Bad signatures and malformed bodies stay 4xx. Either way nothing is stored.

A background task delivers the outbox (survey triggers and alerts) every ``outbox.poll_seconds``
and right after an event is accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.channels.adapters import ADAPTERS, Ignored, verify
from bot.channels.events import EventRejected, TouchpointEventIn, native_event, parse_json
from bot.channels.intake import accept_event
from bot.channels.outbox import deliver_due
from bot.channels.signing import MissingSignature, SignatureError, verify_siloscope
from bot.channels.transports import Transports
from bot.settings import Settings
from bot.settings.sections import SILOSCOPE_SECRET_ENV, OutboxConfig, WebhookConfig
from bot.store.db import engine_for, session_factory
from bot.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)
blueprint = Blueprint("siloscope_webhooks", url_prefix="/webhooks")


@dataclass
class _Runtime:
    webhooks: WebhookConfig
    outbox: OutboxConfig
    silos_file: Path
    factory: sessionmaker
    transports: Transports
    wake: asyncio.Event | None = None
    worker: asyncio.Task | None = None

    @property
    def taxonomy(self) -> Taxonomy:
        """The current ``silos.yml``: an edit reaches the webhooks as it reaches the chat and attribution."""
        return load_taxonomy(self.silos_file)


def _runtime(app: Sanic) -> _Runtime:
    runtime = getattr(app.ctx, "channels", None)
    if runtime is None:
        settings: Settings = app.ctx.settings
        webhooks, outbox = settings.webhooks, settings.outbox
        runtime = _Runtime(
            webhooks=webhooks,
            outbox=outbox,
            silos_file=settings.silos_file,
            factory=session_factory(engine_for(settings.database_url)),
            transports=Transports(webhooks, settings.alerts, outbox),
        )
        app.ctx.channels = runtime
    return runtime


# Refusals about the customer, not the request: a tool's retry would get the same answer.
POLICY_REFUSALS = frozenset({"customer_opted_out", "customer_recently_surveyed"})


def _refuse(status: int, reason: str, message: str) -> HTTPResponse:
    return json({"status": "refused", "reason": reason, "message": message}, status=status)


async def _receive(request: Request, source: str) -> HTTPResponse:
    runtime = _runtime(request.app)
    config = runtime.webhooks
    body: bytes = request.body or b""
    try:
        if len(body) > config.max_body_bytes:
            raise EventRejected(413, "body_too_large", f"body is {len(body)} bytes; the limit is "
                                                       f"{config.max_body_bytes} (webhooks.max_body_bytes)")
        if source == "siloscope":
            secret, secret_env = config.secret, SILOSCOPE_SECRET_ENV
        else:
            secret, secret_env = config.sources[source].secret, config.sources[source].secret_env
        if not secret:
            return _refuse(503, "not_configured", f"webhook secret not configured: set {secret_env} on the server")
        try:
            if source == "siloscope":
                verify_siloscope(secret, body, request.headers.get("X-Siloscope-Signature"))
            else:
                verify(source, secret, body, request.headers, config.signature_tolerance_seconds)
        except SignatureError as exc:
            reason = "missing_signature" if isinstance(exc, MissingSignature) else "bad_signature"
            return _refuse(401, reason, str(exc))
        data: Any = parse_json(body)
        if source == "siloscope":
            event: TouchpointEventIn | Ignored = native_event(data, runtime.taxonomy)
        else:
            event = ADAPTERS[source](data, request.headers, config.sources[source], runtime.taxonomy)
        if isinstance(event, Ignored):
            return json(event.as_json())
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, partial(accept_event, runtime.factory, event, config))
    except EventRejected as exc:
        if source != "siloscope" and exc.reason in POLICY_REFUSALS:
            return json(Ignored(exc.reason, exc.message).as_json())
        return json(exc.as_json(), status=exc.status)
    except SQLAlchemyError as exc:
        log.error("touchpoint event not stored, database unavailable: %s", exc)
        return _refuse(503, "store_unavailable", "the event could not be stored; please retry later")
    if result.status == "accepted" and runtime.wake is not None:
        runtime.wake.set()
    return json(result.as_json(), status=202 if result.status == "accepted" else 200)


@blueprint.post("/touchpoint")
async def touchpoint(request: Request) -> HTTPResponse:
    return await _receive(request, "siloscope")


def _adapter_route(name: str) -> None:
    async def handler(request: Request) -> HTTPResponse:
        if name not in _runtime(request.app).webhooks.sources:
            return _refuse(404, "unknown_source", f"no webhooks.sources.{name} in siloscope.yml")
        return await _receive(request, name)

    blueprint.add_route(handler, f"/{name}", methods=["POST"], name=f"native_{name}")


for _name in ADAPTERS:
    _adapter_route(_name)


async def _deliver_forever(app: Sanic) -> None:
    """Deliver due outbox messages every poll interval, or at once when woken by an accepted event."""
    runtime = _runtime(app)
    assert runtime.wake is not None
    loop = asyncio.get_running_loop()
    while True:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(runtime.wake.wait(), timeout=runtime.outbox.poll_seconds)
        runtime.wake.clear()
        try:
            report = await loop.run_in_executor(
                None, partial(deliver_due, runtime.factory, runtime.transports.send, runtime.outbox)
            )
            if report.delivered or report.failed or report.dead:
                log.info("outbox: %s", report.summary())
        except SQLAlchemyError as exc:
            log.error("outbox delivery paused, database unavailable: %s", exc)
        except Exception:  # the loop must outlive any one bad pass, or nothing is ever delivered again
            log.exception("outbox delivery pass failed")


@blueprint.listener("after_server_start")
async def _start_worker(app: Sanic) -> None:
    runtime = _runtime(app)
    runtime.wake = asyncio.Event()
    runtime.worker = asyncio.get_running_loop().create_task(_deliver_forever(app))


@blueprint.listener("before_server_stop")
async def _stop_worker(app: Sanic) -> None:
    runtime = _runtime(app)
    if runtime.worker is not None:
        runtime.worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runtime.worker

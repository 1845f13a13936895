"""What the dashboard shows, downloadable: the report itself, and the raw responses behind it.

The report export returns exactly the report on the page (CSV, JSON or HTML). The raw export
returns the responses the page counts (its window and filters), one record each, written by
``siloscope export``'s own writers, so the two doors give the same columns and the same
spreadsheet safety (``bot.privacy.spreadsheet``; stored text is already redacted). The records
are read in batches in a worker thread and streamed, so a large window neither blocks the
service nor sits in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import partial
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text

from analytics.drilldown import responses_matching
from analytics.render import render
from analytics.service import ReportOptions, make_report
from bot.commands.export import write_csv, write_json
from bot.errors import UsageError
from bot.settings import Settings
from bot.store.db import engine_for, session_factory
from bot.store.repository import export_records
from bot.web.dashboard_access import in_thread, require_token
from bot.web.dashboard_filters import CUSTOM, RAW_EXPORTS, REPORT_EXPORTS, options_dict

log = logging.getLogger(__name__)
blueprint = Blueprint("dashboard_exports", url_prefix="/dashboard/export")
blueprint.on_request(require_token)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}
REPORT_TYPES = {fmt: CONTENT_TYPES[fmt] for fmt in REPORT_EXPORTS}
RAW_TYPES = {fmt: CONTENT_TYPES[fmt] for fmt in RAW_EXPORTS}
BATCH = 1000  # responses per read; the export's memory stays at one batch
FLUSH = 64 * 1024  # characters sent to the browser at once


def _options(request: Request) -> ReportOptions:
    values = options_dict(request)
    if values.get("since") == CUSTOM:
        raise UsageError("custom dates: choose the first day of the period")
    return ReportOptions.from_query(values)


@blueprint.get("/<fmt>")
async def export_report(request: Request, fmt: str) -> HTTPResponse:
    """The report on the page, as a file."""
    settings: Settings = request.app.ctx.settings
    if fmt not in REPORT_TYPES:
        return text(f"unknown export format '{fmt}'; use one of {', '.join(REPORT_TYPES)}", status=404)
    try:
        report = await in_thread(partial(make_report, _options(request), settings=settings))
    except UsageError as exc:
        return text(str(exc), status=400)
    filename = f"siloscope-report-{report.group_by}-{report.start}-{report.end}.{fmt}"
    return HTTPResponse(render(report, fmt), content_type=REPORT_TYPES[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class _Pipe:
    """A text file for ``write_csv``/``write_json`` in a worker thread that hands full chunks to the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        self.loop, self.queue, self.parts, self.size = loop, queue, list[str](), 0

    def write(self, part: str) -> int:
        self.parts.append(part)
        self.size += len(part)
        if self.size >= FLUSH:
            self.flush()
        return len(part)

    def flush(self) -> None:
        if self.parts:
            chunk, self.parts, self.size = "".join(self.parts), [], 0
            asyncio.run_coroutine_threadsafe(self.queue.put(chunk), self.loop).result()


def _records(settings: Settings, ids: list[int]) -> Iterator[dict[str, Any]]:
    with session_factory(engine_for(settings.database_url))() as session:
        for start in range(0, len(ids), BATCH):
            yield from export_records(session, response_ids=ids[start:start + BATCH])


@blueprint.get("/responses/<fmt>")
async def export_responses(request: Request, fmt: str) -> HTTPResponse | None:
    """The responses behind the page (its window and filters), as ``siloscope export`` writes them."""
    settings: Settings = request.app.ctx.settings
    if fmt not in RAW_TYPES:
        return text(f"unknown export format '{fmt}'; use one of {', '.join(RAW_TYPES)}", status=404)
    try:
        ids: list[int] = await in_thread(partial(responses_matching, _options(request), settings=settings))
    except UsageError as exc:
        return text(str(exc), status=400)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=16)
    pipe = _Pipe(loop, queue)
    writer = write_csv if fmt == "csv" else write_json

    def produce() -> None:
        try:
            writer(_records(settings, ids), pipe)  # type: ignore[arg-type]  # a write()-only text file
            pipe.flush()
        except Exception:  # the download ends short; the log says why
            log.exception("raw export of %d responses failed", len(ids))
        finally:
            asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    response = await request.respond(content_type=RAW_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="siloscope-responses-{stamp}.{fmt}"',
        "X-Siloscope-Responses": str(len(ids))})
    producer = loop.run_in_executor(None, produce)
    while (chunk := await queue.get()) is not None:
        await response.send(chunk)
    await producer
    await response.eof()
    return None

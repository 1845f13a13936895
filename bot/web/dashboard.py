"""The managers' dashboard on port 8000: the friction report with filters, drill-down and export.

Everything needs the dashboard token (``bot/web/dashboard_access.py``; ``SILOSCOPE_DASHBOARD_TOKEN``, else
generated once into ``var/dashboard_token`` and printed by ``make run``): as ``Authorization: Bearer``, or once as
``?token=`` which sets an HTTP-only cookie and redirects to the same page without it. Without a
valid token every route answers 401 and shows nothing. The page is the HTML report itself (no
script); bars and row names link to the quotes behind them, and the export links return exactly
the report shown, as CSV, JSON or HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html

from analytics.drilldown import (
    QuotePage,
    ThemePage,
    channels_present,
    quotes_behind,
    theme_quotes,
)
from analytics.html import page, quote_html, quote_meta, report_body, subtitle
from analytics.report import FrictionReport
from analytics.service import ReportOptions, load, make_report, window_for
from bot.errors import NoFeedback, UsageError
from bot.settings import Settings
from bot.web.dashboard_access import in_thread, require_token
from bot.web.dashboard_filters import CUSTOM, filter_form, options_dict, page_number, query

blueprint = Blueprint("dashboard", url_prefix="/dashboard")
QUOTES_PER_PAGE = 25
PAGE_LINKS = ('<p><a href="/dashboard/review">Answers to review, least sure first</a> · '
               '<a href="/dashboard/cases">Cases to work, per department</a> · '
               '<a href="/dashboard/journeys">Customers\' journeys</a></p>')


blueprint.on_request(require_token)


def _drill_link(values: dict[str, str], by: str) -> Callable[[str], str]:
    def link(key: str) -> str:
        return f"/dashboard/quotes?{query({**values, 'by': by, 'key': key})}"

    return link


def _handoff_link(values: dict[str, str]) -> Callable[[str, str], str]:
    def link(source: str, target: str) -> str:
        return f"/dashboard/quotes?{query({**values, 'from': source, 'to': target})}"

    return link


def _theme_link(values: dict[str, str]) -> Callable[[str], str]:
    def link(name: str) -> str:
        return f"/dashboard/themes?{query({**values, 'theme': name})}"

    return link


def _response_link(response_id: int) -> str:
    return f"/dashboard/responses/{response_id}"


async def _form(settings: Settings, values: dict[str, str]) -> str:
    """The filter form with the channels in the store and the period the changes compare with."""
    channels: list[str] = await in_thread(partial(channels_present, settings=settings))
    try:
        compared = window_for(ReportOptions.from_query(values), settings.analytics.timezone).describe_previous()
    except UsageError:
        compared = None  # the page says what is wrong with the dates
    return filter_form(load(settings), channels, values, compared)


async def _error_page(settings: Settings, values: dict[str, str], message: str, status: int) -> HTTPResponse:
    body = await _form(settings, values) + f'<section class="message" role="alert"><p>{escape(message)}</p></section>'
    return html(page("Siloscope dashboard", "Friction by department", body), status=status)


@blueprint.get("/")
async def dashboard(request: Request) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    values = options_dict(request)
    if values.get("since") == CUSTOM:
        return await _error_page(settings, values, "custom dates: choose the first day of the period", 400)
    try:
        report: FrictionReport = await in_thread(partial(make_report, ReportOptions.from_query(values),
                                                          settings=settings))
    except NoFeedback as exc:
        return await _error_page(settings, values, str(exc), 200)
    except UsageError as exc:
        return await _error_page(settings, values, str(exc), 400)
    body = await _form(settings, values) + PAGE_LINKS + report_body(
        report, _drill_link(values, report.group_by), _response_link, _handoff_link(values), _theme_link(values))
    return html(page("Siloscope dashboard", subtitle(report), body))


@blueprint.get("/quotes")
async def quotes(request: Request) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    values = options_dict(request)
    key = (request.args.get("key") or "").strip()
    try:
        number = page_number(request)
    except UsageError as exc:
        return await _error_page(settings, values, str(exc), 400)
    source, target = (request.args.get("from") or "").strip(), (request.args.get("to") or "").strip()
    if bool(source) != bool(target):
        return await _error_page(settings, values, "a hand-off needs both from and to", 400)
    handoff = (source, target) if source else None
    try:
        found: QuotePage = await in_thread(partial(
            quotes_behind, ReportOptions.from_query(values), key, (number - 1) * QUOTES_PER_PAGE,
            QUOTES_PER_PAGE, settings=settings, handoff=handoff))
    except UsageError as exc:
        return await _error_page(settings, values, str(exc), 400)
    items = "".join(
        quote_html(q.response_id, q.text, quote_meta(q, with_silo=True), _response_link) for q in found.quotes
    ) or '<p class="muted">No open answers behind this bar.</p>'
    back = f'<a href="/dashboard?{escape(query(values))}">← back to the dashboard</a>'
    pager = ""
    here = {**values, "key": key, "from": source, "to": target}
    if found.more:
        pager = (f' · <a class="next" href="/dashboard/quotes?{escape(query(here))}'
                 f'&amp;page={number + 1}">older answers →</a>')
    heading = (f"hand-off from {escape(source)} to {escape(target)}" if handoff
               else f'{escape(values.get("by", "silo"))}: {escape(key)}')
    body = (f'<section><p>{back}{pager}</p><h2 id="drilldown">What customers said — {heading}</h2>'
            f'<div id="quotes-list">{items}</div></section>')
    return html(page("Siloscope dashboard: quotes", f"{found.window} · newest first", body))


@blueprint.get("/themes")
async def theme_page(request: Request) -> HTTPResponse:
    """All the answers of one recurring theme, not just the three examples the report shows."""
    settings: Settings = request.app.ctx.settings
    values = options_dict(request)
    name = (request.args.get("theme") or "").strip()
    if not name:
        return await _error_page(settings, values, "choose a theme: the page needs its name", 400)
    try:
        found: ThemePage | None = await in_thread(partial(theme_quotes, ReportOptions.from_query(values), name,
                                                           settings=settings))
    except UsageError as exc:
        return await _error_page(settings, values, str(exc), 400)
    back = f'<a href="/dashboard?{escape(query(values))}">← back to the dashboard</a>'
    if found is None:
        return html(page("Siloscope dashboard: theme", "Theme not found",
                         f"<section><p>{back}</p><p>No theme '{escape(name)}' in this period and filters any "
                         "more: newer answers may have regrouped the themes.</p></section>"), status=404)
    mostly = ", ".join(f"{escape(s.replace('_', ' '))} {n}" for s, n in found.silos.items())
    items = "".join(quote_html(q.response_id, q.text, quote_meta(q, with_silo=True), _response_link)
                    for q in found.quotes)
    body = (f'<section><p>{back}</p><h2 id="theme">Theme: {escape(found.name)}</h2>'
            f'<p class="muted">{len(found.quotes)} answers, closest to the theme first · by silo: {mostly}</p>'
            f'<div id="quotes-list">{items}</div></section>')
    return html(page("Siloscope dashboard: theme", found.window, body))

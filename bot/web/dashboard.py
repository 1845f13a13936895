"""The managers' dashboard on port 8000: the friction report with filters, drill-down and export.

Everything needs the dashboard token (``SILOSCOPE_DASHBOARD_TOKEN``, else generated once into
``var/dashboard_token`` and printed by ``make run``): as ``Authorization: Bearer``, or once as
``?token=`` which sets an HTTP-only cookie and redirects to the same page without it. Without a
valid token every route answers 401 and shows nothing. The page is the HTML report itself (no
script); bars and row names link to the quotes behind them, and the export links return exactly
the report shown, as CSV, JSON or HTML.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable, Mapping
from functools import partial
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect, text

from analytics.drilldown import QuotePage, ResponseDetail, UnsureAnswer, quotes_behind, response_detail, review_queue
from analytics.html import page, quote_html, quote_meta, report_body, subtitle
from analytics.render import render
from analytics.report import GROUPINGS, FrictionReport
from analytics.service import ReportOptions, load, make_report
from bot.corrections import CorrectionRefused, NoSuchResponse, correct
from bot.errors import NoFeedback, UsageError
from bot.settings import Settings
from bot.taxonomy import load_taxonomy
from bot.tokens import get_or_create_token
from bot.web.headers import is_https

blueprint = Blueprint("dashboard", url_prefix="/dashboard")
COOKIE = "siloscope_dashboard"
FILTER_KEYS = ("since", "until", "by", "silo", "touchpoint", "channel", "tz")
PERIODS = (("7d", "Last 7 days"), ("30d", "Last 30 days"), ("90d", "Last 90 days"), ("12m", "Last 12 months"))
QUOTES_PER_PAGE = 25
REVIEW_LINK = '<p><a href="/dashboard/review">Answers to review, least sure first</a></p>'
EXPORTS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}


def dashboard_token() -> str:
    """The token managers use; ``make run`` prints the dashboard address with it."""
    return get_or_create_token("SILOSCOPE_DASHBOARD_TOKEN", "dashboard_token")


def _presented_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token") or request.cookies.get(COOKIE) or ""


def _authorised(request: Request) -> bool:
    presented = _presented_token(request)
    return bool(presented) and hmac.compare_digest(presented.encode(), dashboard_token().encode())


@blueprint.on_request
async def require_token(request: Request) -> HTTPResponse | None:
    """No token, no data: 401 with a hint where to find the token, and nothing else."""
    if not _authorised(request):
        return text("401 Unauthorized: the dashboard needs its token (printed by `make run`, or set "
                    "SILOSCOPE_DASHBOARD_TOKEN); open /dashboard?token=...", status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="siloscope-dashboard"'})
    if "token" in request.args:  # keep the token out of the address bar, history and shared links
        rest = urlencode([(k, v) for k, v in request.query_args if k != "token"])
        response = redirect(request.path + (f"?{rest}" if rest else ""))
        # HTTP-only, same-site only, and Secure only where the browser can send it back (behind HTTPS)
        response.add_cookie(COOKIE, request.args.get("token") or "", httponly=True, samesite="Strict",
                            path="/dashboard", secure=is_https(request))
        response.headers["Cache-Control"] = "no-store"
        return response
    return None


def _options_dict(request: Request) -> dict[str, str]:
    return {k: v for k in FILTER_KEYS if (v := (request.args.get(k) or "").strip())}


def _query(values: dict[str, str]) -> str:
    return urlencode({k: v for k, v in values.items() if v})


async def _in_thread(function: Callable[[], Any]) -> Any:
    """Database work off the event loop, so webhooks keep flowing while a report is built."""
    return await asyncio.get_running_loop().run_in_executor(None, function)


def _select(name: str, label: str, choices: list[tuple[str, str]], current: str | None) -> str:
    options = "".join(f'<option value="{escape(v)}"{" selected" if v == (current or "") else ""}>{escape(t)}</option>'
                      for v, t in choices)
    return f'<label>{escape(label)}<select name="{name}">{options}</select></label>'


def _filter_form(settings: Settings, values: dict[str, str]) -> str:
    taxonomy = load(settings)
    since = values.get("since", "30d")
    periods = list(PERIODS) + ([] if since in dict(PERIODS) else [(since, since)])
    fields = [
        _select("since", "Period", periods, since),
        _select("by", "Group by", [(g, g.replace("_", " ")) for g in GROUPINGS], values.get("by", "silo")),
        _select("silo", "Silo", [("", "all silos")] + [(s, s.replace("_", " ")) for s in
                                                          [*taxonomy.silos, "unattributed"]], values.get("silo")),
        _select("touchpoint", "Touchpoint", [("", "all touchpoints")] + [(t, t) for t in taxonomy.touchpoints],
                values.get("touchpoint")),
        f'<label>Channel<input name="channel" value="{escape(values.get("channel", ""))}" placeholder="any" '
        'size="10"></label>',
        '<button type="submit">Apply</button>',
    ]
    query = _query(values)
    exports = " · ".join(f'<a class="export" href="/dashboard/export/{fmt}?{escape(query)}">{fmt.upper()}</a>'
                         for fmt in EXPORTS)
    return (f'<section><form class="filters" method="get" action="/dashboard">{"".join(fields)}</form>'
            f'<p class="muted">Export what is shown: {exports}</p></section>')


def _drill_link(values: dict[str, str], by: str) -> Callable[[str], str]:
    def link(key: str) -> str:
        return f"/dashboard/quotes?{_query({**values, 'by': by, 'key': key})}"

    return link


def _response_link(response_id: int) -> str:
    return f"/dashboard/responses/{response_id}"


def _error_page(settings: Settings, values: dict[str, str], message: str, status: int) -> HTTPResponse:
    body = _filter_form(settings, values) + f'<section class="message"><p>{escape(message)}</p></section>'
    return html(page("Siloscope dashboard", "Friction by department", body), status=status)


@blueprint.get("/")
async def dashboard(request: Request) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    values = _options_dict(request)
    try:
        report: FrictionReport = await _in_thread(partial(make_report, ReportOptions.from_query(values),
                                                          settings=settings))
    except NoFeedback as exc:
        return _error_page(settings, values, str(exc), 200)
    except UsageError as exc:
        return _error_page(settings, values, str(exc), 400)
    body = _filter_form(settings, values) + REVIEW_LINK + report_body(report, _drill_link(values, report.group_by),
                                                        _response_link)
    return html(page("Siloscope dashboard", subtitle(report), body))


@blueprint.get("/export/<fmt>")
async def export(request: Request, fmt: str) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    if fmt not in EXPORTS:
        return text(f"unknown export format '{fmt}'; use one of {', '.join(EXPORTS)}", status=404)
    values = _options_dict(request)
    try:
        report = await _in_thread(partial(make_report, ReportOptions.from_query(values), settings=settings))
    except UsageError as exc:
        return text(str(exc), status=400)
    filename = f"siloscope-report-{report.group_by}-{report.start}-{report.end}.{fmt}"
    return HTTPResponse(render(report, fmt), content_type=EXPORTS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blueprint.get("/quotes")
async def quotes(request: Request) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    values = _options_dict(request)
    key = (request.args.get("key") or "").strip()
    try:
        page_number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return _error_page(settings, values, "page must be a number", 400)
    if not key:
        return _error_page(settings, values, "choose a bar: the drill-down needs a key", 400)
    try:
        found: QuotePage = await _in_thread(partial(
            quotes_behind, ReportOptions.from_query(values), key, (page_number - 1) * QUOTES_PER_PAGE,
            QUOTES_PER_PAGE, settings=settings))
    except UsageError as exc:
        return _error_page(settings, values, str(exc), 400)
    items = "".join(
        quote_html(q.response_id, q.text, quote_meta(q, with_silo=True), _response_link) for q in found.quotes
    ) or '<p class="muted">No open answers behind this bar.</p>'
    back = f'<a href="/dashboard?{escape(_query(values))}">← back to the dashboard</a>'
    pager = ""
    if found.more:
        pager = (f' · <a class="next" href="/dashboard/quotes?{escape(_query({**values, "key": key}))}'
                 f'&amp;page={page_number + 1}">older answers →</a>')
    heading = f'{escape(values.get("by", "silo"))}: {escape(key)}'
    body = (f'<section><p>{back}{pager}</p><h2 id="drilldown">What customers said — {heading}</h2>'
            f'<div id="quotes-list">{items}</div></section>')
    return html(page("Siloscope dashboard: quotes", f"{found.window} · newest first", body))


@blueprint.get("/responses/<response_id:int>")
async def response_page(request: Request, response_id: int) -> HTTPResponse:
    """One stored response as it was analysed: answers, sentiment, attributions with evidence, hand-offs."""
    response: ResponseDetail | None = await _in_thread(partial(response_detail, response_id,
                                                               settings=request.app.ctx.settings))
    if response is None:
        return html(page("Siloscope dashboard", "Response not found",
                         f"<section><p>No response #{response_id}.</p></section>"), status=404)
    fields = [("Received", f"{response.created_at} UTC"), ("Touchpoint", response.touchpoint),
              ("Channel", response.channel), ("Score (1–5)", response.score), ("Effort (7 = easy)", response.effort),
              ("Contacts", response.contact_count), ("Open answer", response.text),
              ("Follow-up answer", response.probe_text), ("Sentiment", f"{response.sentiment_label or '–'} "
                                                                       f"({response.sentiment_score})"),
              ("Primary silo", f"{response.primary_silo or 'unattributed'} ({response.primary_confidence})"),
              ("Status", response.status)]
    rows = "".join(f"<tr><th>{escape(k)}</th><td style=\"white-space:normal;text-align:left\">"
                   f"{escape('' if v is None else str(v))}</td></tr>" for k, v in fields)
    blame = "".join(f"<tr><td>{a.rank}</td><td>{escape(a.silo)}</td><td>{a.confidence:.2f}</td>"
                    f"<td>{escape(a.sentiment_label or '')}</td><td style=\"white-space:normal\">"
                    f"{escape(a.evidence or '')}</td></tr>" for a in response.attributions)
    pairs = "".join(f"<li>{escape(h.from_silo)} → {escape(h.to_silo)}: {escape(h.evidence or '')}</li>"
                    for h in response.handoffs)
    body = (f'<section><p><a href="/dashboard">← back to the dashboard</a> · '
            f'<a href="/dashboard/review">answers to review</a></p><h2>Response #{response_id}</h2>'
            f'<table id="response">{rows}</table></section>'
            f"<section><h2>Attributed silos</h2><table><tr><th>Rank</th><th>Silo</th><th>Confidence</th>"
            f"<th>Sentiment</th><th>Evidence</th></tr>{blame}</table>"
            f"{'<h2>Hand-offs</h2><ul>' + pairs + '</ul>' if pairs else ''}</section>"
            f"{_correction_form(response)}")
    return html(page("Siloscope dashboard: response", f"Response #{response_id}", body))


def _correction_form(response: ResponseDetail, message: str = "") -> str:
    """Change the response's silo: the reports follow, and the model learns from its words."""
    options = "".join(f'<option value="{escape(name)}"{" selected" if name == response.primary_silo else ""}>'
                      f'{escape(name.replace("_", " "))}</option>' for name in load_taxonomy().silos)
    history = "".join(f"<li>{c.corrected_at:%Y-%m-%d %H:%M} UTC: {escape(c.from_silo or 'unattributed')} → "
                      f"{escape(c.to_silo)} by {escape(c.corrected_by)}</li>" for c in response.corrections)
    note = f'<p class="message" role="alert">{escape(message)}</p>' if message else ""
    return (f'<section id="correction"><h2>Correct the silo</h2>{note}'
            f'{"<ul>" + history + "</ul>" if history else ""}'
            f'<form method="post" action="/dashboard/responses/{response.id}/silo">'
            f'<label>Silo <select name="silo">{options}</select></label> '
            f'<label>Your name <input name="by" required maxlength="200"></label> '
            f'<button type="submit">Correct</button></form></section>')


def _same_origin(request: Request) -> bool:
    """A browser's form post from another site is refused (the cookie is SameSite=Strict too).

    The page's ``Referrer-Policy: no-referrer`` makes Chromium send ``Origin: null`` even for the
    dashboard's own forms, so the browser's ``Sec-Fetch-Site`` decides when it is sent.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True  # not a browser's cross-site post: curl, or a script with the Bearer token
    return urlsplit(origin).netloc == request.host


@blueprint.post("/responses/<response_id:int>/silo")
async def correct_response(request: Request, response_id: int) -> HTTPResponse:
    """A manager's correction: recorded with who and when, the response and reports follow, the model learns."""
    settings: Settings = request.app.ctx.settings
    if not _same_origin(request):
        return text("403 Forbidden: a correction must come from the dashboard's own page", status=403)
    form: Mapping[str, Any] = request.form or {}
    silo, by = (form.get("silo") or "").strip(), (form.get("by") or "").strip()
    try:
        await _in_thread(partial(correct, settings.database_url, response_id, silo, by))
    except NoSuchResponse as exc:
        return html(page("Siloscope dashboard", "Response not found", f"<section><p>{escape(str(exc))}.</p>"
                                                                       "</section>"), status=404)
    except CorrectionRefused as exc:
        detail = await _in_thread(partial(response_detail, response_id, settings=settings))
        body = _correction_form(detail, f"Not changed: {exc}.") if detail else ""
        return html(page("Siloscope dashboard: response", f"Response #{response_id}", body), status=400)
    return redirect(f"/dashboard/responses/{response_id}", status=303)


REVIEW_PER_PAGE = 25


def _unsure_meta(answer: UnsureAnswer) -> str:
    sure = "no confidence" if answer.primary_confidence is None else f"{answer.primary_confidence:.2f}"
    score = "–" if answer.score is None else answer.score
    return (f"{answer.created_at:%Y-%m-%d %H:%M} UTC · {answer.primary_silo or 'unattributed'} ({sure}) · "
            f"{answer.touchpoint or ''} · score {score}")


@blueprint.get("/review")
async def review(request: Request) -> HTTPResponse:
    """The answers the model is least sure about first, none corrected yet: where a manager's look helps most."""
    settings: Settings = request.app.ctx.settings
    try:
        page_number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return text("page must be a number", status=400)
    answers: list[UnsureAnswer] = await _in_thread(partial(
        review_queue, REVIEW_PER_PAGE + 1, (page_number - 1) * REVIEW_PER_PAGE, settings=settings))
    items = "".join(quote_html(a.id, a.text, _unsure_meta(a), _response_link) for a in answers[:REVIEW_PER_PAGE]
    ) or '<p class="muted">Nothing to review: every answer with words has been corrected or there is none.</p>'
    more = (f' · <a class="next" href="/dashboard/review?page={page_number + 1}">more →</a>'
            if len(answers) > REVIEW_PER_PAGE else "")
    body = (f'<section><p><a href="/dashboard">← back to the dashboard</a>{more}</p>'
            f'<h2>Answers to review, least sure first</h2><div id="review-list">{items}</div></section>')
    return html(page("Siloscope dashboard: review", "Open a response to correct its silo", body))

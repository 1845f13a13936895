"""One stored response as it was analysed, the manager's correction of its silo, and the review queue.

Behind the dashboard's token like every dashboard page (its check imported, not copied). The
response page says who answered and about what (customer, order, ticket, channel, whether they
asked for a person) and links to the customer's page, so their other answers are one click away.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from html import escape
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect, text

from analytics.drilldown import ResponseDetail, UnsureAnswer, response_detail, review_queue
from analytics.html import meta_line, page, quote_html, shown
from bot.corrections import CorrectionRefused, NoSuchResponse, correct
from bot.errors import UsageError
from bot.settings import Settings
from bot.taxonomy import load_taxonomy
from bot.web.customer_page import customer_link
from bot.web.dashboard import _response_link
from bot.web.dashboard_access import in_thread, require_token, same_origin
from bot.web.dashboard_filters import page_number

blueprint = Blueprint("dashboard_responses", url_prefix="/dashboard")
blueprint.on_request(require_token)


@blueprint.get("/responses/<response_id:int>")
async def response_page(request: Request, response_id: int) -> HTTPResponse:
    """One stored response as it was analysed: answers, sentiment, attributions with evidence, hand-offs."""
    response: ResponseDetail | None = await in_thread(partial(response_detail, response_id,
                                                               settings=request.app.ctx.settings))
    if response is None:
        return html(page("Siloscope dashboard", "Response not found",
                         f"<section><p>No response #{response_id}.</p></section>"), status=404)
    rows = "".join(f'<tr data-field="{escape(k)}"><th>{escape(k)}</th><td style="white-space:normal;'
                   f'text-align:left">{v}</td></tr>' for k, v in _fields(response))
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


def _with_certainty(name: str | None, certainty: float | None) -> str:
    """``delivery (0.82)``; the number only where the analysis gave one (never "(None)")."""
    return escape(name or "–") + ("" if certainty is None else f" ({certainty:.2f})")


def _fields(response: ResponseDetail) -> list[tuple[str, str]]:
    """The response's facts as (label, HTML), who answered about what first."""
    customer = "–"
    if response.customer_ref:
        customer = (f'<a class="customer" href="{escape(customer_link(response.customer_ref))}">'
                    f"{escape(response.customer_ref)}</a> · their journey and other answers")
    person = ('<strong class="up">yes: the customer asked to talk to a person</strong>' if response.human_requested
              else "no")
    case = "–"
    if response.case is not None:
        case = (f'<a class="case" href="/dashboard/cases/{response.case.id}">case #{response.case.id}</a> · '
                f'{escape(response.case.status.replace("_", " "))}, owned by {escape(response.case.owner)}')
    return [("Customer", customer), ("Order", shown(response.order_id)), ("Ticket", shown(response.ticket_id)),
            ("Asked for a person", person), ("Case", case), ("Received", f"{response.created_at} UTC"),
            ("Touchpoint", shown(response.touchpoint)), ("Channel", shown(response.channel)),
            ("Score (1–5)", shown(response.score)), ("Effort (7 = easy)", shown(response.effort)),
            ("Contacts", shown(response.contact_count)), ("Open answer", shown(response.text)),
            ("Follow-up answer", shown(response.probe_text)),
            ("Sentiment", _with_certainty(response.sentiment_label, response.sentiment_score)),
            ("Primary silo", _with_certainty(response.primary_silo or "unattributed", response.primary_confidence)),
            ("Status", shown(response.status))]


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


@blueprint.post("/responses/<response_id:int>/silo")
async def correct_response(request: Request, response_id: int) -> HTTPResponse:
    """A manager's correction: recorded with who and when, the response and reports follow, the model learns."""
    settings: Settings = request.app.ctx.settings
    if not same_origin(request):
        return text("403 Forbidden: a correction must come from the dashboard's own page", status=403)
    form: Mapping[str, Any] = request.form or {}
    silo, by = (form.get("silo") or "").strip(), (form.get("by") or "").strip()
    try:
        await in_thread(partial(correct, settings.database_url, response_id, silo, by))
    except NoSuchResponse as exc:
        return html(page("Siloscope dashboard", "Response not found", f"<section><p>{escape(str(exc))}.</p>"
                                                                       "</section>"), status=404)
    except CorrectionRefused as exc:
        detail = await in_thread(partial(response_detail, response_id, settings=settings))
        body = _correction_form(detail, f"Not changed: {exc}.") if detail else ""
        return html(page("Siloscope dashboard: response", f"Response #{response_id}", body), status=400)
    return redirect(f"/dashboard/responses/{response_id}", status=303)


REVIEW_PER_PAGE = 25


def _unsure_meta(answer: UnsureAnswer) -> str:
    sure = "no confidence" if answer.primary_confidence is None else f"{answer.primary_confidence:.2f}"
    return meta_line(f"{answer.created_at:%Y-%m-%d %H:%M} UTC", f"{answer.primary_silo or 'unattributed'} ({sure})",
                     answer.touchpoint, None if answer.score is None else f"score {answer.score}")


@blueprint.get("/review")
async def review(request: Request) -> HTTPResponse:
    """The answers the model is least sure about first, none corrected yet: where a manager's look helps most."""
    settings: Settings = request.app.ctx.settings
    try:
        number = page_number(request)
    except UsageError as exc:
        return text(str(exc), status=400)
    answers: list[UnsureAnswer] = await in_thread(partial(
        review_queue, REVIEW_PER_PAGE + 1, (number - 1) * REVIEW_PER_PAGE, settings=settings))
    items = "".join(quote_html(a.id, a.text, _unsure_meta(a), _response_link) for a in answers[:REVIEW_PER_PAGE]
    ) or '<p class="muted">Nothing to review: every answer with words has been corrected or there is none.</p>'
    more = (f' · <a class="next" href="/dashboard/review?page={number + 1}">more →</a>'
            if len(answers) > REVIEW_PER_PAGE else "")
    body = (f'<section><p><a href="/dashboard">← back to the dashboard</a>{more}</p>'
            f'<h2>Answers to review, least sure first</h2><div id="review-list">{items}</div></section>')
    return html(page("Siloscope dashboard: review", "Open a response to correct its silo", body))

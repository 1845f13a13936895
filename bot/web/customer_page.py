"""The customer page of the dashboard: one customer's journey, cycle by cycle (``/dashboard/customers/<ref>``).

Protected exactly like the dashboard (its own token check, imported, not copied). Every step links
to its stored response; customer text is escaped, never run. The response page links here with
``customer_link(ref)``.
"""

from __future__ import annotations

from functools import partial
from html import escape
from urllib.parse import quote, unquote

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html

from analytics.html import page, shown
from analytics.journey import Journey, NoJourney, Step, customer_journey
from bot.settings import Settings
from bot.store.db import engine_for
from bot.web.dashboard_access import in_thread, require_token

blueprint = Blueprint("customer_page", url_prefix="/dashboard/customers")
blueprint.on_request(require_token)


def customer_link(ref: str) -> str:
    """The address of a customer's page (the ref quoted: it may hold any character)."""
    return f"/dashboard/customers/{quote(ref, safe='')}"


def _step_row(step: Step) -> str:
    response = (f'<a class="response" href="/dashboard/responses/{step.response_id}">#{step.response_id}</a>'
                if step.response_id is not None else "–")
    blamed = ", ".join(step.silos) or step.primary_silo
    status = "asked for a person" if step.human_requested else step.status
    said = f'<div class="quote">{escape(step.text)}</div>' if step.text else ""
    return (f'<tr class="step" data-cycle="{step.cycle}"><td>{step.at:%Y-%m-%d %H:%M}</td>'
            f"<td>{shown(step.touchpoint)}</td><td>{shown(step.department)}</td><td>{shown(step.order_id)}</td>"
            f"<td>{shown(step.score)}</td><td>{shown(step.effort)}</td><td>{shown(step.contact_count)}</td>"
            f'<td style="white-space:normal">{shown(blamed)}{said}</td>'
            f"<td>{shown(', '.join(step.handoffs) or None)}</td><td>{escape(status)}</td><td>{response}</td></tr>")


def journey_body(journey: Journey) -> str:
    """A section per purchase cycle: its orders, how many touchpoints were answered, and the steps."""
    head = ("<tr><th>At (UTC)</th><th>Touchpoint</th><th>Department</th><th>Order</th><th>Score</th>"
            "<th>Effort</th><th>Contacts</th><th>Blamed · what they said</th><th>Hand-offs</th><th>Status</th>"
            "<th>Response</th></tr>")
    sections = []
    for summary in journey.cycles:
        rows = "".join(_step_row(s) for s in journey.steps if s.cycle == summary.cycle)
        mean = "no score" if summary.mean_score is None else f"mean score {summary.mean_score}"
        orders = ", ".join(summary.orders) or "no order"
        sections.append(
            f'<section id="cycle-{summary.cycle}"><h2>Cycle {summary.cycle} · {escape(orders)}</h2>'
            f'<p class="muted">{summary.start[:10]} to {summary.end[:10]} · {summary.answered} of '
            f"{summary.touchpoints} touchpoints answered · {mean}</p>"
            f'<div class="scroll"><table class="timeline">{head}{rows}</table></div></section>')
    back = ('<section><p><a href="/dashboard">← back to the dashboard</a> · '
            '<a href="/dashboard/journeys">all customers\' journeys</a></p></section>')
    return back + "".join(sections)


@blueprint.get("/<ref:str>")
async def customer_page(request: Request, ref: str) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    ref = unquote(ref)
    try:
        journey: Journey = await in_thread(partial(customer_journey, engine_for(settings.database_url), ref,
                                                    settings.journey.cycle_gap_days))
    except NoJourney as exc:
        return html(page("Siloscope dashboard: customer", "Customer not shown",
                         f"<section><p>{escape(str(exc))}.</p></section>"), status=404)
    subtitle = (f"Customer {journey.customer_ref} · {len(journey.steps)} touchpoints in {len(journey.cycles)} "
                f"purchase cycle(s) · a new cycle after {journey.cycle_gap_days} days without an order")
    return html(page("Siloscope dashboard: customer", subtitle, journey_body(journey)))

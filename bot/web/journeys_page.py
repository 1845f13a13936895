"""``/dashboard/journeys``: the walk through the departments over all customers, and where it hurts.

Behind the dashboard's token (its check, imported). Numbers come from ``analytics.journey_stats``;
the flow picture is inline SVG (the page's content policy forbids inline script): departments from
left to right in the order customers meet them, an arc from A to B for each pair of consecutive
answered touchpoints, as wide as it is frequent, red when satisfaction falls from A to B.
"""

from __future__ import annotations

from functools import partial
from html import escape

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html

from analytics.html import page
from analytics.journey_stats import Drop, JourneyStats, Scores, Stage, journey_stats
from bot.settings import Settings
from bot.store.db import engine_for
from bot.web.dashboard_access import in_thread, require_token

blueprint = Blueprint("journeys_page", url_prefix="/dashboard/journeys")
blueprint.on_request(require_token)

NODE_W, NODE_GAP, TOP = 120, 40, 150


def _name(department: str) -> str:
    return escape(department.replace("_", " "))


def _mean(scores: Scores) -> str:
    return "–" if scores.mean is None else f"{scores.mean:.2f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def flow_svg(stages: list[Stage], drops: list[Drop]) -> str:
    """Departments in a row, arcs between consecutive touchpoints: width = count, red = score falls."""
    if not stages:
        return '<p class="muted">No journeys yet.</p>'
    x = {s.department: 10 + i * (NODE_W + NODE_GAP) + NODE_W // 2 for i, s in enumerate(stages)}
    width = 20 + len(stages) * (NODE_W + NODE_GAP)
    biggest = max((d.count for d in drops), default=1)
    arcs = []
    for drop in sorted(drops, key=lambda d: d.count):
        if drop.from_department not in x or drop.to_department not in x:
            continue
        a, b = x[drop.from_department], x[drop.to_department]
        lift = 30 + abs(b - a) // 4
        y = TOP - lift * 2 if b > a else TOP + 40 + lift * 2  # forward above the nodes, backward below
        base = TOP if b > a else TOP + 40
        colour = "#c23b3b" if drop.mean_change < 0 else "#2a9d4b" if drop.mean_change > 0 else "#6b7785"
        stroke = 1 + 9 * drop.count / biggest
        label = (f"{drop.from_department} → {drop.to_department}: {drop.count} customers, "
                 f"score {drop.mean_change:+.2f}")
        arcs.append(f'<path d="M{a},{base} Q{(a + b) // 2},{y} {b},{base}" fill="none" stroke="{colour}" '
                    f'stroke-width="{stroke:.1f}" stroke-opacity=".7"><title>{escape(label)}</title></path>')
    nodes = "".join(
        f'<g><rect x="{x[s.department] - NODE_W // 2}" y="{TOP}" width="{NODE_W}" height="40" rx="6" '
        f'fill="#1d2733"/><text x="{x[s.department]}" y="{TOP + 17}" fill="#fff" font-size="12" '
        f'text-anchor="middle">{_name(s.department)}</text><text x="{x[s.department]}" y="{TOP + 32}" '
        f'fill="#c9d3de" font-size="11" text-anchor="middle">mean {_mean(s.scores)}</text></g>' for s in stages)
    return (f'<svg id="flow" role="img" aria-label="satisfaction between consecutive touchpoints" '
            f'viewBox="0 0 {width} {TOP * 2 + 40}" width="100%">{"".join(arcs)}{nodes}</svg>'
            '<p class="muted">Arcs above go forward in the walk, arcs below go back; wider = more customers, '
            'red = satisfaction falls from one department to the next, green = it rises. Hover for numbers.</p>')


def _table(head: list[str], rows: list[str], table_id: str) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f'<div class="scroll"><table id="{table_id}"><tr>{cells}</tr>{"".join(rows)}</table></div>'


def journeys_body(stats: JourneyStats) -> str:
    stages = [f'<tr class="stage" data-department="{escape(s.department)}"><td>{_name(s.department)}</td>'
              f"<td>{s.position:.2f}</td><td>{s.cycles}</td><td>{s.scores.answers}</td><td>{_mean(s.scores)}</td>"
              f"<td>{_share(s.scores.dissatisfied_share)}</td></tr>" for s in stats.stages]
    comparisons = [
        f'<tr class="cycle" data-department="{escape(c.department)}"><td>{_name(c.department)}</td>'
        f"<td>{c.first.answers}</td><td>{_mean(c.first)}</td><td>{_share(c.first.dissatisfied_share)}</td>"
        f"<td>{c.repeat.answers}</td><td>{_mean(c.repeat)}</td><td>{_share(c.repeat.dissatisfied_share)}</td>"
        f'<td class="{"down" if (c.change or 0) > 0 else "up" if (c.change or 0) < 0 else ""}">'
        f'{"–" if c.change is None else f"{c.change:+.2f}"}</td></tr>' for c in stats.comparisons]
    drops = [f'<tr class="drop" data-from="{escape(d.from_department)}" data-to="{escape(d.to_department)}">'
             f"<td>{_name(d.from_department)} → {_name(d.to_department)}</td><td>{d.count}</td>"
             f"<td>{d.mean_change:+.2f}</td></tr>" for d in stats.drops]
    offs = [f'<tr class="drop-off" data-department="{escape(o.department)}"><td>{_name(o.department)}</td>'
            f"<td>{o.stopped_answering}</td><td>{o.stopped_buying}</td></tr>" for o in stats.drop_offs]
    repeat = [f'<tr class="repeat" data-department="{escape(d)}"><td>{_name(d)}</td><td>{n}</td></tr>'
              for d, n in stats.repeat_contact.items()]
    people = [f'<tr class="people" data-department="{escape(p.department)}"><td>{_name(p.department)}</td>'
              f"<td>{p.steps}</td><td>{p.mean:.2f}</td><td>{p.three_or_more}</td><td>{p.from_tool}</td></tr>"
              for p in stats.people]
    return (
        '<section><p><a href="/dashboard">← back to the dashboard</a></p>'
        f"<p>{stats.customers} customers · {stats.cycles} purchase cycles · {stats.orders} orders</p></section>"
        "<section><h2>Where satisfaction drops between consecutive touchpoints</h2>"
        f'{flow_svg(stats.stages, stats.drops)}{_table(["From → to", "Customers", "Score change"], drops, "drops")}'
        "</section>"
        "<section><h2>First purchase against repeat purchases, per department</h2>"
        + _table(["Department", "First: answers", "mean", "dissatisfied", "Repeat: answers", "mean", "dissatisfied",
                  "Change"], comparisons, "cycles")
        + '<p class="muted">Does the second walk through the silos hurt less? Positive change: it does.</p></section>'
        "<section><h2>Friction by stage, in the order customers meet the departments</h2>"
        + _table(["Department", "Usual place", "Cycles", "Answers", "Mean score", "Dissatisfied"], stages, "stages")
        + "</section><div class=\"grid\"><section><h2>Drop-off: customers who stop after…</h2>"
        + _table(["Department", "stop answering", "stop buying"], offs, "drop-off")
        + "</section><section><h2>Repeat contact within one order</h2>"
        f"<p>{stats.orders_with_repeat_contact} of {stats.orders} orders met a department more than once.</p>"
        + _table(["Department", "Orders"], repeat, "repeat-contact")
        + "</section></div><section><h2>Different people per touchpoint</h2>"
        + _table(["Department", "Touchpoints", "Mean people", "3 or more", "Told by the ticket tool"], people,
                 "people")
        + '<p class="muted">From the assignees and groups a ticket tool sends, else the contact count the '
          "customer gave.</p></section>"
    )


@blueprint.get("/")
async def journeys_page(request: Request) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    stats: JourneyStats = await in_thread(partial(
        journey_stats, engine_for(settings.database_url), settings.journey.cycle_gap_days,
        dissatisfied_at_or_below=settings.analytics.metrics.dissatisfied_at_or_below))
    subtitle = f"Purchase cycles: a new one after {settings.journey.cycle_gap_days} days without an order"
    return html(page("Siloscope dashboard: journeys", subtitle, journeys_body(stats)))

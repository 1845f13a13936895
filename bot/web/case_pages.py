"""The cases on the dashboard: each department's queue, and one case to work from alert to closed.

``/dashboard/cases`` lists the cases still to work per department (overdue first, due time shown),
filtered by silo and status; ``/dashboard/cases/<id>`` is the page every alert links to: the
customer's words, a link to the response, the history, and the forms that change its status or
owner, add a note, or close it with its outcome. The pages sit behind the dashboard's own token
check (``bot.web.dashboard_access.require_token``), and a form post from another site is refused like the
dashboard's silo correction. What the changes do, and what they refuse: ``bot/cases.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from html import escape
from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect, text

from analytics.html import page
from bot.case_queries import OPEN_STATUSES, CaseDetail, CaseRow, case_detail, check_filters, list_cases
from bot.cases import STATUSES, CaseRefused, NoSuchCase, close, update
from bot.settings import Settings
from bot.store.db import engine_for, session_factory
from bot.taxonomy import load_taxonomy
from bot.web.dashboard_access import in_thread, require_token, same_origin

blueprint = Blueprint("case_pages", url_prefix="/dashboard/cases")
blueprint.on_request(require_token)
CELL = ' style="white-space:normal;text-align:left"'


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "–"


def _due(row: CaseRow) -> str:
    if row.status == "closed":
        return f"closed {_when(row.closed_at)}"
    return f'<strong class="overdue">overdue since {_when(row.due_at)}</strong>' if row.overdue else \
        f"due {_when(row.due_at)}"


def _options(choices: list[tuple[str, str]], current: str | None) -> str:
    return "".join(f'<option value="{escape(v)}"{" selected" if v == (current or "") else ""}>{escape(t)}</option>'
                   for v, t in choices)


def _queue_form(silo: str | None, status: str | None, overdue: bool) -> str:
    silos = [("", "all departments")] + [(s, s.replace("_", " ")) for s in load_taxonomy().silos]
    statuses = [("", "still to work")] + [(s, s.replace("_", " ")) for s in STATUSES]
    return ('<section><form class="filters" method="get" action="/dashboard/cases">'
            f'<label>Department<select name="silo">{_options(silos, silo)}</select></label>'
            f'<label>Status<select name="status">{_options(statuses, status)}</select></label>'
            f'<label><input type="checkbox" name="overdue" value="1"{" checked" if overdue else ""}> overdue only'
            '</label><button type="submit">Apply</button></form>'
            '<p><a href="/dashboard">← back to the dashboard</a></p></section>')


def _queue_table(rows: list[CaseRow]) -> str:
    lines = "".join(
        f'<tr class="case{" overdue" if r.overdue else ""}"><td><a href="/dashboard/cases/{r.id}">#{r.id}</a></td>'
        f"<td>{escape(r.status.replace('_', ' '))}</td><td>{_due(r)}</td><td{CELL}>{escape(r.reason)}</td>"
        f"<td>{escape(r.touchpoint or '–')}</td><td{CELL}>{escape(r.quote or '')}</td></tr>" for r in rows)
    return ("<table><tr><th>Case</th><th>Status</th><th>Due</th><th>Why</th><th>Touchpoint</th><th>Words</th></tr>"
            f"{lines}</table>")


def _factory(settings: Settings):  # type: ignore[no-untyped-def]
    return session_factory(engine_for(settings.database_url))


def _rows(settings: Settings, silo: str | None, status: str | None, overdue: bool) -> list[CaseRow]:
    with _factory(settings)() as session:
        return list_cases(session, silo=silo, status=status, overdue=overdue)


def _detail(settings: Settings, case_id: int) -> CaseDetail | None:
    with _factory(settings)() as session:
        return case_detail(session, case_id)


@blueprint.get("/")
async def queue(request: Request) -> HTTPResponse:
    """Every department's cases still to work, overdue first; a department, a status, overdue only."""
    settings: Settings = request.app.ctx.settings
    silo = (request.args.get("silo") or "").strip() or None
    status = (request.args.get("status") or "").strip() or None
    overdue = bool(request.args.get("overdue"))
    form = _queue_form(silo, status, overdue)
    try:
        check_filters(load_taxonomy(), silo, status)
    except CaseRefused as exc:
        return html(page("Siloscope cases", "Case queue", form + f'<section class="message"><p>{escape(str(exc))}'
                                                          "</p></section>"), status=400)
    rows: list[CaseRow] = await in_thread(partial(_rows, settings, silo, status, overdue))
    by_owner: dict[str, list[CaseRow]] = {}
    for row in rows:
        by_owner.setdefault(row.owner, []).append(row)
    # the department with the most overdue cases first, then the most cases
    owners = sorted(by_owner, key=lambda o: (-sum(r.overdue for r in by_owner[o]), -len(by_owner[o]), o))
    sections = "".join(
        f'<section class="department" id="silo-{escape(owner)}"><h2>{escape(owner.replace("_", " "))}: '
        f'{len(by_owner[owner])} case{"s" if len(by_owner[owner]) != 1 else ""}'
        f'{f", {n} overdue" if (n := sum(r.overdue for r in by_owner[owner])) else ""}</h2>'
        f"{_queue_table(by_owner[owner])}</section>" for owner in owners
    ) or '<section><p class="muted">No cases here: nothing matches these filters.</p></section>'
    shown = status.replace("_", " ") if status else " and ".join(s.replace("_", " ") for s in OPEN_STATUSES)
    return html(page("Siloscope cases", f"Case queue per department · {shown}", form + sections))


def _history(found: CaseDetail) -> str:
    items = []
    for event in found.history:
        change = " → ".join(escape(v.replace("_", " ")) for v in (event.from_value, event.to_value) if v)
        note = f": {escape(event.note)}" if event.note else ""
        items.append(f"<li>{_when(event.at)} · {escape(event.by)} · {escape(event.kind)} {change}{note}</li>")
    return f'<ol id="history">{"".join(items)}</ol>'


def _forms(found: CaseDetail) -> str:
    case = found.case
    action = f"/dashboard/cases/{case.id}"
    statuses = [(s, s.replace("_", " ")) for s in OPEN_STATUSES]
    owners = [(s, s.replace("_", " ")) for s in load_taxonomy().silos]
    by = '<label>Your name <input name="by" required maxlength="200"></label>'
    change = (f'<form id="update" method="post" action="{action}/update"><h3>Change</h3>'
              f'<label>Status <select name="status">{_options(statuses, case.status)}</select></label> '
              f'<label>Owner <select name="owner">{_options(owners, case.owner)}</select></label> '
              '<label>Note <textarea name="note" rows="2" cols="50" maxlength="4000"></textarea></label> '
              f'{by} <button type="submit">Save</button></form>')
    if case.status == "closed":
        return f'<section id="work">{change}</section>'
    shut = (f'<form id="close" method="post" action="{action}/close"><h3>Close with the outcome</h3>'
            '<label>Outcome <textarea name="outcome" rows="2" cols="50" required maxlength="4000"></textarea></label> '
            f'{by} <button type="submit">Close case</button></form>')
    return f'<section id="work">{change}{shut}</section>'


def _case_page(found: CaseDetail, message: str = "", status: int = 200) -> HTTPResponse:
    case = found.case
    fields = [("Status", escape(case.status.replace("_", " "))), ("Owner", escape(case.owner)),
              ("Why", escape(case.reason)), ("Opened", _when(case.opened_at)), ("Due", _due(case)),
              ("Customer", escape(found.customer_ref or "–")), ("Touchpoint", escape(case.touchpoint or "–")),
              ("Score (1–5)", "–" if case.score is None else str(case.score)),
              ("Response", f'<a href="/dashboard/responses/{case.response_id}">#{case.response_id}</a>')]
    if case.outcome:
        fields.append(("Outcome", escape(case.outcome)))
    rows = "".join(f"<tr><th>{k}</th><td{CELL}>{v}</td></tr>" for k, v in fields)
    note = f'<p class="message" role="alert">{escape(message)}</p>' if message else ""
    quote = f"<blockquote>“{escape(found.text)}”</blockquote>" if found.text else \
        '<p class="muted">The customer gave no words (yet).</p>'
    body = (f'<section><p><a href="/dashboard/cases?{urlencode({"silo": case.owner})}">← {escape(case.owner)}'
            f' queue</a> · <a href="/dashboard/cases">all cases</a></p>{note}<h2>Case #{case.id}</h2>'
            f'<table id="case">{rows}</table><h2>What the customer said</h2>{quote}</section>'
            f"<section><h2>History</h2>{_history(found)}</section>{_forms(found)}")
    return html(page("Siloscope case", f"Case #{case.id} · {case.owner} · {case.status.replace('_', ' ')}", body),
                 status=status)


def _not_found(case_id: int) -> HTTPResponse:
    return html(page("Siloscope case", "Case not found", f"<section><p>No case #{case_id}.</p>"
                                                          '<p><a href="/dashboard/cases">all cases</a></p></section>'),
                status=404)


@blueprint.get("/<case_id:int>")
async def case_page(request: Request, case_id: int) -> HTTPResponse:
    found: CaseDetail | None = await in_thread(partial(_detail, request.app.ctx.settings, case_id))
    return _case_page(found) if found else _not_found(case_id)


async def _change(request: Request, case_id: int, apply: Any) -> HTTPResponse:
    """Run one change from a form; refused: the page again with the reason (400), nothing changed."""
    settings: Settings = request.app.ctx.settings
    if not same_origin(request):
        return text("403 Forbidden: a case is changed from the dashboard's own page", status=403)
    form: Mapping[str, Any] = request.form or {}
    try:
        await in_thread(partial(apply, settings.database_url, case_id, form))
    except NoSuchCase:
        return _not_found(case_id)
    except CaseRefused as exc:
        found = await in_thread(partial(_detail, settings, case_id))
        return _case_page(found, f"Not changed: {exc}.", 400) if found else _not_found(case_id)
    return redirect(f"/dashboard/cases/{case_id}", status=303)


def _field(form: Mapping[str, Any], name: str) -> str:
    return (form.get(name) or "").strip()


def _update(database_url: str, case_id: int, form: Mapping[str, Any]) -> None:
    """The form sends the current status and owner back unchanged: only what differs is a change."""
    update(database_url, case_id, _field(form, "by"), status=_field(form, "status") or None,
           owner=_field(form, "owner") or None, note=_field(form, "note") or None)


def _close(database_url: str, case_id: int, form: Mapping[str, Any]) -> None:
    close(database_url, case_id, _field(form, "outcome"), _field(form, "by"))


@blueprint.post("/<case_id:int>/update")
async def update_page(request: Request, case_id: int) -> HTTPResponse:
    return await _change(request, case_id, _update)


@blueprint.post("/<case_id:int>/close")
async def close_page(request: Request, case_id: int) -> HTTPResponse:
    return await _change(request, case_id, _close)

"""The dashboard's pages through HTTP, in process (Sanic's ASGI client), on the hand-computed store.

Every answer of ``tests/analytics/friction_data`` is known, so each page can be checked for exactly
what a manager must read on it: the trend's periods in date order with the partial ones marked,
the counts behind every point, hand-off and theme links, quotes without empty fields, the filters'
validation and the raw export.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.settings import get_settings
from bot.web.app import create_app
from tests.analytics.friction_data import write_friction_store

TOKEN = "in-process-dashboard-pages-7a2c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WINDOW = "since=2026-03-14&until=2026-03-20"


@pytest.fixture
def site(tmp_database: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The app over the hand-computed store; on PostgreSQL with ``--postgres``, so the SQL is proven portable."""
    ids = write_friction_store(tmp_database)
    monkeypatch.setenv("SILOSCOPE_DASHBOARD_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield create_app(get_settings()), ids
    get_settings.cache_clear()


def get(site, path: str):  # type: ignore[no-untyped-def]
    _request, response = asyncio.run(site[0].asgi_client.get(path, headers=AUTH, follow_redirects=False))
    return response


def test_day_bars_stay_in_date_order_and_show_their_counts(site) -> None:
    page = get(site, f"/dashboard/?{WINDOW}&by=day").text
    bars = re.findall(r'<a class="bar" href="[^"]*" data-key="([^"]+)"', page)
    assert bars == sorted(bars) and bars[0] == "2026-03-14" and len(bars) == 7
    assert "2026-03-15: friction" in page and "(n 1)" in page


def test_the_trend_marks_partial_weeks_and_offers_three_metrics(site) -> None:
    # the window 14–20 March cuts the week of 9 March at its start and the week of 16 March at its end
    page = get(site, f"/dashboard/?{WINDOW}&by=week").text
    for metric in ("friction", "satisfaction", "effort"):
        assert f'id="trend-{metric}"' in page and f'<label for="trend-{metric}">' in page
        assert f'id="trend-chart-{metric}"' in page
    assert page.count('class="point partial"') == 6  # two weeks × three metrics, the "all" line
    assert "2026-W11 (partial)" in page and "2026-W12 (partial)" in page
    # the table behind the chart: friction · satisfaction · effort and the answers behind each point
    table = page[page.index('id="trend-table"'):]
    assert re.search(r'<tr data-period="2026-03-09"><td>2026-W11 \(partial\)</td><td data-key="all">[^<]+<br>'
                     r'<span class="muted">n 2</span>', table)


def test_past_whole_days_are_not_partial_and_points_carry_their_counts(site) -> None:
    page = get(site, f"/dashboard/?{WINDOW}&by=silo&tz=UTC").text
    assert 'class="point partial"' not in page  # 14–20 March are whole, past days
    assert "all responses · 2026-03-15: " in page and "from 1 response" in page
    assert '<ul class="legend"><li data-key="all">' in page


def shown_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-response-id="(\d+)"', page)]


def test_a_handoff_cell_opens_the_answers_behind_it_with_its_axes_named(site) -> None:
    page = get(site, f"/dashboard/?{WINDOW}").text
    chart = page[page.index('id="handoff-chart"'):page.index("</svg>", page.index('id="handoff-chart"'))]
    assert "to (the department that took over) →" in chart and "from ↓" in chart
    links = re.findall(r'<a class="cell-link" href="([^"]+)"><g class="cell" data-from="(\w+)" data-to="(\w+)"', chart)
    assert {(source, target) for _, source, target in links} == {("delivery", "finance"),
                                                                 ("finance", "customer_service")}
    href = next(h for h, source, _ in links if source == "delivery").replace("&amp;", "&")
    behind = get(site, href)
    assert behind.status == 200 and "hand-off from delivery to finance" in behind.text
    assert shown_ids(behind.text) == [site[1][1], site[1][0]]  # the two answers that describe it, newest first
    finance = get(site, f"/dashboard/quotes?{WINDOW}&from=finance&to=customer_service")
    assert shown_ids(finance.text) == [site[1][4]]


@pytest.mark.parametrize(("query", "message"), [("from=delivery", "needs both from and to"),
                                                ("from=delivery&to=accounting", "in the hand-off; known silos")])
def test_a_bad_handoff_drilldown_is_refused(site, query, message) -> None:
    answer = get(site, f"/dashboard/quotes?{WINDOW}&{query}")
    assert answer.status == 400 and message in answer.text and "data-response-id" not in answer.text


THEMED = {"finance": ["I was charged twice for one invoice", "Charged twice again, the invoice is wrong",
                      "Why was I charged twice on my invoice?", "The invoice shows I was charged twice"],
          "delivery": ["The parcel arrived five days late", "My parcel arrived late and damaged",
                       "Parcel arrived late again", "Late parcel, arrived after the weekend",
                       "The parcel arrived two days late"],
          "customer_service": ["On hold for an hour with support", "Support kept me on hold for an hour",
                               "An hour on hold, support never came", "Waited on hold with support for an hour"]}


def add_themed_complaints() -> list[int]:
    """Thirteen dissatisfied answers on 18 March (inside WINDOW) that form three themes."""
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.store.db import engine_for
    from bot.store.models import Conversation, FeedbackResponse

    ids = []
    with Session(engine_for(get_settings().database_url), future=True) as session, session.begin():
        for n, (silo, text) in enumerate((s, t) for s, texts in THEMED.items() for t in texts):
            when = datetime(2026, 3, 18, 9, n)
            response = FeedbackResponse(
                conversation=Conversation(key=f"theme-{n}", sender_id="theme", status="completed", started_at=when),
                touchpoint="delivery", channel="web", score=1, text=text, primary_silo=silo, status="complete",
                created_at=when)
            session.add(response)
            session.flush()
            ids.append(response.id)
    return ids


def test_a_theme_opens_on_all_its_answers(site) -> None:
    ids = add_themed_complaints()
    page = get(site, f"/dashboard/?{WINDOW}").text
    found = re.findall(r'<tr data-theme="([^"]+)">.*?<a class="theme" href="([^"]+)">all (\d+) answers', page)
    links = {name: href for name, href, _ in found}
    assert len(links) >= 3
    late = next(name for name in links if "late" in name or "parcel" in name)
    opened = get(site, links[late].replace("&amp;", "&"))
    assert opened.status == 200 and f"Theme: {late}" in opened.text
    # all five late parcels and the fixture's own "Parcel was late" complaint, not three examples
    assert sorted(shown_ids(opened.text)) == [site[1][0], *ids[4:9]]
    gone = get(site, f"/dashboard/themes?{WINDOW}&theme=no+such+theme")
    assert gone.status == 404 and "No theme" in gone.text
    assert get(site, f"/dashboard/themes?{WINDOW}").status == 400


def add_bare_answer(text: str = "Nobody told me anything") -> int:
    """An answer that came in without touchpoint, channel or score (a follow-up line, say)."""
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.store.db import engine_for
    from bot.store.models import Conversation, FeedbackResponse

    when = datetime(2026, 3, 19, 18, 0)
    with Session(engine_for(get_settings().database_url), future=True) as session, session.begin():
        response = FeedbackResponse(conversation=Conversation(key="bare", sender_id="bare", started_at=when),
                                    text=text, primary_silo="delivery", status="partial", created_at=when)
        session.add(response)
        session.flush()
        return response.id


def test_quotes_leave_out_what_the_answer_does_not_have(site) -> None:
    bare = add_bare_answer()
    for path in (f"/dashboard/quotes?{WINDOW}&by=silo&key=delivery", "/dashboard/review"):
        page = get(site, path).text
        meta = re.search(rf'data-response-id="{bare}">[^<]*<div class="meta">(.*?)</div>', page)
        assert meta is not None, path
        assert "None" not in meta.group(1) and "· ·" not in meta.group(1) and not meta.group(1).endswith("· ")
        assert "2026-03-19 18:00 UTC · delivery" in meta.group(1)
    full = get(site, f"/dashboard/quotes?{WINDOW}&by=silo&key=delivery").text
    assert "2026-03-17 12:00 UTC · delivery · delivery · web · score 4" in full


def export_json(site, query: str) -> dict:  # type: ignore[no-untyped-def]
    import json

    answer = get(site, f"/dashboard/export/json?{query}")
    assert answer.status == 200, answer.text
    return json.loads(answer.body)


def test_the_channel_is_a_choice_of_the_channels_present_whatever_their_case(site) -> None:
    page = get(site, f"/dashboard/?{WINDOW}").text
    select = re.search(r'<select name="channel">(.*?)</select>', page)
    assert select is not None
    assert re.findall(r'<option value="([^"]*)"', select.group(1)) == ["", "email", "web"]
    lower, upper = export_json(site, f"{WINDOW}&channel=web"), export_json(site, f"{WINDOW}&channel=WEB")
    assert lower["total"]["metrics"]["volume"] == upper["total"]["metrics"]["volume"] == 5


def test_custom_dates_from_the_form_become_the_window(site) -> None:
    page = get(site, "/dashboard/?since=custom&start=2026-03-14&until=2026-03-20&by=silo").text
    assert "2026-03-14 to 2026-03-20 (UTC)" in page
    assert 'name="start" value="2026-03-14"' in page and 'name="until" value="2026-03-20"' in page
    assert '<option value="custom" selected>' in page
    assert "since=2026-03-14&amp;until=2026-03-20" in page  # links and exports keep the custom window
    preset = get(site, "/dashboard/?since=7d&start=&until=2026-03-20").text  # a preset from the form: up to today
    assert "2026-03-20 (UTC)" not in preset.split("</header>")[0]


def test_a_chosen_comparison_period_replaces_the_one_just_before(site) -> None:
    before = export_json(site, WINDOW)
    delivery = next(r for r in before["rows"] if r["key"] == "delivery")
    assert delivery["changes"]["volume"]["previous"] == 2  # 8 and 13 March
    page = get(site, f"/dashboard/?{WINDOW}&compare=2026-02-28").text
    assert "Changes compare with 2026-02-28 to 2026-03-06." in page
    chosen = export_json(site, f"{WINDOW}&compare=2026-02-28")
    delivery = next(r for r in chosen["rows"] if r["key"] == "delivery")
    assert delivery["changes"]["volume"]["previous"] == 1  # the 6 March complaint only, not the days between
    assert delivery["metrics"] == next(r for r in before["rows"] if r["key"] == "delivery")["metrics"]


@pytest.mark.parametrize(("query", "message"), [
    ("since=custom&start=", "choose the first day"),
    ("since=2026-03-14&until=2026-02-30", "is not a period"),
    ("since=2026-03-20&until=2026-03-14", "is not before"),
    (f"{WINDOW}&compare=banana", "--compare: &#x27;banana&#x27; is not a period"),
    (f"{WINDOW}&compare=2026-03-10", "must end before this period starts on 2026-03-14"),
    (f"{WINDOW}&tz=Mars/Olympus", "unknown time zone"),
])
def test_bad_dates_get_a_clear_message_and_a_400_page(site, query, message) -> None:
    answer = get(site, f"/dashboard/?{query}")
    assert answer.status == 400 and message in answer.text and 'form class="filters"' in answer.text
    assert 'id="metrics"' not in answer.text


@pytest.mark.parametrize("path", [
    "/dashboard/?since=9999999d", "/dashboard/?since=2026-01-01&until=9999-12-31",
    "/dashboard/export/json?since=99999m", "/dashboard/quotes?by=silo&key=delivery&page=99999999999999999999999",
    "/dashboard/quotes?by=silo&key=delivery&page=-1", "/dashboard/review?page=0",
])
def test_out_of_range_input_is_a_400_with_a_reason_never_a_500(site, path) -> None:
    answer = get(site, path)
    assert answer.status == 400, answer.text
    assert "past the calendar" in answer.text or "page must be a number from 1 to" in answer.text


def test_the_responses_behind_the_page_export_as_siloscope_export_writes_them(site) -> None:
    import csv
    import io
    import json

    from bot.commands.export import CSV_COLUMNS

    ids = site[1]
    formula = add_bare_answer("=HYPERLINK(\"http://evil.example\",\"click\")")  # delivery, 19 March
    page = get(site, f"/dashboard/?{WINDOW}&silo=delivery").text
    link = re.search(r'<a class="export-raw" href="([^"]+)">CSV</a>', page)
    assert link is not None
    answer = get(site, link.group(1).replace("&amp;", "&"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert list(rows[0]) == CSV_COLUMNS
    # delivery's answers in the window, oldest first: 15, 16, 17, 19 (the formula) and 20 March
    assert [int(r["response_id"]) for r in rows] == [ids[0], ids[1], ids[2], formula, ids[3]]
    assert rows[3]["text"].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    records = json.loads(get(site, f"/dashboard/export/responses/json?{WINDOW}&channel=EMAIL").body)
    assert [r["response_id"] for r in records] == [ids[1], ids[4]]
    assert {"customer_ref", "order_id", "ticket_id", "human_requested", "silos", "handoffs"} <= set(records[0])
    assert get(site, f"/dashboard/export/responses/xlsx?{WINDOW}").status == 404
    assert get(site, "/dashboard/export/responses/csv?since=banana").status == 400
    _request, anonymous = asyncio.run(site[0].asgi_client.get(f"/dashboard/export/responses/csv?{WINDOW}"))
    assert anonymous.status == 401 and "delivery" not in anonymous.text


def add_customer_answer(ref: str) -> int:
    """A customer (a ref with characters a URL must quote) who asked for a person about order A-17, ticket T-9."""
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.store.db import engine_for
    from bot.store.models import Conversation, Customer, FeedbackResponse

    when = datetime(2026, 3, 18, 12, 0)
    with Session(engine_for(get_settings().database_url), future=True) as session, session.begin():
        customer = Customer(ref=ref)
        session.add(customer)
        session.flush()
        conversation = Conversation(key="person", sender_id="person", customer_id=customer.id, order_id="A-17",
                                    ticket_id="T-9", channel="whatsapp", human_requested=True, started_at=when)
        response = FeedbackResponse(conversation=conversation, customer_id=customer.id, touchpoint="delivery",
                                    channel="whatsapp", score=2, text="Please call me", status="complete",
                                    created_at=when)
        session.add(response)
        session.flush()
        return response.id


def fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-field="[^"]+"><th>([^<]+)</th><td[^>]*>(.*?)</td></tr>', page))


def test_the_response_page_says_who_answered_about_what_and_links_to_the_customer(site) -> None:
    response_id = add_customer_answer("ana/ß 42")
    page = get(site, f"/dashboard/responses/{response_id}").text
    shown = fields(page)
    assert shown["Order"] == "A-17" and shown["Ticket"] == "T-9" and shown["Channel"] == "whatsapp"
    person = shown["Asked for a person"]
    assert person.startswith("<strong") and "asked to talk to a person" in person
    assert '<a class="customer" href="/dashboard/customers/ana%2F%C3%9F%2042">ana/ß 42</a>' in shown["Customer"]
    quiet = fields(get(site, f"/dashboard/responses/{site[1][6]}").text)  # no customer, order or ticket
    assert quiet["Customer"] == quiet["Order"] == quiet["Ticket"] == "–" and quiet["Asked for a person"] == "no"
    assert not any("None" in value for value in quiet.values())


def test_the_headline_names_the_worst_department_its_trend_and_why(site) -> None:
    add_themed_complaints()
    data = export_json(site, WINDOW)
    worst = max(data["rows"], key=lambda r: r["metrics"]["friction_index"] or 0)
    page = get(site, f"/dashboard/?{WINDOW}").text
    headline = re.search(r'<section id="headline"><p>(.*?)</p></section>', page)
    assert headline is not None and page.index('id="headline"') < page.index('id="friction-chart"')
    text = headline.group(1)
    assert f"<strong>{worst['label']}</strong></a>, friction {worst['metrics']['friction_index']:.1f}" in text
    assert ("getting worse" in text or "getting better" in text or "not clearly changed" in text)
    why = re.search(r'Why: its most common complaint is “<a href="(/dashboard/themes\?[^"]+)">', text)
    assert why is not None and get(site, why.group(1).replace("&amp;", "&")).status == 200
    assert get(site, f"/dashboard/?{WINDOW}&by=day").text.count('id="headline"') == 0  # a time line has no "worst"

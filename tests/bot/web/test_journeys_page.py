"""``/dashboard/journeys`` in process: every figure checked against the hand-counted journeys."""

from __future__ import annotations

import re
from datetime import datetime

from analytics.journey_stats import journey_stats
from bot.settings import get_settings
from bot.store.db import engine_for
from tests.analytics.journey_data import Writer, at
from tests.bot.web.test_app_in_process import call
from tests.bot.web.test_customer_page import AUTH, journeys_app  # noqa: F401 - the fixture

NOW = datetime(2026, 12, 1)


def add_c4(url: str) -> None:
    """C-4 buys (sales, 3) and then answers nothing: two delivery events of the same order O-4."""
    with engine_for(url).begin() as connection:
        w = Writer(connection)
        c4 = w.customer("C-4")
        w.event(c4, "purchase", at(4, 1), "O-4")
        w.answer("c4_purchase", c4, "purchase", at(4, 1, 11), 3, ["sales"], order="O-4")
        w.event(c4, "delivery", at(4, 3), "O-4")
        w.event(c4, "delivery", at(4, 6), "O-4")


def test_the_journey_figures_match_the_hand_count(journeys_app) -> None:  # noqa: F811
    add_c4(get_settings().database_url)
    stats = journey_stats(engine_for(get_settings().database_url), 30, now=NOW)
    # cycles: C-1 2, C-2 1, C-3 2, C-4 1; orders O-1, O-2, O-4, and O-4 met delivery twice
    assert (stats.customers, stats.cycles, stats.orders, stats.orders_with_repeat_contact) == (4, 6, 3, 1)
    # where each department is met first in a cycle: sales 1,1,1; customer service 3,1,1,1; delivery 2,2,2; finance 4
    assert [(s.department, s.position, s.scores.mean) for s in stats.stages] == [
        ("sales", 1.0, 4.0), ("customer_service", 1.5, 2.2), ("delivery", 2.0, 3.0), ("finance", 4.0, None)]
    assert [(c.department, c.first.mean, c.repeat.mean, c.change) for c in stats.comparisons] == [
        ("sales", 3.5, 5.0, 1.5), ("customer_service", 1.75, 4.0, 2.25), ("delivery", 2.0, 4.0, 2.0)]
    # consecutive answers in one cycle: C-1 sales 4 → delivery 2 → support 1, then sales 5 → delivery 4
    assert [(d.from_department, d.to_department, d.count, d.mean_change) for d in stats.drops] == [
        ("sales", "delivery", 2, -1.5), ("delivery", "customer_service", 1, -1.0)]
    assert [(o.department, o.stopped_answering, o.stopped_buying) for o in stats.drop_offs] == [
        ("sales", 1, 0), ("customer_service", 0, 2), ("delivery", 0, 2)]
    assert stats.repeat_contact == {"delivery": 1}
    # delivery: 3 people from the ticket tool (ana, ben, couriers), then 1 contact; support: contacts 3,1,1,1,1
    assert [(p.department, p.steps, p.mean, p.three_or_more, p.from_tool) for p in stats.people] == [
        ("sales", 3, 1.0, 0, 0), ("customer_service", 5, 1.4, 1, 0), ("delivery", 2, 2.0, 1, 1)]


def test_the_page_draws_the_flow_and_tables_behind_the_token(journeys_app) -> None:  # noqa: F811
    app, _ids = journeys_app
    assert call(app, "get", "/dashboard/journeys/").status == 401
    response = call(app, "get", "/dashboard/journeys/", headers=AUTH)
    assert response.status == 200
    page = response.text
    arcs = re.findall(r'<path d="[^"]+" fill="none" stroke="(#[0-9a-f]+)"[^>]*><title>([^<]+)</title>', page)
    assert ("#c23b3b", "sales → delivery: 2 customers, score -1.50") in arcs
    assert '<tr class="drop" data-from="sales" data-to="delivery"><td>sales → delivery</td><td>2</td>' in page
    assert '<tr class="cycle" data-department="delivery"><td>delivery</td><td>1</td><td>2.00</td>' in page
    assert "<script" not in page


def test_the_dashboard_groups_by_cycle_too(journeys_app) -> None:  # noqa: F811
    app, _ids = journeys_app
    response = call(app, "get", "/dashboard/?by=cycle&since=2026-01-01&until=2026-03-31", headers=AUTH)
    assert response.status == 200
    assert "first purchase cycle" in response.text and "repeat cycles (2nd and later)" in response.text
    assert '<option value="cycle" selected>' in response.text


def test_a_cycle_bar_opens_only_that_cycles_answers(journeys_app) -> None:  # noqa: F811
    app, ids = journeys_app
    window = "since=2026-01-01&until=2026-03-31&by=cycle"

    def opened(key: str) -> set[int]:
        response = call(app, "get", f"/dashboard/quotes?{window}&key={key}", headers=AUTH)
        assert response.status == 200, response.text
        return {int(i) for i in re.findall(r'href="/dashboard/responses/(\d+)"', response.text)}

    assert opened("repeat") == {ids["c1_purchase2"], ids["c1_delivery2"], ids["c3_support3"]}
    assert opened("first") == {ids[n] for n in ("c1_purchase", "c1_delivery", "c1_support", "c2_support",
                                                "c3_support", "c3_support2")}
    assert opened("unknown") == set()

"""The read side behind the dashboard's links: a bar's answers page by page, and one response's analysis."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from analytics.drilldown import AttributionLine, HandoffLine, bar_window, quotes_behind, response_detail
from analytics.periods import make_window
from analytics.service import ReportOptions
from bot.errors import UsageError
from bot.settings import get_settings

DELIVERY = ReportOptions(since="2026-03-14", until="2026-03-20", by="silo")


def test_a_bar_is_read_page_by_page_newest_first(friction_store) -> None:
    ids = friction_store
    first = quotes_behind(DELIVERY, "delivery", 0, 2, settings=get_settings())
    assert [q.response_id for q in first.quotes] == [ids[2], ids[1]] and first.more
    assert first.window == "2026-03-14 to 2026-03-20 (UTC)"
    rest = quotes_behind(DELIVERY, "delivery", 2, 2, settings=get_settings())
    assert [q.response_id for q in rest.quotes] == [ids[0]] and not rest.more
    assert rest.quotes[0].created_at == "2026-03-15T10:00:00+00:00" and rest.quotes[0].score == 1


def test_unknown_names_are_refused_before_any_read(friction_store) -> None:
    with pytest.raises(UsageError, match="unknown touchpoint"):
        quotes_behind(ReportOptions(touchpoint="moon"), "delivery", 0, 5, settings=get_settings())


@pytest.mark.parametrize(("unit", "key", "start", "end"), [
    ("day", "2026-03-16", date(2026, 3, 16), date(2026, 3, 17)),
    ("week", "2026-03-09", date(2026, 3, 14), date(2026, 3, 16)),  # cut to the window's start
    ("month", "2026-03-01", date(2026, 3, 14), date(2026, 3, 21)),  # and to its end
])
def test_a_period_bar_covers_its_period_inside_the_window(unit, key, start, end) -> None:
    window = make_window("2026-03-14", "2026-03-20", ZoneInfo("UTC"))
    narrowed = bar_window(window, unit, key)
    assert (narrowed.start_day, narrowed.end_day) == (start, end)
    assert bar_window(window, "silo", "delivery") is window


def test_response_detail_has_every_stored_analysis(friction_store) -> None:
    detail = response_detail(friction_store[0], settings=get_settings())
    assert detail is not None
    assert (detail.created_at, detail.score, detail.effort, detail.contact_count) == (
        datetime(2026, 3, 15, 10), 1, 2, 3)
    assert (detail.sentiment_label, detail.sentiment_score, detail.primary_silo) == ("negative", -0.8, "delivery")
    assert detail.attributions == [AttributionLine(1, "delivery", 0.8, "negative", "Parcel was late"),
                                   AttributionLine(2, "finance", 0.8, "negative", None)]
    assert detail.handoffs == [HandoffLine("delivery", "finance", "late <b>parcel</b> … nobody called")]
    assert response_detail(999_999, settings=get_settings()) is None

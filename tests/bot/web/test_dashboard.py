"""The dashboard's drill-downs over HTTP, on the hand-computed store of ``tests/analytics/friction_data``.

The browser test seeds thousands of random rows and checks that the pages work; here every
answer is known, so each page must show exactly the answers behind the bar it was opened from,
newest first, and a stored response exactly as it was analysed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.analytics.friction_data import HANDOFF_EVIDENCE, SCRIPT_QUOTE, write_friction_store
from tests.support import WebService, migrated

TOKEN = "dashboard-drilldown-token-31d9"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WINDOW = "since=2026-03-14&until=2026-03-20"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebService, list[int]]]:
    folder: Path = tmp_path_factory.mktemp("dashboard-drilldown")
    url = migrated(f"sqlite:///{folder / 'siloscope.db'}")
    ids = write_friction_store(url)
    server = WebService({"DATABASE_URL": url, "SILOSCOPE_VAR": str(folder / "var"),
                         "SILOSCOPE_DASHBOARD_TOKEN": TOKEN}, folder / "web.log")
    yield server, ids
    server.stop()


def get(web: tuple[WebService, list[int]], path: str) -> requests.Response:
    return requests.get(web[0].url(path), headers=AUTH, timeout=60, allow_redirects=False)


def shown_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-response-id="(\d+)"', page)]


def test_a_silo_bar_shows_its_answers_newest_first(web) -> None:
    ids = web[1]
    page = get(web, f"/dashboard/quotes?{WINDOW}&by=silo&key=delivery")
    assert page.status_code == 200
    # delivery's open answers in the window: fixture rows 2 (17th), 1 (16th), 0 (15th); row 3 has no text
    assert shown_ids(page.text) == [ids[2], ids[1], ids[0]]
    assert "2026-03-17 12:00 UTC · delivery · delivery · web · score 4" in page.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page.text and "<script>" not in page.text
    assert "older answers" not in page.text
    assert "2026-03-14 to 2026-03-20 (UTC) · newest first" in page.text


def test_other_groupings_and_filters_narrow_the_drilldown(web) -> None:
    ids = web[1]
    assert shown_ids(get(web, f"/dashboard/quotes?{WINDOW}&by=channel&key=email").text) == [ids[4], ids[1]]
    assert shown_ids(get(web, f"/dashboard/quotes?{WINDOW}&by=touchpoint&key=invoice&channel=web").text) == [ids[5]]
    empty = get(web, f"/dashboard/quotes?{WINDOW}&by=silo&key=unattributed")  # its one answer has no text
    assert empty.status_code == 200 and shown_ids(empty.text) == [] and "No open answers" in empty.text


def test_a_period_bar_shows_the_answers_of_that_period_inside_the_window(web) -> None:
    ids = web[1]
    assert shown_ids(get(web, f"/dashboard/quotes?{WINDOW}&by=day&key=2026-03-16").text) == [ids[1]]
    # the week of Monday 16 March, up to the window's end (the 21st's answer is outside it)
    assert shown_ids(get(web, f"/dashboard/quotes?{WINDOW}&by=week&key=2026-03-16").text) == [
        ids[5], ids[4], ids[2], ids[1]]
    # the week of Monday 9 March starts before the window: its bar counts the 14th and 15th only,
    # so the 13th's answer (previous window) must not be shown behind it
    assert shown_ids(get(web, f"/dashboard/quotes?{WINDOW}&by=week&key=2026-03-09").text) == [ids[0]]
    assert shown_ids(get(web, "/dashboard/quotes?since=2026-03-01&until=2026-03-31&by=month&key=2026-03-01").text
                     ) == [ids[10], ids[5], ids[4], ids[2], ids[1], ids[0], ids[8], ids[7], ids[9]]


@pytest.mark.parametrize(("query", "message"), [
    (f"{WINDOW}&by=silo", "needs a key"),
    (f"{WINDOW}&by=silo&key=delivery&page=two", "page must be a number"),
    (f"{WINDOW}&by=silo&key=delivery&silo=accounting", "unknown silo"),
    (f"{WINDOW}&by=week&key=banana", "not a period"),
])
def test_a_bad_drilldown_says_what_is_wrong(web, query, message) -> None:
    answer = get(web, f"/dashboard/quotes?{query}")
    assert answer.status_code == 400 and message in answer.text and "data-response-id" not in answer.text


def test_a_response_page_shows_the_stored_analysis(web) -> None:
    response_id = web[1][0]
    page = get(web, f"/dashboard/responses/{response_id}")
    assert page.status_code == 200
    text = page.text
    assert f"<h2>Response #{response_id}</h2>" in text
    for label, value in (("Received", "2026-03-15 10:00:00 UTC"), ("Touchpoint", "delivery"), ("Channel", "web"),
                         ("Score (1–5)", "1"), ("Effort (7 = easy)", "2"), ("Contacts", "3"),
                         ("Sentiment", "negative (-0.80)"), ("Primary silo", "delivery"),
                         ("Status", "complete"), ("Follow-up answer", "–")):
        assert re.search(rf"<th>{re.escape(label)}</th><td[^>]*>{re.escape(value)}</td>", text), label
    assert "Parcel was late &lt;script&gt;" in text and SCRIPT_QUOTE not in text
    # attributions by rank, with confidence and evidence; the hand-off with its (escaped) evidence
    assert re.search(r"<td>1</td><td>delivery</td><td>0\.80</td><td>negative</td><td[^>]*>Parcel was late</td>", text)
    assert re.search(r"<td>2</td><td>finance</td><td>0\.80</td><td>negative</td><td[^>]*></td>", text)
    assert text.index("<td>1</td><td>delivery") < text.index("<td>2</td><td>finance")
    assert "<li>delivery → finance: late &lt;b&gt;parcel&lt;/b&gt; … nobody called</li>" in text
    assert HANDOFF_EVIDENCE[0] not in text


def test_a_response_without_handoffs_or_text_and_a_missing_one(web) -> None:
    quiet = get(web, f"/dashboard/responses/{web[1][6]}")  # unattributed, no text, no attribution
    assert quiet.status_code == 200
    assert re.search(r"<th>Primary silo</th><td[^>]*>unattributed</td>", quiet.text)
    assert "None" not in quiet.text
    assert "<h2>Hand-offs</h2>" not in quiet.text
    missing = get(web, "/dashboard/responses/999999")
    assert missing.status_code == 404 and "No response #999999." in missing.text

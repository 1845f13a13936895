"""The managers' dashboard and the HTML report in a real browser (Debian's chromium).

The web service runs as ``siloscope web`` on a free 127.0.0.1 port over a store filled by
``siloscope seed`` plus one answer that contains HTML and a script. Checks: no token, no data
(401, nothing shown); with the token the charts render, a bar drills down to the quotes behind
it, the filters narrow the numbers, the export returns what is shown, and the hostile quote is
shown as text. The offline HTML report is opened from a file with the network cut off.

Set SILOSCOPE_UPDATE_DOCS=1 to refresh docs/dashboard.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy.orm import Session

from bot.settings import PROJECT_ROOT
from bot.store.db import engine_for
from bot.store.models import Attribution, Conversation, FeedbackResponse
from tests.support import WebService, migrated

pytestmark = pytest.mark.e2e

TOKEN = "test-dashboard-token-5f1c"
HOSTILE = "<script>window.__pwned = true</script><b>bold?</b> the courier broke my <img src=x onerror=alert(1)>"


def _add_hostile_quote(url: str) -> int:
    now = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=5)
    with Session(engine_for(url), future=True) as session, session.begin():
        response = FeedbackResponse(
            conversation=Conversation(key="hostile", sender_id="hostile", status="completed", started_at=now),
            touchpoint="delivery", touchpoint_silo="delivery", channel="web", score=1, effort=1, contact_count=2,
            text=HOSTILE, sentiment_label="negative", sentiment_score=-0.99, primary_silo="delivery",
            status="complete", created_at=now,
        )
        response.attributions.append(Attribution(rank=1, silo="delivery", confidence=0.9, sentiment_label="negative",
                                                 created_at=now))
        session.add(response)
        session.flush()
        return response.id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("dashboard")
    url = migrated(f"sqlite:///{folder / 'siloscope.db'}")
    env = {**os.environ, "DATABASE_URL": url, "SILOSCOPE_VAR": str(folder / "var"),
           "SILOSCOPE_DASHBOARD_TOKEN": TOKEN}
    siloscope = [sys.executable, "-m", "bot.cli"]
    subprocess.run([*siloscope, "seed", "--rows", "4000", "--days", "60"], env=env, check=True, cwd=PROJECT_ROOT,
                   capture_output=True)
    hostile_id = _add_hostile_quote(url)
    web = WebService(env, folder / "web.log")
    yield {"base": web.url(), "hostile_id": hostile_id, "env": env, "folder": folder}
    web.stop()


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/quotes?key=delivery", "/dashboard/export/csv",
                                  "/dashboard/export/json"])
def test_without_token_nothing_is_shown(server, path) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Cookie": "siloscope_dashboard=wrong"}):
        answer = requests.get(server["base"] + path, headers=headers, timeout=30, allow_redirects=False)
        assert answer.status_code == 401
        assert "delivery" not in answer.text and "courier" not in answer.text
    answer = requests.get(server["base"] + path + ("&" if "?" in path else "?") + "token=wrong", timeout=30,
                          allow_redirects=False)
    assert answer.status_code == 401


def test_export_returns_what_is_shown(server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    shown = requests.get(f"{server['base']}/dashboard/export/json?since=30d&silo=delivery", headers=auth, timeout=60)
    assert shown.status_code == 200
    data = shown.json()
    assert data["filters"] == {"silo": "delivery"} and [r["key"] for r in data["rows"]] == ["delivery"]
    as_csv = requests.get(f"{server['base']}/dashboard/export/csv?since=30d&silo=delivery", headers=auth, timeout=60)
    assert "attachment" in as_csv.headers["Content-Disposition"]
    assert f",{data['rows'][0]['metrics']['volume']}," in as_csv.text.splitlines()[1]
    bad = requests.get(f"{server['base']}/dashboard/export/json?since=banana", headers=auth, timeout=30)
    assert bad.status_code == 400 and "not a period" in bad.text


def test_dashboard_charts_drilldown_and_escaping(server, browser, tmp_path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server["base"]) else None)
    page.goto(f"{server['base']}/dashboard?token={TOKEN}")
    assert "token=" not in page.url  # moved into an HTTP-only cookie
    bars = page.locator("#friction-chart a.bar")
    assert bars.count() >= 8
    box = page.locator("#friction-chart rect").first.bounding_box()
    assert box is not None and box["width"] > 10  # really drawn, not an empty SVG
    assert page.locator("#trend-chart-friction g.series").count() >= 2
    assert page.locator("#handoff-chart g.cell").count() >= 1
    assert page.locator("#metrics tbody tr").count() >= 9
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("blockquote.quote", has_text="<script>window.__pwned").count() == 1
    if os.environ.get("SILOSCOPE_UPDATE_DOCS"):
        page.screenshot(path=str(PROJECT_ROOT / "docs" / "dashboard.png"), full_page=True)
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    page.select_option("select[name=silo]", "delivery")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "silo=delivery" in page.url
    assert [b.get_attribute("data-key") for b in page.locator("#friction-chart a.bar").all()] == ["delivery"]

    page.locator('#friction-chart a.bar[data-key="delivery"]').click()
    page.wait_for_load_state()
    assert "/dashboard/quotes" in page.url and "key=delivery" in page.url
    quotes = page.locator("#quotes-list blockquote.quote")
    assert quotes.count() >= 5
    hostile = page.locator(f'blockquote.quote[data-response-id="{server["hostile_id"]}"]')
    assert hostile.count() == 1 and "<script>window.__pwned = true</script>" in hostile.inner_text()
    assert page.locator("#quotes-list img, #quotes-list b").count() == 0  # markup stayed text
    assert page.evaluate("window.__pwned === undefined")
    assert outside == []  # nothing fetched from anywhere else
    context.close()


def test_html_report_opens_offline(server, browser, tmp_path) -> None:
    target = tmp_path / "report.html"
    subprocess.run([sys.executable, "-m", "bot.cli", "report", "--format", "html", "-o", str(target)],
                   env=server["env"], check=True, cwd=PROJECT_ROOT, capture_output=True)
    context = browser.new_context(offline=True)
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(target.as_uri())
    assert page.locator("#friction-chart a.bar").count() >= 8
    assert page.locator("#trend-chart-friction g.series").count() >= 2
    assert page.locator("#handoff-chart g.cell").count() >= 1
    page.locator('#friction-chart a.bar[data-key="delivery"]').click()
    assert page.evaluate("location.hash") == "#quotes-delivery"
    assert page.locator("#quotes-delivery blockquote.quote").count() >= 1
    assert page.evaluate("window.__pwned === undefined")
    assert fetched == [target.as_uri()]  # one file, nothing else
    context.close()


def test_bad_filters_explain_themselves(server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for query, message, status in (("silo=accounting", "unknown silo", 400), ("since=banana", "not a period", 400),
                                   ("by=colour", "must be one of", 400),
                                   ("channel=pigeon", "no feedback matches", 200)):  # valid, just empty
        answer = requests.get(f"{server['base']}/dashboard?{query}", headers=auth, timeout=60)
        assert answer.status_code == status and message in answer.text
        assert 'form class="filters"' in answer.text  # the filters stay, to fix the choice
    missing = requests.get(f"{server['base']}/dashboard/responses/999999", headers=auth, timeout=30)
    assert missing.status_code == 404


def test_period_bars_drill_down_to_that_week(server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    data = requests.get(f"{server['base']}/dashboard/export/json?since=8w&by=week", headers=auth, timeout=60).json()
    week = data["rows"][-2]["key"]  # a whole week
    page = requests.get(f"{server['base']}/dashboard/quotes?since=8w&by=week&key={week}", headers=auth, timeout=60)
    assert page.status_code == 200 and "data-response-id" in page.text
    start = datetime.fromisoformat(week)
    stamps = [line.split(" UTC")[0][-16:] for line in page.text.split('class="meta">')[1:]]
    assert stamps and all(start <= datetime.fromisoformat(s) < start + timedelta(days=7) for s in stamps)


def test_the_page_fits_1200_px_and_the_trend_tells_its_story(server, browser) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{server['base']}/dashboard?token={TOKEN}")
    # every table fits the column it sits in (measured, not guessed), and the page does not scroll sideways
    widths = page.evaluate("""[...document.querySelectorAll('table')].filter(t => t.offsetParent)
        .map(t => [t.id || t.className, t.scrollWidth, t.parentElement.clientWidth])""")
    assert widths and all(width <= column for _, width, column in widths), widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
    # one labelled line per group, named in the legend; the running week drawn as partial
    lines = page.locator("#trend-chart-friction g.series")
    assert lines.count() >= 5
    labels = page.locator("#trend-chart-friction text.line-label").all_text_contents()
    legend = page.locator("#trend ul.legend li[data-key]").all_text_contents()
    assert labels and sorted(labels) == sorted(legend)
    assert page.locator("#trend-chart-friction circle.point.partial").count() >= 1
    assert "(partial)" in page.locator("#trend-chart-friction").inner_html()
    # the chooser: satisfaction replaces friction, without a script (the CSP forbids inline ones)
    assert page.locator("#trend-chart-friction").is_visible() and not page.locator("#trend-chart-effort").is_visible()
    page.click("label[for=trend-satisfaction]")
    assert page.locator("#trend-chart-satisfaction").is_visible() and not page.locator(
        "#trend-chart-friction").is_visible()
    box = page.locator("#trend-chart-satisfaction").bounding_box()
    assert box is not None and box["width"] > 500
    context.close()


def test_a_manager_clicks_from_the_page_to_the_answers_behind_it(server, browser, tmp_path) -> None:
    import csv
    import re

    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server['base']}/dashboard?token={TOKEN}")
    # a hand-off cell opens the answers that describe that hand-off
    cell = page.locator("#handoff-chart a.cell-link").first
    source, target = (cell.locator("g.cell").get_attribute(a) for a in ("data-from", "data-to"))
    cell.click()
    page.wait_for_load_state()
    assert "/dashboard/quotes" in page.url and f"from={source}" in page.url and f"to={target}" in page.url
    assert page.locator("#drilldown").inner_text().endswith(f"hand-off from {source} to {target}")
    assert page.locator("#quotes-list blockquote.quote").count() >= 1
    page.go_back()
    # a theme opens on all its answers
    theme = page.locator("#themes a.theme").first
    count = int(re.findall(r"\d+", theme.inner_text())[0])
    theme.click()
    page.wait_for_load_state()
    assert "/dashboard/themes" in page.url and page.locator("#quotes-list blockquote.quote").count() == count
    # an answer opens its response, which links to the customer's page
    page.locator("#quotes-list a.response").first.click()
    page.wait_for_load_state()
    assert "/dashboard/responses/" in page.url
    assert page.locator("a.customer").get_attribute("href").startswith("/dashboard/customers/")
    assert "None" not in page.locator("#response").inner_text()
    # filters: a channel chosen from the ones present, custom dates, then the raw answers behind the page
    page.goto(f"{server['base']}/dashboard")
    channels = page.locator("select[name=channel] option").evaluate_all("options => options.map(o => o.value)")
    assert channels[0] == "" and "web" in channels and channels[1:] == sorted(channels[1:])
    page.select_option("select[name=channel]", "web")
    page.select_option("select[name=since]", "custom")
    today = datetime.now(timezone.utc).date()
    first, last = (today - timedelta(days=20)).isoformat(), (today - timedelta(days=6)).isoformat()
    page.fill("input[name=start]", first)
    page.fill("input[name=until]", last)
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    header = page.locator("header p").inner_text()
    assert f"{first} to {last}" in header and "channel: web" in header
    shown = int(re.search(r"· ([\d,]+) responses", header).group(1).replace(",", ""))
    with page.expect_download() as download:
        page.click("a.export-raw:text('CSV')")
    target_file = tmp_path / "responses.csv"
    download.value.save_as(target_file)
    with target_file.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == shown and {r["channel"].lower() for r in rows} == {"web"}
    assert all(first <= r["created_at"][:10] <= last for r in rows)
    context.close()

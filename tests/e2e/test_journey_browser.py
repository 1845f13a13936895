"""A customer's journey and the journeys page in a real browser (Debian's chromium), over ``siloscope web``.

The store holds the hand-counted journeys of ``tests/analytics/journey_data.py``. A manager opens
C-1's page with the token, sees the two purchase cycles with their steps, follows a step to its
response, and opens the journeys page, whose flow picture is drawn (inline SVG, no script, nothing
fetched from elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.web.customer_page import customer_link
from tests.analytics.journey_data import write_journeys
from tests.support import WebService, migrated

pytestmark = pytest.mark.e2e

TOKEN = "journey-browser-token-81d3"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder: Path = tmp_path_factory.mktemp("journey-browser")
    url = migrated(f"sqlite:///{folder / 'siloscope.db'}")
    ids = write_journeys(url)
    web = WebService({"DATABASE_URL": url, "SILOSCOPE_VAR": str(folder / "var"),
                      "SILOSCOPE_DASHBOARD_TOKEN": TOKEN}, folder / "web.log")
    yield {"base": web.url(), "ids": ids}
    web.stop()


def test_a_manager_follows_one_customer_across_cycles_and_the_flow_is_drawn(server, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server["base"]) else None)
    page.goto(f"{server['base']}{customer_link('C-1')}?token={TOKEN}")
    assert "token=" not in page.url
    assert page.locator("#cycle-1 tr.step").count() == 4 and page.locator("#cycle-2 tr.step").count() == 2
    assert "not answered" in page.locator("#cycle-1").inner_text()
    page.locator(f'#cycle-1 a.response[href="/dashboard/responses/{server["ids"]["c1_delivery"]}"]').click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/dashboard/responses/{server['ids']['c1_delivery']}")
    assert f"Response #{server['ids']['c1_delivery']}" in page.content()

    page.goto(f"{server['base']}/dashboard/journeys/")
    arcs = page.locator("#flow path")
    assert arcs.count() == 2
    box = arcs.first.bounding_box()
    assert box is not None and box["width"] > 20  # really drawn
    assert page.locator("#cycles tr.cycle").count() == 3
    assert outside == []
    context.close()

"""The customer page through the web service's door, in process: the journey per cycle, behind the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import get_settings
from bot.web.app import create_app
from bot.web.customer_page import customer_link
from tests.analytics.journey_data import write_journeys
from tests.bot.web.test_app_in_process import TOKEN, call
from tests.support import migrated

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def journeys_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = migrated(f"sqlite:///{tmp_path / 'siloscope.db'}")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("SILOSCOPE_DASHBOARD_TOKEN", TOKEN)
    get_settings.cache_clear()
    ids = write_journeys(url)
    yield create_app(get_settings()), ids
    get_settings.cache_clear()


def test_the_page_shows_each_cycle_with_its_steps_linked_to_their_responses(journeys_app) -> None:
    app, ids = journeys_app
    response = call(app, "get", customer_link("C-1"), headers=AUTH)
    assert response.status == 200
    page = response.text
    assert page.count('class="step" data-cycle="1"') == 4 and page.count('class="step" data-cycle="2"') == 2
    assert "Cycle 1 · O-1" in page and "3 of 4 touchpoints answered · mean score 2.33" in page
    for name in ("c1_purchase", "c1_delivery", "c1_support", "c1_purchase2", "c1_delivery2"):
        assert f'href="/dashboard/responses/{ids[name]}"' in page
    assert "not answered" in page and "asked for a person" in page and "delivery→customer_service" in page
    assert "Late parcel [email] and then support passed me around." in page
    assert "<script" not in page


def test_an_unknown_or_opted_out_customer_gets_404_with_one_sentence(journeys_app) -> None:
    app, _ids = journeys_app
    unknown = call(app, "get", customer_link("C-<b>404"), headers=AUTH)
    assert unknown.status == 404 and "no customer &#x27;C-&lt;b&gt;404&#x27; is stored" in unknown.text
    opted_out = call(app, "get", customer_link("C-2"), headers=AUTH)
    assert opted_out.status == 404 and "opted out" in opted_out.text and "ok" not in opted_out.text.split("<main>")[1]


def test_without_the_token_the_page_is_401_and_shows_nothing(journeys_app) -> None:
    app, _ids = journeys_app
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = call(app, "get", customer_link("C-1"), headers=headers)
        assert response.status == 401 and "O-1" not in response.text and "Cycle" not in response.text


def test_a_reference_with_a_slash_and_a_space_reaches_its_own_page(journeys_app) -> None:
    from datetime import datetime

    from sqlalchemy import insert

    from bot.store.db import engine_for
    from bot.store.models import Customer, TouchpointEvent

    app, _ids = journeys_app
    with engine_for(get_settings().database_url).begin() as connection:
        cid = connection.execute(insert(Customer.__table__).values(ref="Shop 7/42", opted_out=False)
                                 ).inserted_primary_key[0]
        connection.execute(insert(TouchpointEvent.__table__).values(
            event_id="slash-1", source="test", touchpoint="delivery", customer_id=cid, order_id="S-9",
            occurred_at=datetime(2026, 5, 1)))
    assert customer_link("Shop 7/42") == "/dashboard/customers/Shop%207%2F42"
    response = call(app, "get", customer_link("Shop 7/42"), headers=AUTH)
    assert response.status == 200 and "Customer Shop 7/42" in response.text and "Cycle 1 · S-9" in response.text

"""The case pages in process (Sanic's ASGI client): behind the dashboard's token, forms refused from another site,
and a case worked from the queue to closed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.settings import get_settings
from bot.store.models import Case, CaseEvent
from bot.web.app import create_app
from tests.bot.web.test_app_in_process import TOKEN, call
from tests.support import migrated
from tests.support.database import count, db_session

AUTH = {"Authorization": f"Bearer {TOKEN}"}
REF = ConversationRef(key="web-1", sender_id="web-1", customer_ref="C-9", touchpoint="delivery", channel="web")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = migrated(f"sqlite:///{tmp_path / 'siloscope.db'}")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("SILOSCOPE_DASHBOARD_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def app(store: str):  # type: ignore[no-untyped-def]
    return create_app(get_settings())


@pytest.fixture
def case_id(store: str) -> int:
    service = get_feedback_service()
    service.record(REF, Answers(score=2, text="The parcel came <b>late</b> & the driver was rude."))
    service.request_human(REF)
    with db_session(store) as session:
        return session.scalars(select(Case.id)).one()


DOORS = [("get", "/dashboard/cases"), ("get", "/dashboard/cases/1"), ("post", "/dashboard/cases/1/update"),
         ("post", "/dashboard/cases/1/close")]


@pytest.mark.parametrize(("method", "path"), DOORS)
def test_every_case_door_needs_the_dashboard_token(app, case_id: int, method: str, path: str) -> None:
    kwargs = {"data": {"status": "in_progress", "outcome": "x", "by": "Eve"}} if method == "post" else {}
    assert call(app, method, path, **kwargs).status == 401
    assert call(app, method, path, headers={"Authorization": "Bearer wrong"}, **kwargs).status == 401
    with db_session(get_settings().database_url) as session:
        assert session.get(Case, case_id).status == "open"


CROSS_SITE = [{"Origin": "https://evil.example"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}]


@pytest.mark.parametrize("path", ["/dashboard/cases/1/update", "/dashboard/cases/1/close"])
@pytest.mark.parametrize("browser_says", CROSS_SITE)
def test_a_form_posted_from_another_site_is_refused(app, case_id: int, path: str, browser_says: dict) -> None:
    response = call(app, "post", path, data={"status": "in_progress", "outcome": "Done", "by": "Eve"},
                    headers={**AUTH, **browser_says})
    assert response.status == 403
    assert count(get_settings().database_url, CaseEvent) == 1


def test_the_queue_groups_cases_by_department_and_refuses_an_unknown_filter(app, case_id: int) -> None:
    page = call(app, "get", "/dashboard/cases", headers=AUTH)
    assert page.status == 200
    assert 'id="silo-delivery"' in page.text and f'href="/dashboard/cases/{case_id}"' in page.text
    assert "asked for a person" in page.text and "due 20" in page.text
    assert "&lt;b&gt;late&lt;/b&gt; &amp; the driver" in page.text  # the customer's words, inert
    assert f"/dashboard/cases/{case_id}" not in call(app, "get", "/dashboard/cases?silo=finance", headers=AUTH).text
    assert f"/dashboard/cases/{case_id}" not in call(app, "get", "/dashboard/cases?status=closed",
                                                     headers=AUTH).text
    refused = call(app, "get", "/dashboard/cases?silo=billing", headers=AUTH)
    assert refused.status == 400 and "unknown silo &#x27;billing&#x27;" in refused.text


def test_a_case_is_worked_to_closed_through_its_page(app, case_id: int, store: str) -> None:
    page = call(app, "get", f"/dashboard/cases/{case_id}", headers=AUTH)
    assert page.status == 200
    response_id = re.search(r'href="/dashboard/responses/(\d+)"', page.text).group(1)
    assert "C-9" in page.text and "The parcel came &lt;b&gt;late" in page.text

    moved = call(app, "post", f"/dashboard/cases/{case_id}/update", headers=AUTH, follow_redirects=False,
                 data={"status": "in_progress", "owner": "customer_service", "note": "Calling back", "by": "Ana"})
    assert moved.status == 303 and moved.headers["location"] == f"/dashboard/cases/{case_id}"
    refused = call(app, "post", f"/dashboard/cases/{case_id}/close", headers=AUTH, data={"outcome": " ", "by": "Ana"})
    assert refused.status == 400 and "Not changed: the outcome is empty." in refused.text
    closed = call(app, "post", f"/dashboard/cases/{case_id}/close", headers=AUTH, follow_redirects=False,
                  data={"outcome": "Apologised, voucher sent", "by": "Ben"})
    assert closed.status == 303

    page = call(app, "get", f"/dashboard/cases/{case_id}", headers=AUTH)
    assert f"Case #{case_id} · customer_service · closed" in page.text
    assert "Apologised, voucher sent" in page.text and 'id="close"' not in page.text
    history = page.text[page.text.index('id="history"'):]
    assert history.index("Ana · status") < history.index("Ana · owner") < history.index("Ana · note") \
        < history.index("Ben · closed")
    with db_session(store) as session:
        case = session.get(Case, case_id)
        assert (case.status, case.owner, case.outcome, str(case.response_id)) == (
            "closed", "customer_service", "Apologised, voucher sent", response_id)
    assert call(app, "get", "/dashboard/cases/4242", headers=AUTH).status == 404
    again = call(app, "post", f"/dashboard/cases/{case_id}/close", headers=AUTH, data={"outcome": "x", "by": "Ben"})
    assert again.status == 400 and "already closed" in again.text


def test_the_response_page_links_its_case_and_the_dashboard_links_the_queue(app, case_id: int) -> None:
    with db_session(get_settings().database_url) as session:
        response_id = session.get(Case, case_id).response_id
    page = call(app, "get", f"/dashboard/responses/{response_id}", headers=AUTH).text
    assert f'href="/dashboard/cases/{case_id}"' in page and "open, owned by" in page
    home = call(app, "get", "/dashboard", headers=AUTH)
    assert 'href="/dashboard/cases"' in home.text and 'href="/dashboard/journeys"' in home.text

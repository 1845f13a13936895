"""The web service in process, through Sanic's own ASGI test client: no port, no browser, no subprocess.

Fast enough for ``make check``, so the doors of the dashboard are proven before every commit, not only
by the browser and HTTP rooms.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.settings import get_settings
from bot.web.app import create_app
from tests.support import migrated

TOKEN = "in-process-dashboard-token-5e0f"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", migrated(f"sqlite:///{tmp_path / 'siloscope.db'}"))
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("SILOSCOPE_DASHBOARD_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield create_app(get_settings())
    get_settings.cache_clear()


def call(app, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
    _request, response = asyncio.run(getattr(app.asgi_client, method)(path, **kwargs))
    return response


def test_health_answers_with_the_security_headers(app) -> None:
    response = call(app, "get", "/health")
    assert response.status == 200 and response.json == {"status": "ok"}
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_dashboard_shows_nothing_without_its_token(app) -> None:
    response = call(app, "get", "/dashboard/")
    assert response.status == 401 and "dashboard needs its token" in response.text
    assert call(app, "get", "/dashboard/", headers={"Authorization": "Bearer wrong"}).status == 401


def test_the_token_in_the_address_becomes_an_http_only_cookie_and_leaves_the_address(app) -> None:
    response = call(app, "get", f"/dashboard/quotes?token={TOKEN}&by=silo", follow_redirects=False)
    assert response.status == 302 and response.headers["location"] == "/dashboard/quotes?by=silo"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"siloscope_dashboard={TOKEN};")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/dashboard"} <= attributes
    assert "secure" not in attributes  # plain HTTP, no trusted proxy: the browser could not send it back


def test_an_empty_store_gets_the_page_with_a_hint_not_an_error(app) -> None:
    response = call(app, "get", "/dashboard/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200 and "the store has no feedback yet" in response.text


def test_a_correction_of_an_unknown_response_is_refused(app) -> None:
    response = call(app, "post", "/dashboard/responses/424242/silo", data={"silo": "delivery", "by": "Ana"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 404 and "no response #424242" in response.text

"""A manager corrects a response's silo on the dashboard (``siloscope web`` over HTTP).

The correction is kept with who and when, the response and the exported numbers follow it, its words
become a training example, a later follow-up answer does not undo it, and the review queue shows the
model's least sure answers first. A bad correction changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.settings import get_settings
from bot.store.db import engine_for, session_factory
from bot.store.models import FeedbackResponse, SiloCorrection
from tests.support import WebService, migrated

TOKEN = "dashboard-corrections-token-8c1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UNSURE = "Zorblix kept me waiting all day"
CLEAR = "I was charged twice on my invoice and the refund never came"


def _ref(key: str) -> ConversationRef:
    return ConversationRef(key=key, sender_id=f"s-{key}", customer_ref=f"C-{key}", touchpoint="delivery",
                           channel="web")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebService, dict[str, int]]]:
    folder: Path = tmp_path_factory.mktemp("corrections")
    env = {"DATABASE_URL": migrated(f"sqlite:///{folder / 'siloscope.db'}"), "SILOSCOPE_VAR": str(folder / "var")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        service = get_feedback_service()
        for key, words in (("unsure", UNSURE), ("clear", CLEAR)):
            service.record(_ref(key), Answers(score=2, text=words))
        with session_factory(engine_for(env["DATABASE_URL"]))() as session:
            rows = session.execute(select(FeedbackResponse.id, FeedbackResponse.text)).all()
            ids = {"unsure" if text == UNSURE else "clear": response_id for response_id, text in rows}
        server = WebService({**env, "SILOSCOPE_DASHBOARD_TOKEN": TOKEN}, folder / "web.log")
        yield server, ids
        server.stop()
        get_settings.cache_clear()


def _post(server: WebService, response_id: int, form: dict[str, str], origin: str | None = None):
    headers = {**AUTH, **({"Origin": origin} if origin else {})}
    return requests.post(server.url(f"/dashboard/responses/{response_id}/silo"), data=form, headers=headers,
                         timeout=60, allow_redirects=False)


def _exported(capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["export", "--format", "json"]) == 0
    return {r["text"]: r for r in json.loads(capsys.readouterr().out)}


def _corrections(url: str) -> int:
    with session_factory(engine_for(url))() as session:
        return session.execute(select(func.count()).select_from(SiloCorrection)).scalar_one()


def test_bad_corrections_are_refused_and_change_nothing(web, capsys) -> None:
    server, ids = web
    before = _exported(capsys)[UNSURE]["primary_silo"]
    url = get_settings().database_url
    cases = [
        (ids["unsure"], {"silo": "shipping", "by": "Ana"}, None, 400, "unknown silo &#x27;shipping&#x27;"),
        (ids["unsure"], {"silo": "delivery", "by": "  "}, None, 400, "say who corrects"),
        (999_999, {"silo": "delivery", "by": "Ana"}, None, 404, "no response #999999"),
        (ids["unsure"], {"silo": "delivery", "by": "Ana"}, "https://evil.example", 403, "dashboard&#x27;s own page"),
    ]
    for response_id, form, origin, status, message in cases:
        answer = _post(server, response_id, form, origin)
        assert answer.status_code == status, (form, answer.text)
        assert message.replace("&#x27;", "'") in answer.text.replace("&#x27;", "'")
    no_token = requests.post(server.url(f"/dashboard/responses/{ids['unsure']}/silo"),
                             data={"silo": "delivery", "by": "Ana"}, timeout=60)
    assert no_token.status_code == 401
    assert _exported(capsys)[UNSURE]["primary_silo"] == before and _corrections(url) == 0


def test_a_correction_moves_the_response_and_teaches_the_model(web, capsys) -> None:
    server, ids = web
    queue = requests.get(server.url("/dashboard/review"), headers=AUTH, timeout=60).text
    assert queue.index(f'data-response-id="{ids["unsure"]}"') < queue.index(f'data-response-id="{ids["clear"]}"')
    before = _exported(capsys)[UNSURE]["primary_silo"]
    assert before != "delivery"

    answer = _post(server, ids["unsure"], {"silo": "delivery", "by": "Ana Ruiz"}, origin=server.url("").rstrip("/"))
    assert answer.status_code == 303 and answer.headers["Location"] == f"/dashboard/responses/{ids['unsure']}"
    page = requests.get(server.url(answer.headers["Location"]), headers=AUTH, timeout=60).text
    assert "delivery (1.00)" in page and f"{before} → delivery by Ana Ruiz" in page

    record = _exported(capsys)[UNSURE]
    assert record["primary_silo"] == "delivery" and record["silos"][0]["silo"] == "delivery"
    assert before not in [s["silo"] for s in record["silos"]]
    assert main(["learn", "--show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["per_source"] == {"correction": 1}
    queue = requests.get(server.url("/dashboard/review"), headers=AUTH, timeout=60).text
    assert f'data-response-id="{ids["unsure"]}"' not in queue

    # The customer's follow-up is analysed again, and the manager's word still stands.
    get_feedback_service().record(_ref("unsure"), Answers(probe_text="and then the invoice charged me twice for it"))
    assert _exported(capsys)[UNSURE]["primary_silo"] == "delivery"

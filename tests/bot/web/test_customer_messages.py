"""The development inbox that stands in for a messaging gateway, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.web.customer_messages import SHOWN
from tests.support import WebService

from .test_demo_page import start_web


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebService]:
    server = start_web(tmp_path_factory.mktemp("inbox"))
    yield server
    server.stop()


def test_rasa_callback_messages_are_kept_and_shown_per_recipient(web: WebService) -> None:
    for recipient, text in [("C-1", "How satisfied are you?"), ("C-2", "Hello"), ("C-1", "Thanks!")]:
        reply = requests.post(web.url("/channels/callback"), json={"recipient_id": recipient, "text": text}, timeout=5)
        assert reply.json() == {"status": "delivered"}
    shown = requests.get(web.url("/channels/callback?recipient=C-1"), timeout=5).json()
    assert [m["text"] for m in shown] == ["How satisfied are you?", "Thanks!"]
    assert len(requests.get(web.url("/channels/callback"), timeout=5).json()) == 3


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"text": "no recipient"}'])
def test_a_message_it_cannot_deliver_is_refused_and_not_kept(web: WebService, body: bytes) -> None:
    before = requests.get(web.url("/channels/callback"), timeout=5).json()
    reply = requests.post(web.url("/channels/callback"), data=body, timeout=5)
    assert reply.status_code == 400 and reply.json()["status"] == "refused"
    assert requests.get(web.url("/channels/callback"), timeout=5).json() == before


def test_only_the_newest_messages_are_shown(web: WebService, tmp_path: Path) -> None:
    for i in range(SHOWN + 5):
        requests.post(web.url("/channels/callback"), json={"recipient_id": "bulk", "text": str(i)}, timeout=5)
    shown = requests.get(web.url("/channels/callback?recipient=bulk"), timeout=5).json()
    assert len(shown) == SHOWN and shown[-1]["text"] == str(SHOWN + 4)

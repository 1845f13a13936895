"""``siloscope context``: what a developer pipes into curl to start a survey in context."""

from __future__ import annotations

import json

import pytest

from bot.channels import page_context
from bot.cli import main
from bot.settings import get_settings


def test_it_prints_a_rest_body_whose_context_the_chat_door_verifies(monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("SILOSCOPE_WIDGET_SECRET", "cli-secret")
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path))
    get_settings.cache_clear()
    assert main(["context", "--touchpoint", "delivery", "--customer", "C-1001", "--order", "A-17",
                 "--sender", "try-1"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["sender"], body["message"]) == ("try-1", "/touchpoint_completed")
    context = page_context.verify("cli-secret", body["metadata"]["siloscope_context"])
    assert context == page_context.PageContext(touchpoint="delivery", customer_ref="C-1001", order_id="A-17",
                                               channel="web")


@pytest.mark.parametrize(("args", "message"), [
    (["--touchpoint", "teleport"], "unknown touchpoint 'teleport'"),
    (["--touchpoint", "delivery", "--customer", "C 1"], "customer_ref must be"),
    (["--touchpoint", "delivery", "--ttl", "999999"], "between 1 second and 86400 seconds"),
])
def test_bad_arguments_get_one_line_and_exit_2(monkeypatch, capsys, tmp_path, args, message) -> None:
    monkeypatch.setenv("SILOSCOPE_WIDGET_SECRET", "cli-secret")
    get_settings.cache_clear()
    assert main(["context", *args]) == 2
    assert message in capsys.readouterr().err

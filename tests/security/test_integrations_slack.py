"""Slack alerts through the outbox door (``siloscope outbox retry``) to a local Slack on 127.0.0.1.

A customer's answer is quoted in department alerts. Slack reads mrkdwn there, so a quote that is
passed through byte for byte lets any customer ping a whole channel (``<!here>``), a person or a
user group, and show a link under a label of their choosing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import PROJECT_ROOT
from tests.bot.channels.test_alerts_outbox import retry, store_response
from tests.security.integrations import CHANNEL_FIXTURES, set_config, slack_blocks_valid
from tests.support import free_port

peers, channel_env, sessions, web = CHANNEL_FIXTURES
SLACK_SECTION_TEXT_MAX = 3000  # Block Kit: a section's text
QUOTE_MAX_CHARS_LIMIT = SLACK_SECTION_TEXT_MAX - len("> ")  # the quote, after its quote mark
ATTACK = ("<!here> <!channel> <@U024BE7LH> <!subteam^SAZ94GDB8> the parcel never came. "
          "<https://evil.example/login|Open in dashboard> *URGENT* _refund_ ~now~ `rm -rf` & thanks")
SLACK_SEQUENCE = re.compile(r"<[^<>]*>")  # a mention, a channel-wide ping or a labelled link


def _delivered_slack_alert(sessions, peers, capsys, text: str) -> dict:  # type: ignore[no-untyped-def]
    store_response(sessions, "slack-attack", score=1, text=text, touchpoint="delivery",
                   attributions=[("delivery", 0.9, -0.7)])
    code, out = retry(capsys)
    assert code == 0, out
    return peers["slack"].wait_for(1)[0].json


def test_a_quote_pings_nobody_and_shows_no_link_of_its_own(sessions, peers, capsys) -> None:
    body = _delivered_slack_alert(sessions, peers, capsys, ATTACK)
    slack_blocks_valid(body)
    quote_block = body["blocks"][2]["text"]
    assert quote_block["type"] == "mrkdwn" and quote_block["text"].startswith("> ")
    quote = quote_block["text"][2:]
    for mrkdwn in [body["text"], quote]:
        assert SLACK_SEQUENCE.findall(mrkdwn) == [], mrkdwn
        assert "<" not in mrkdwn and ">" not in mrkdwn
    # Nothing the customer typed formats the message: no bold, italics, strike-through or code.
    assert not set("*_~`") & set(quote)
    # ... and every word is still there for the department to read, as Slack will display it.
    shown = quote.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown == ATTACK.translate(str.maketrans("*_~`", "＊＿～｀"))
    assert "&lt;!here&gt;" in body["text"] and "&amp; thanks" in body["text"]
    # The only real links are ours: the dashboard and case buttons.
    buttons = body["blocks"][3]["elements"]
    assert [b["url"].rsplit("/", 1)[0] for b in buttons] == [
        "http://localhost:8000/dashboard/responses", "http://localhost:8000/dashboard/cases"]


def test_a_quote_at_the_limit_is_cut_between_whole_escapes(channel_env, sessions, peers, capsys) -> None:
    set_config(channel_env, "alerts", quote_max_chars=QUOTE_MAX_CHARS_LIMIT)
    text = "Fees & charges <b>doubled</b> again, see <https://evil.example|this> " * 60  # escapes grow it ~1.4x
    body = _delivered_slack_alert(sessions, peers, capsys, text)
    slack_blocks_valid(body)  # Block Kit's 3,000 characters hold
    quote = body["blocks"][2]["text"]["text"]
    assert len(quote) <= SLACK_SECTION_TEXT_MAX and quote.endswith("…")
    assert re.search(r"&(?!amp;|lt;|gt;)", quote) is None  # no "&am", no bare "&"
    assert "<" not in quote[2:] and ">" not in quote[2:]


def _web_service_start(env: dict[str, str], log: Path) -> tuple[int | None, str]:
    """``siloscope web`` as ``make run`` starts it: its exit code within 60 s (None: it kept serving)."""
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "siloscope"), "web", "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=PROJECT_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        code: int | None = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
    return code, log.read_text(errors="replace")


@pytest.mark.parametrize("value", [QUOTE_MAX_CHARS_LIMIT + 1, 5000])
def test_quote_max_chars_beyond_block_kit_is_refused_at_start_up(
    value: int, channel_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_config(channel_env, "alerts", quote_max_chars=value)
    code, output = _web_service_start({**os.environ, **channel_env}, tmp_path / "web.log")
    assert code == 2, output[-2000:]
    assert f"alerts.quote_max_chars is {value}; the most is {QUOTE_MAX_CHARS_LIMIT}" in output
    assert "3,000 characters (Block Kit)" in output and "Traceback" not in output
    # The CLI that delivers alerts says the same, and sends nothing.
    assert main(["outbox", "retry"]) == 2
    assert "alerts.quote_max_chars" in capsys.readouterr().err

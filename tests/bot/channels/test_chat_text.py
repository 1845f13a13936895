"""Customers' words made inert for Slack, and cut to fit without breaking an escape or a link."""

from __future__ import annotations

import re

import pytest

from bot.channels.chat_text import ELLIPSIS, QUOTE_MAX_CHARS_LIMIT, fit, slack_escape, slack_inert, slack_quote
from bot.errors import UsageError
from bot.settings import Settings

INERT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "*": "＊", "_": "＿", "~": "～", "`": "｀"}


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("<!here> please", "&lt;!here&gt; please"),
        ("<!channel> <!everyone>", "&lt;!channel&gt; &lt;!everyone&gt;"),
        ("hi <@U024BE7LH> and <!subteam^SAZ94GDB8|@ops>", "hi &lt;@U024BE7LH&gt; and &lt;!subteam^SAZ94GDB8|@ops&gt;"),
        ("<https://evil.example|Open in dashboard>", "&lt;https://evil.example|Open in dashboard&gt;"),
        ("*bold* _it_ ~gone~ `code`", "＊bold＊ ＿it＿ ～gone～ ｀code｀"),
        ("Q&A &amp; more", "Q&amp;A &amp;amp; more"),  # an entity the customer typed stays as typed
    ],
)
def test_slack_inert(typed: str, sent: str) -> None:
    assert slack_inert(typed) == sent


def test_slack_escape_keeps_our_own_formatting() -> None:
    assert slack_escape("Sales & <Marketing> *team*") == "Sales &amp; &lt;Marketing&gt; *team*"


def test_fit_counts_the_escaped_length_and_cuts_between_whole_escapes() -> None:
    for limit in range(2, 40):
        cut = fit("&" * 30, limit, INERT)
        assert len(cut) <= limit
        assert re.fullmatch(r"(&amp;)*…", cut), cut


def test_fit_cuts_at_a_word_and_never_inside_a_url() -> None:
    assert fit("short enough", 12, INERT) == "short enough"
    assert fit("the parcel never arrived at all", 20, INERT) == "the parcel never" + ELLIPSIS
    assert fit("see https://evil.example.com/reset-password now", 30, INERT) == "see" + ELLIPSIS
    assert fit("https://evil.example.com/reset-password", 20, INERT) == ELLIPSIS
    assert fit("Supercalifragilisticexpialidocious", 10, INERT) == "Supercali" + ELLIPSIS


def test_slack_quote_fits_a_block_kit_section_whatever_the_customer_typed() -> None:
    for typed in ("&" * 5000, "<>" * 2000, "word " * 1000, "x" * 4000):
        assert len("> " + slack_quote(typed)) <= 3000


def test_quote_max_chars_is_bounded_by_block_kit() -> None:
    def config(value: int):  # type: ignore[no-untyped-def]
        return Settings.from_mapping({"alerts": {"quote_max_chars": value}}).alerts

    assert config(QUOTE_MAX_CHARS_LIMIT).quote_max_chars == QUOTE_MAX_CHARS_LIMIT == 2998
    with pytest.raises(UsageError, match=r"alerts\.quote_max_chars is 2999; the most is 2998.*3,000 characters"):
        config(QUOTE_MAX_CHARS_LIMIT + 1)
    with pytest.raises(UsageError, match=r"alerts\.quote_max_chars must be a whole number >= 20"):
        config(5)

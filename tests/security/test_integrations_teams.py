"""Teams alerts through the outbox door (``siloscope outbox retry``) to a local Teams on 127.0.0.1.

An Adaptive Card ``TextBlock`` reads a subset of Markdown, links included, so a quote placed in
one lets a customer put a phishing link, in the company's own alert, in front of its staff.
"""

from __future__ import annotations

from tests.bot.channels.test_alerts_outbox import retry, store_response
from tests.security.integrations import CHANNEL_FIXTURES, adaptive_card_errors, elements

peers, channel_env, sessions, web = CHANNEL_FIXTURES
PHISHING = "[Reset your password](https://evil.example) **now** - _the invoice_ was wrong"


def test_the_card_shows_the_customers_markdown_as_plain_text(sessions, peers, capsys) -> None:
    store_response(sessions, "teams-attack", score=1, text=PHISHING, attributions=[("finance", 0.9, -0.7)])
    code, out = retry(capsys)
    assert code == 0, out
    message = peers["teams"].wait_for(1)[0].json
    assert message["type"] == "message"
    card = message["attachments"][0]["content"]
    assert adaptive_card_errors(card) == []

    markdown_read = [e.get("text", "") for e in elements(card) if e.get("type") == "TextBlock"]
    markdown_read += [f"{f['title']} {f['value']}" for e in elements(card) if e.get("type") == "FactSet"
                      for f in e["facts"]]
    assert not any("evil.example" in text or "**" in text for text in markdown_read), markdown_read
    runs = [e["text"] for e in elements(card) if e.get("type") == "TextRun"]  # never read as Markdown
    assert runs == [f"“{PHISHING}”"]
    # The only links are ours: the response and its case on the dashboard.
    assert [a["url"].rsplit("/", 1)[0] for a in card["actions"]] == [
        "http://localhost:8000/dashboard/responses", "http://localhost:8000/dashboard/cases"]


def test_the_schema_check_itself_refuses_a_broken_card() -> None:
    """The vendored schema is the real one: a typo'd property or a TextRun without text fails it."""
    good = {"type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "text": "ok"},
                     {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "ok"}]}]}
    assert adaptive_card_errors(good) == []
    assert adaptive_card_errors({**good, "body": [{"type": "TextBlock", "txt": "typo"}]}) != []
    assert adaptive_card_errors({**good, "body": [{"type": "RichTextBlock", "inlines": [{"type": "TextRun"}]}]}) != []
    assert adaptive_card_errors({**good, "version": 1.4}) != []

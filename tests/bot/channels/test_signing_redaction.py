"""Signature schemes as each tool signs, personal data out of quotes, config errors, the Rasa trigger client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.channels import signing
from bot.channels.rasa_trigger import DeliveryError, RasaTriggerClient, TriggerRequest
from bot.channels.redaction import redact, short_quote
from bot.errors import UsageError
from bot.settings import Settings

from .conftest import RASA_SURVEY_STARTED, SECRETS, FakePeer

BODY = b'{"id": 1}'


def test_siloscope_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    # Reference value computed independently: printf '{"id": 1}' | openssl dgst -sha256 -hmac key
    assert signing.siloscope_signature("key", BODY) == (
        "sha256=5328aa996385400504c7cc4e7b436fe9ac87339433cfb0c139b43f850e862cd7"
    )
    signing.verify_siloscope("key", BODY, signing.siloscope_signature("key", BODY))
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify_siloscope("key", BODY + b" ", signing.siloscope_signature("key", BODY))
    with pytest.raises(signing.SignatureError, match="missing"):
        signing.verify_siloscope("key", BODY, None)


def test_stripe_scheme_checks_timestamp_and_any_v1() -> None:
    header = signing.stripe_signature("whsec", BODY, timestamp=1_700_000_000)
    signing.verify_stripe("whsec", BODY, header, tolerance=300, now=1_700_000_100)
    with pytest.raises(signing.SignatureError, match="tolerance"):
        signing.verify_stripe("whsec", BODY, header, tolerance=300, now=1_700_000_301)
    with pytest.raises(signing.SignatureError, match="t=<timestamp>"):
        signing.verify_stripe("whsec", BODY, "v1=abc", tolerance=300)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify_stripe("other", BODY, header, tolerance=300, now=1_700_000_000)


def test_zendesk_scheme_signs_timestamp_then_body() -> None:
    stamp = "2026-11-23T18:00:00Z"
    header = signing.zendesk_signature("zd", BODY, stamp)
    now = 1_795_456_800.0  # 2026-11-23T18:00:00Z
    signing.verify_zendesk("zd", BODY, header, stamp, tolerance=300, now=now)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify_zendesk("zd", BODY, header, "2026-11-23T18:00:01Z", tolerance=300, now=now)
    with pytest.raises(signing.SignatureError, match="ISO 8601"):
        signing.verify_zendesk("zd", BODY, header, "yesterday", tolerance=300, now=now)


def test_shopify_scheme_is_base64() -> None:
    header = signing.shopify_signature("shp", BODY)
    assert header.endswith("=")  # base64 of 32 bytes
    signing.verify_shopify("shp", BODY, header)
    with pytest.raises(signing.SignatureError):
        signing.verify_shopify("shp", BODY, signing.siloscope_signature("shp", BODY))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe+news@mail.example.co.uk please", "write to [email] please"),
        ("call +44 20 7946 0958 or (030) 1234567", "call [phone] or [phone]"),
        ("ring 555-123-4567", "ring [phone]"),
        ("card 4111 1111 1111 1111 and 5500-0000-0000-0004", "card [card] and [card]"),
        ("paid with 4111111111111111", "paid with [card]"),
        ("order 48213977 arrived 2026-11-03, 3 days late, cost 49.99", None),
        ("not a card: 1234 5678 9012 3456", None),
    ],
)
def test_redaction(text: str, expected: str | None) -> None:
    assert redact(text) == (expected if expected is not None else text)


def test_short_quote_cuts_at_a_word_after_redacting() -> None:
    quote = short_quote("My card 4111 1111 1111 1111 was charged twice and nobody answered my calls " * 3, 60)
    assert len(quote) <= 60 and quote.endswith("…") and "4111" not in quote and "[card]" in quote
    assert short_quote(None, 60) == ""


def _settings(tmp_path: Path, raw: dict) -> Settings:
    return Settings.from_mapping(raw, silos_file=tmp_path / "silos.yml")


def test_config_errors_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"alerts\.destinations\.x\.type"):
        _settings(tmp_path, {"alerts": {"destinations": {"x": {"type": "fax", "url": "http://x"}}}})
    with pytest.raises(UsageError, match=r"alerts.routes.finance names unknown destination\(s\) \['nope'\]"):
        _settings(tmp_path, {"alerts": {"routes": {"finance": ["nope"]}}})
    with pytest.raises(UsageError, match=r"alerts\.response_url must contain \{id\}"):
        _settings(tmp_path, {"alerts": {"response_url": "http://dash/"}})
    with pytest.raises(UsageError, match=r"outbox\.max_attempts"):
        _settings(tmp_path, {"outbox": {"max_attempts": 0}})
    with pytest.raises(UsageError, match=r"webhooks\.max_body_bytes"):
        _settings(tmp_path, {"webhooks": {"max_body_bytes": "big"}})


def test_shipped_config_loads_and_backs_off_by_doubling() -> None:
    raw = yaml.safe_load((Path(__file__).resolve().parents[3] / "siloscope.yml").read_text())
    settings = _settings(Path("."), raw)
    outbox = settings.outbox
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert outbox.backoff(20) == 3600
    assert set(settings.webhooks.sources) == {"zendesk", "shopify", "stripe"}
    assert settings.alerts.destinations_for("legal")[0].name == "slack"


def test_rasa_client_quotes_the_sender_and_reports_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    rasa = FakePeer("rasa")
    try:
        monkeypatch.setenv("RASA_TOKEN", SECRETS["RASA_TOKEN"])
        config = _settings(Path("."), {"webhooks": {"rasa": {"url": rasa.url + "/"}}}).webhooks.rasa
        client = RasaTriggerClient(config)
        rasa.answer = RASA_SURVEY_STARTED
        client.trigger(TriggerRequest("shop/42 C", "callback", {"touchpoint": "order"}))
        assert rasa.received[0].path == "/conversations/shop%2F42%20C/trigger_intent"
        # 200, but the action server was away: the trigger is logged, its slot never set.
        rasa.answer = json.dumps({"tracker": {"events": [
            {"event": "slot", "name": "survey_allowed", "value": True},  # an earlier survey's
            {"event": "user", "text": "EXTERNAL: touchpoint_completed"},
            {"event": "action", "name": "action_begin_feedback"},
        ]}}).encode()
        with pytest.raises(DeliveryError, match="survey did not start"):
            client.trigger(TriggerRequest("x", "callback", {}))
        rasa.answer = b'{"ok": true}'
        with pytest.raises(DeliveryError, match="survey did not start"):
            client.trigger(TriggerRequest("x", "callback", {}))
        rasa.status = 404
        with pytest.raises(DeliveryError, match="Rasa answered 404"):
            client.trigger(TriggerRequest("x", "callback", {}))
        rasa.stop()
        with pytest.raises(DeliveryError, match="unreachable"):
            client.trigger(TriggerRequest("x", "callback", {}))
    finally:
        rasa.stop()

"""The door's decisions, without servers: signed contexts, issued conversation ids, what Rasa may read."""

from __future__ import annotations

import pytest

from bot.channels import conversation_ids, page_context
from bot.channels.chat_door import VERIFIED_KEY, ChatLimits, DoorRefusal, admit
from bot.channels.references import BadReference

SECRET = "unit-secret"
LIMITS = ChatLimits(max_message_bytes=100, max_body_bytes=200)
CONTEXT = page_context.PageContext(touchpoint="delivery", customer_ref="C-1", order_id="#1001", channel="web")


def test_a_signed_context_verifies_until_it_expires_and_only_with_its_secret() -> None:
    token = page_context.sign(SECRET, CONTEXT, ttl_seconds=60, now=1_000)
    assert page_context.verify(SECRET, token, now=1_059) == CONTEXT
    with pytest.raises(page_context.ContextRejected, match="expired"):
        page_context.verify(SECRET, token, now=1_060)
    with pytest.raises(page_context.ContextRejected) as wrong:
        page_context.verify("other", token, now=1_000)
    assert wrong.value.reason == "bad_signature"
    head, body, mac = token.split(".")
    tampered = f"{head}.{body[:-2]}xy.{mac}"
    with pytest.raises(page_context.ContextRejected):
        page_context.verify(SECRET, tampered, now=1_000)


@pytest.mark.parametrize("field", ["customer_ref", "order_id", "ticket_id", "channel"])
def test_a_context_never_carries_markup(field: str) -> None:
    with pytest.raises(BadReference, match=field):
        page_context.PageContext(touchpoint="delivery", **{field: "<img src=x onerror=alert(1)>"})


def test_issued_ids_verify_for_their_own_kind_only_and_cannot_be_made_up() -> None:
    survey = conversation_ids.issue(SECRET, conversation_ids.CALLBACK, "C-500")
    session = conversation_ids.issue(SECRET, conversation_ids.SOCKET)
    assert conversation_ids.verify(SECRET, survey, conversation_ids.CALLBACK).customer_ref == "C-500"
    assert conversation_ids.verify(SECRET, survey, conversation_ids.SOCKET) is None
    assert conversation_ids.verify(SECRET, session, conversation_ids.SOCKET) is not None
    assert conversation_ids.verify("other", session, conversation_ids.SOCKET) is None
    # The customer at the end is covered by the MAC: the id cannot be pointed at someone else.
    assert conversation_ids.verify(SECRET, survey.replace("C-500", "C-501"), conversation_ids.CALLBACK) is None
    assert conversation_ids.issue(SECRET, conversation_ids.SOCKET) != session
    assert conversation_ids.is_reserved(survey) and conversation_ids.is_reserved(session)
    assert not conversation_ids.is_reserved("C-500")


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ('/touchpoint_completed{"customer_ref":"C-777"}', 'touchpoint_completed{"customer_ref":"C-777"}'),
        (' / /touchpoint_completed{"customer_ref":"C-777"}', 'touchpoint_completed{"customer_ref":"C-777"}'),
        ('/choose_touchpoint{"touchpoint":"invoice"}', 'choose_touchpoint{"touchpoint":"invoice"}'),
        ("/stop@0.99", "stop@0.99"),
        ("/stop", "/stop"),
        ("/greet", "/greet"),
        ("the parcel / the invoice", "the parcel / the invoice"),
    ],
)
def test_typed_text_never_reaches_rasa_as_an_intent_with_entities(typed: str, read_as: str) -> None:
    admitted = admit(typed, None, LIMITS, SECRET)
    assert (admitted.text, admitted.metadata) == (read_as, {})


def test_personal_data_and_control_characters_never_reach_rasa() -> None:
    """Rasa keeps what it reads in its tracker store, so the door cleans it like every stored answer."""
    typed = "charged twice on card 4111 1111 1111 1111\u202e, mail jane.doe@mail.example.com"
    assert admit(typed, None, LIMITS, SECRET).text == "charged twice on card [card], mail [email]"
    assert admit("/" + typed, None, LIMITS, SECRET).text == "charged twice on card [card], mail [email]"


def test_the_trigger_needs_a_valid_context_and_then_carries_only_its_fields() -> None:
    with pytest.raises(DoorRefusal) as missing:
        admit("/touchpoint_completed", None, LIMITS, SECRET)
    assert (missing.value.status, missing.value.reason) == (403, "context_required")
    token = page_context.sign(SECRET, CONTEXT, ttl_seconds=60)
    admitted = admit(" /touchpoint_completed ", token, LIMITS, SECRET)
    assert admitted.metadata == {VERIFIED_KEY: CONTEXT.fields()}


def test_a_message_over_the_limit_is_refused_by_its_bytes() -> None:
    assert admit("é" * 50, None, LIMITS, SECRET).text == "é" * 50
    with pytest.raises(DoorRefusal) as refused:
        admit("é" * 51, None, LIMITS, SECRET)
    assert (refused.value.status, refused.value.reason) == (413, "message_too_large")
    assert "at most 100 bytes" in refused.value.message

"""Our signature checks against the vectors the tools' own SDKs test with, unit and over HTTP.

A check tested only against signatures we computed ourselves would pass even if we had the
scheme wrong in the same way on both sides. These vectors were computed by Stripe and Shopify:

- Stripe (stripe-dotnet, ``src/StripeTests/Services/Events/EventUtilityTest.cs`` with
  ``src/StripeTests/Resources/event_test_signature.json``): secret ``webhook_secret``, timestamp
  1533204620, the event below byte for byte (with its final newline); the header carries the
  ``v1`` signature and an older-scheme ``v0`` one, which must be ignored.
- Shopify (shopify_app, ``test/shopify_app/controller_concerns/webhook_verification_test.rb``):
  secret ``secret``, body ``foo=anything`` -> ``yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI=``; the
  same body under secret ``old_secret`` -> ``XqRcjrSv57VACn6apEO9znyu/wkN1VC7QxdSPwK3Hzs=``.
"""

from __future__ import annotations

import pytest

from bot.channels import signing
from tests.security.integrations import CHANNEL_FIXTURES, set_config
from tests.support import WebService

peers, channel_env, sessions, web = CHANNEL_FIXTURES

STRIPE_SECRET = "webhook_secret"
STRIPE_TIMESTAMP = 1533204620
STRIPE_EVENT = b"""{
  "id": "evt_123",
  "object": "event",
  "account": "acct_123",
  "api_version": "2017-05-25",
  "created": 1533204620,
  "data": {
    "object": {
      "id": "cus_123",
      "object": "customer",
      "created": 123456789,
      "email": "test@stripe.com",
      "livemode": false,
      "metadata": {}
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": "req_123",
    "idempotency_key": "idempotency-key-123"
  },
  "type": "customer.created"
}
"""
STRIPE_HEADER = ("t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7,"
                 "v0=63f3a72374a733066c4be69ed7f8e5ac85c22c9f0a6a612ab9a025a9e4ee7eef")
SHOPIFY_BODY = b"foo=anything"
SHOPIFY_SECRET = "secret"
SHOPIFY_HMAC = "yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI="
SHOPIFY_HMAC_OLD_SECRET = "XqRcjrSv57VACn6apEO9znyu/wkN1VC7QxdSPwK3Hzs="


def test_stripes_vector() -> None:
    signing.verify_stripe(STRIPE_SECRET, STRIPE_EVENT, STRIPE_HEADER, tolerance=300, now=STRIPE_TIMESTAMP + 100)
    assert signing.stripe_signature(STRIPE_SECRET, STRIPE_EVENT, STRIPE_TIMESTAMP) == STRIPE_HEADER.rsplit(",", 1)[0]
    with pytest.raises(signing.SignatureError, match="tolerance"):  # Stripe's own "outdated timestamp" case
        signing.verify_stripe(STRIPE_SECRET, STRIPE_EVENT, STRIPE_HEADER, tolerance=300, now=STRIPE_TIMESTAMP + 400)
    with pytest.raises(signing.SignatureError, match="does not match"):  # ... and "incorrect signature"
        signing.verify_stripe(STRIPE_SECRET, STRIPE_EVENT + b"this_changes_the_json", STRIPE_HEADER, 300,
                              now=STRIPE_TIMESTAMP)
    v0_only = STRIPE_HEADER.replace("v1=", "v9=")  # a valid-looking v0 alone is not enough
    with pytest.raises(signing.SignatureError):
        signing.verify_stripe(STRIPE_SECRET, STRIPE_EVENT, v0_only, tolerance=300, now=STRIPE_TIMESTAMP)
    for broken in ("t=,v1=2220f87e", "t,v1=,v0=", "t,,", ",,", "t"):  # Stripe's malformed-header cases
        with pytest.raises(signing.SignatureError):
            signing.verify_stripe(STRIPE_SECRET, b"{}", broken, tolerance=300, now=STRIPE_TIMESTAMP)


def test_shopifys_vector() -> None:
    assert signing.shopify_signature(SHOPIFY_SECRET, SHOPIFY_BODY) == SHOPIFY_HMAC
    signing.verify_shopify(SHOPIFY_SECRET, SHOPIFY_BODY, SHOPIFY_HMAC)
    assert signing.shopify_signature("old_secret", SHOPIFY_BODY) == SHOPIFY_HMAC_OLD_SECRET
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify_shopify(SHOPIFY_SECRET, SHOPIFY_BODY, SHOPIFY_HMAC_OLD_SECRET)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify_shopify(SHOPIFY_SECRET, SHOPIFY_BODY, "invalid_hmac")


def test_the_vectors_through_the_web_service(channel_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Stripe's vector is from 2018: only a tolerance that wide lets its timestamp through.
    set_config(channel_env, "webhooks", signature_tolerance_seconds=10**10)
    env = {**channel_env, "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET, "SHOPIFY_WEBHOOK_SECRET": SHOPIFY_SECRET}
    service = WebService(env, tmp_path / "web-vectors.log", drop=env)
    try:
        accepted = service.post("/webhooks/stripe", STRIPE_EVENT, {"Stripe-Signature": STRIPE_HEADER})
        assert accepted.status_code == 200, accepted.text  # signed by Stripe; a customer.created is not surveyed
        assert accepted.json()["reason"] == "event_not_mapped"
        tampered = service.post("/webhooks/stripe", STRIPE_EVENT.replace(b"cus_123", b"cus_666"),
                                {"Stripe-Signature": STRIPE_HEADER})
        assert (tampered.status_code, tampered.json()["reason"]) == (401, "bad_signature")

        form = {"Content-Type": "application/x-www-form-urlencoded", "X-Shopify-Topic": "orders/fulfilled"}
        signed = service.post("/webhooks/shopify", SHOPIFY_BODY, {**form, "X-Shopify-Hmac-Sha256": SHOPIFY_HMAC})
        # The signature is Shopify's, so the body is read, and refused as what it is: not JSON.
        assert (signed.status_code, signed.json()["reason"]) == (400, "malformed_json"), signed.text
        other = service.post("/webhooks/shopify", SHOPIFY_BODY,
                             {**form, "X-Shopify-Hmac-Sha256": SHOPIFY_HMAC_OLD_SECRET})
        assert (other.status_code, other.json()["reason"]) == (401, "bad_signature")
    finally:
        service.stop()

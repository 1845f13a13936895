"""The doors choose a status by the error's type: these prove each error is raised as the type they test."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.service import ReportOptions, make_report
from bot.channels.signing import (
    MissingSignature,
    SignatureError,
    shopify_signature,
    verify_shopify,
    verify_siloscope,
    verify_stripe,
    verify_zendesk,
)
from bot.errors import NoFeedback, UsageError
from bot.settings import Settings
from bot.store.db import make_engine, migrate

SECRET = "s3cret"
BODY = b'{"a": 1}'


@pytest.mark.parametrize("check", [
    lambda: verify_siloscope(SECRET, BODY, None),
    lambda: verify_shopify(SECRET, BODY, ""),
    lambda: verify_stripe(SECRET, BODY, None, 300),
    lambda: verify_zendesk(SECRET, BODY, None, "2026-01-01T00:00:00Z", 300),
    lambda: verify_zendesk(SECRET, BODY, "abc", None, 300),
])
def test_an_absent_signature_is_a_missing_signature(check) -> None:
    with pytest.raises(MissingSignature):
        check()


@pytest.mark.parametrize("check", [
    lambda: verify_siloscope(SECRET, BODY, "sha256=00"),
    lambda: verify_siloscope(SECRET, BODY, "md5=00"),
    lambda: verify_shopify(SECRET, BODY, shopify_signature("other", BODY)),
    lambda: verify_stripe(SECRET, BODY, "t=1,v1=00", 300),
    lambda: verify_zendesk(SECRET, BODY, "abc", "not a time", 300),
])
def test_a_wrong_signature_is_not_called_missing(check) -> None:
    with pytest.raises(SignatureError) as raised:
        check()
    assert not isinstance(raised.value, MissingSignature)


def test_an_empty_store_and_an_empty_filter_are_no_feedback_but_a_bad_filter_is_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    settings = Settings(database_url=url, silos_file=Path("silos.yml").resolve())
    with pytest.raises(NoFeedback, match="no feedback yet"):
        make_report(ReportOptions(), settings=settings, engine=engine)
    with pytest.raises(UsageError) as bad:
        make_report(ReportOptions(by="colour"), settings=settings, engine=engine)
    assert not isinstance(bad.value, NoFeedback)

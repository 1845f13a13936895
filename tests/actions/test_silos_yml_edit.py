"""An edit to silos.yml reaches every consumer at once: the chat's buttons and attribution see one version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from actions.survey import ActionAskTouchpoint
from analytics.service import load
from bot.attribution import get_attributor
from bot.settings import get_settings
from bot.taxonomy import load_taxonomy

BEFORE = """\
touchpoints:
  delivery: {label: Your delivery}
silos:
  logistics:
    description: Getting parcels to customers.
    touchpoints: [delivery]
    phrases: [parcel, courier, late delivery]
"""

AFTER = """\
touchpoints:
  delivery: {label: Your delivery}
  onboarding: {label: Getting started}
silos:
  logistics:
    description: Getting parcels to customers.
    touchpoints: [delivery]
    phrases: [parcel, courier, late delivery]
  onboarding_team:
    description: Getting new customers started.
    touchpoints: [onboarding]
    phrases: [onboarding call, welcome pack, setup guide]
"""

COMPLAINT = "the onboarding call was a waste of time and the welcome pack never came"


def _buttons(chat, domain: dict) -> list[tuple[str, str]]:
    _, dispatcher = chat.run(ActionAskTouchpoint(), chat.tracker(), domain)
    return [(b["title"], b["payload"]) for b in dispatcher.messages[0]["buttons"]]


def test_buttons_and_attribution_see_the_same_edited_silos_yml(
    chat, tmp_database: str, domain: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    silos = tmp_path / "silos.yml"
    silos.write_text(BEFORE, encoding="utf-8")
    monkeypatch.setenv("SILOSCOPE_SILOS", str(silos))
    get_settings.cache_clear()

    assert _buttons(chat, domain) == [("Your delivery", "delivery")]
    assert list(get_attributor().taxonomy.silos) == ["logistics"]
    assert get_attributor().attribute(COMPLAINT).primary != "onboarding_team"

    stat = silos.stat()
    silos.write_text(AFTER, encoding="utf-8")
    os.utime(silos, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same modification time: only the content says

    assert _buttons(chat, domain) == [("Your delivery", "delivery"), ("Getting started", "onboarding")]
    attributor = get_attributor()
    assert attributor.taxonomy is load_taxonomy() is load(get_settings())  # one version for every consumer
    assert list(attributor.taxonomy.silos) == ["logistics", "onboarding_team"]
    assert attributor.attribute(COMPLAINT, touchpoint="onboarding").primary == "onboarding_team"


def test_an_unchanged_file_is_parsed_once(tmp_path: Path) -> None:
    silos = tmp_path / "silos.yml"
    silos.write_text(BEFORE, encoding="utf-8")
    first = load_taxonomy(silos)
    assert load_taxonomy(silos) is first
    silos.write_text(AFTER, encoding="utf-8")
    assert load_taxonomy(silos) is not first

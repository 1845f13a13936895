"""The English-only check: foreign answers are recognised, English and short ones never are."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.language import ENGLISH, detect_language
from bot.settings import PROJECT_ROOT

FOREIGN = [
    ("Das Paket kam drei Tage zu spät an", "de"),
    ("Der Kundenservice war sehr unfreundlich und hat einfach aufgelegt", "de"),
    ("El paquete llegó tarde y nadie me avisó", "es"),
    ("Le colis est arrivé en retard", "fr"),
    ("Het pakket was te laat en niemand belde", "nl"),
    ("Il pacco è arrivato in ritardo di tre giorni", "it"),
    ("O atendimento foi péssimo e ninguém respondeu", "pt"),
    ("Paczka przyszła za późno", "pl"),
    ("荷物が遅れて届きました", "ja"),
]

ENGLISH_TEXTS = [
    "The parcel arrived three days late and nobody told me",
    "Terrible service, delivery late, invoice wrong",
    "Billing overcharged refund pending",
    "The installer from Müller GmbH never showed up",
    "Great app, love the new features",
    "Doesn't hold charge.",
    "Terrible phone holder.",
]


@pytest.mark.parametrize(("text", "language"), FOREIGN)
def test_other_languages_are_recognised(text: str, language: str) -> None:
    assert detect_language(text, min_words=3) == language


@pytest.mark.parametrize("text", ENGLISH_TEXTS)
def test_english_is_english(text: str) -> None:
    assert detect_language(text, min_words=3) == ENGLISH


@pytest.mark.parametrize("text", ["Sehr gut", "merci beaucoup", "ok", "4 stars", "", None, "🙂🙂🙂", "1234 5678 90"])
def test_short_or_wordless_answers_are_never_judged_foreign(text: str | None) -> None:
    assert detect_language(text, min_words=3) == ENGLISH


def test_the_word_minimum_comes_from_siloscope_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import get_settings

    config = tmp_path / "siloscope.yml"
    config.write_text("conversation:\n  language_min_words: 8\n", encoding="utf-8")
    monkeypatch.setenv("SILOSCOPE_CONFIG", str(config))
    get_settings.cache_clear()
    try:
        assert detect_language("Der Kundenservice war sehr unfreundlich") == ENGLISH  # 5 words, 8 needed
        assert detect_language("Das Paket kam drei Tage zu spät an") == "de"
    finally:
        get_settings.cache_clear()
    assert detect_language("Der Kundenservice war sehr unfreundlich", min_words=3) == "de"


def test_the_same_text_always_gets_the_same_answer() -> None:
    text = "Het pakket was te laat"
    assert len({detect_language(text, min_words=3) for _ in range(5)}) == 1


# The shared datasets sit beside the checkout (shared/ next to the clone).
DATASETS = next(
    (p for p in (PROJECT_ROOT.parent / "shared" / "datasets", Path("/work/shared/datasets")) if p.exists()),
    PROJECT_ROOT / "missing-datasets",
)


@pytest.mark.skipif(not (DATASETS / "sentiment_uci_sentences.csv").exists(), reason="shared datasets not present")
def test_hardly_any_real_english_review_is_called_foreign() -> None:
    with (DATASETS / "sentiment_uci_sentences.csv").open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    foreign = [t for t in texts if detect_language(t, min_words=3) != ENGLISH]
    assert len(foreign) / len(texts) < 0.01, foreign[:10]

"""The default training sentences live in corpus files, not in ``silos.yml``; a company's own still add."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.attribution.corpus as corpus_module
import bot.attribution.model as model_module
from bot.attribution import Attributor
from bot.attribution.corpus import corpus_examples, corpus_names, training_examples
from bot.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy

ROOT = Path(__file__).resolve().parents[2]

COMPANY = """
touchpoints:
  delivery: {label: Delivery}
  invoice: {label: Invoice}
silos:
  fulfilment:
    description: Getting the goods to the customer.
    touchpoints: [delivery]
    phrases: [parcel]
    corpus: [delivery]
  billing:
    description: Invoices and payments.
    touchpoints: [invoice]
    phrases: [invoice]
    corpus: finance
"""


def test_the_shipped_silos_file_holds_what_a_company_writes_and_names_the_corpus() -> None:
    text = (ROOT / "silos.yml").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 300  # descriptions, touchpoints and phrases, not 1,900 sentences
    taxonomy = load_taxonomy(ROOT / "silos.yml")
    assert set(corpus_names()) == set(taxonomy.silos)
    for silo in taxonomy.silos.values():
        assert silo.corpus == (silo.name,)
        assert silo.examples == ()
        assert len(training_examples(silo)) >= 150, silo.name


def test_a_renamed_silo_learns_from_the_corpus_it_names() -> None:
    taxonomy = parse_taxonomy(COMPANY)
    assert training_examples(taxonomy.silos["fulfilment"]) == corpus_examples("delivery")
    attributor = Attributor(taxonomy)
    assert attributor.attribute("my suitcase never showed up on the carousel").primary == "fulfilment"
    assert attributor.attribute("you took the direct debit twice this month").primary == "billing"


def test_a_companys_own_examples_add_to_the_corpus() -> None:
    own = COMPANY.replace("    corpus: finance\n", "    corpus: finance\n    examples: [The zorblax fee is a scam.]\n")
    own = own.replace("    corpus: [delivery]\n", "    corpus: [delivery]\n    examples: [The zorblax van got lost.]\n")
    taxonomy = parse_taxonomy(own)
    assert training_examples(taxonomy.silos["billing"])[-1] == "The zorblax fee is a scam."
    assert len(training_examples(taxonomy.silos["billing"])) == len(corpus_examples("finance")) + 1
    attributor = Attributor(taxonomy)
    assert attributor.attribute("the zorblax van is lost again").primary == "fulfilment"
    assert attributor.attribute("another zorblax fee on my account").primary == "billing"


def test_an_unknown_corpus_names_the_line_and_the_shipped_ones() -> None:
    with pytest.raises(TaxonomyError) as error:
        parse_taxonomy(COMPANY.replace("corpus: finance", "corpus: billing"))
    assert "silos.yml:12: silo 'billing' names corpus 'billing', which does not exist" in str(error.value)
    assert "finance" in str(error.value)
    with pytest.raises(TaxonomyError, match="corpus must be a list of non-empty strings"):
        parse_taxonomy(COMPANY.replace("corpus: finance", "corpus: [finance, 3]"))


def test_a_silo_with_only_a_corpus_is_enough() -> None:
    taxonomy = parse_taxonomy(COMPANY.replace("    phrases: [invoice]\n", ""))
    assert taxonomy.silos["billing"].phrases == ()
    assert Attributor(taxonomy).attribute("I was charged twice for one invoice").primary == "billing"


def test_an_edited_corpus_file_retrains_the_cached_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "delivery.yml").write_text("examples:\n  - The parcel came late.\n", encoding="utf-8")
    (corpus_dir / "finance.yml").write_text("examples:\n  - I was charged twice.\n", encoding="utf-8")
    monkeypatch.setattr(corpus_module, "CORPUS_DIR", corpus_dir)
    cache = tmp_path / "cache"
    taxonomy = parse_taxonomy(COMPANY)
    Attributor(taxonomy, model_cache=cache)
    assert len(list(cache.glob("attribution-*.json"))) == 1

    (corpus_dir / "finance.yml").write_text("examples:\n  - I was charged twice.\n  - Refund?\n", encoding="utf-8")
    trained: list[object] = []
    real_train = model_module.train
    monkeypatch.setattr(model_module, "train", lambda t: trained.append(t) or real_train(t))
    Attributor(taxonomy, model_cache=cache)
    assert trained, "a changed corpus file must not reuse the model trained before the change"
    assert len(list(cache.glob("attribution-*.json"))) == 2


def test_a_malformed_corpus_file_says_what_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "delivery.yml").write_text("examples: late parcels\n", encoding="utf-8")
    monkeypatch.setattr(corpus_module, "CORPUS_DIR", tmp_path)
    with pytest.raises(TaxonomyError, match=r"delivery\.yml: needs 'examples:'"):  # start-up reports it as such
        corpus_examples("delivery")
    (tmp_path / "delivery.yml").write_bytes(b"examples: [caf\xe9]\n")
    with pytest.raises(TaxonomyError, match=r"delivery\.yml: not UTF-8"):
        corpus_examples("delivery")

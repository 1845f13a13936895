"""Silo attribution through ``bot.attribution``'s public interface."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.attribution import Attributor, get_attributor
from bot.taxonomy import load_taxonomy, parse_taxonomy


@pytest.fixture(scope="module")
def attributor() -> Attributor:
    return get_attributor()


@pytest.mark.parametrize(
    ("text", "silo"),
    [
        ("I was charged twice on my invoice", "finance"),
        ("The parcel arrived a week late", "delivery"),
        ("I was on hold for an hour and then the agent hung up", "customer_service"),
        ("The app crashes every time I log in", "product"),
        ("The contract had a hidden cancellation fee in the small print", "legal"),
        ("The salesman promised a discount that was never honoured", "sales"),
        ("I keep getting your newsletter even though I unsubscribed", "marketing"),
        ("My order confirmation shows the wrong item", "order_management"),
    ],
)
def test_each_silo_is_named_from_the_customers_words(attributor: Attributor, text: str, silo: str) -> None:
    result = attributor.attribute(text)
    assert result.primary == silo
    assert result.mentions[0].confidence >= attributor.taxonomy.threshold


def test_the_touchpoint_is_a_prior_not_the_answer(attributor: Attributor) -> None:
    text = "The invoice charged me twice for the same thing"
    result = attributor.attribute(text, touchpoint="delivery")
    assert result.primary == "finance"
    # ... but it does count: when the words fit two silos, the touchpoint's owner wins.
    ambiguous = "they were late and rude"
    assert attributor.attribute(ambiguous, touchpoint="delivery").primary == "delivery"
    assert attributor.attribute(ambiguous, touchpoint="support").primary == "customer_service"


def test_clauses_carry_their_own_sentiment(attributor: Attributor) -> None:
    result = attributor.attribute("The sales rep was great but the invoice was wrong")
    by_silo = {m.silo: m for m in result.mentions}
    assert by_silo["sales"].sentiment_label == "positive"
    assert by_silo["finance"].sentiment_label == "negative"
    assert "invoice was wrong" in by_silo["finance"].evidence
    assert "sales rep was great" in by_silo["sales"].evidence
    assert result.primary == "finance"  # the pain point ranks first


def test_one_sentence_can_blame_two_silos(attributor: Attributor) -> None:
    result = attributor.attribute("The courier lost my parcel and the invoice was wrong")
    assert {"delivery", "finance"} <= {m.silo for m in result.mentions}
    assert result.handoffs == ()  # "and" lists two problems; it is not a hand-off


def test_sequence_gives_a_handoff_pair(attributor: Attributor) -> None:
    result = attributor.attribute("The sales rep promised free installation, then the installer never showed up")
    assert [(h.from_silo, h.to_silo) for h in result.handoffs] == [("sales", "delivery")]
    assert "installer never showed up" in result.handoffs[0].evidence


def test_a_cause_points_the_handoff_backwards(attributor: Attributor) -> None:
    result = attributor.attribute("I was on hold for an hour because my order number was entered wrong")
    assert [(h.from_silo, h.to_silo) for h in result.handoffs] == [("order_management", "customer_service")]


def test_nothing_confident_is_unattributed(attributor: Attributor) -> None:
    for text in ("It was terrible", "hello", "", "Thanks!"):
        result = attributor.attribute(text)
        assert result.primary == "unattributed"
        assert result.mentions == ()
        assert result.primary_confidence == 0.0


def test_the_threshold_is_configurable(attributor: Attributor) -> None:
    text = "the driver was a bit slow"
    strict = Attributor(replace(attributor.taxonomy, threshold=0.999))
    assert strict.attribute(text).primary == "unattributed"
    lenient = Attributor(replace(attributor.taxonomy, threshold=0.05))
    assert lenient.attribute(text).primary == "delivery"


def test_a_company_can_split_a_silo_without_touching_code() -> None:
    taxonomy = parse_taxonomy(
        """
touchpoints:
  delivery: {label: Delivery}
  install: {label: Installation}
  invoice: {label: Invoice}
silos:
  shipping:
    description: Getting the goods to the customer.
    touchpoints: [delivery]
    phrases: [parcel, courier, shipping, tracking, arrived late]
    examples: [The parcel arrived late., The courier lost my box., Tracking never updated.]
  implementation:
    description: Installing and configuring at the customer's site.
    touchpoints: [install]
    phrases: [installer, installation, technician, set up, configured]
    examples: [The installer never came., The technician configured it wrongly., Installation took three visits.]
  billing:
    description: Invoices and payments.
    touchpoints: [invoice]
    phrases: [invoice, charged, refund, payment]
    examples: [I was charged twice., The invoice is wrong., My refund never came.]
"""
    )
    attributor = Attributor(taxonomy)
    assert attributor.attribute("the technician did the installation badly").primary == "implementation"
    assert attributor.attribute("my parcel never arrived and tracking is stuck").primary == "shipping"
    assert attributor.attribute("I want a refund for the double payment").primary == "billing"


SMALL_TAXONOMY = """
touchpoints:
  delivery: {label: Delivery}
  invoice: {label: Invoice}
silos:
  shipping:
    description: Getting the goods to the customer.
    touchpoints: [delivery]
    phrases: [parcel, courier, tracking]
    examples: [The parcel arrived late., The courier lost my box.]
  billing:
    description: Invoices and payments.
    touchpoints: [invoice]
    phrases: [invoice, charged, refund]
    examples: [I was charged twice., The invoice is wrong.]
"""


def _no_training(taxonomy: object) -> None:
    raise AssertionError("the model should have come from the cache")


def test_a_trained_model_is_reused_until_its_inputs_change(tmp_path, monkeypatch) -> None:
    import bot.attribution.model as model_module

    taxonomy = parse_taxonomy(SMALL_TAXONOMY)
    first = Attributor(taxonomy, model_cache=tmp_path)
    assert len(list(tmp_path.glob("attribution-*.json"))) == 1

    with monkeypatch.context() as patched:
        patched.setattr(model_module, "train", _no_training)
        again = Attributor(taxonomy, model_cache=tmp_path)
    assert again.model == first.model
    assert again.attribute("the courier lost it").primary == "shipping"

    edited = parse_taxonomy(SMALL_TAXONOMY.replace("The invoice is wrong.", "The invoice was sent twice."))
    with monkeypatch.context() as patched:
        patched.setattr(model_module, "train", _no_training)
        with pytest.raises(AssertionError, match="cache"):
            Attributor(edited, model_cache=tmp_path)
    Attributor(edited, model_cache=tmp_path)
    assert len(list(tmp_path.glob("attribution-*.json"))) == 2


def test_a_damaged_cached_model_is_trained_again(tmp_path) -> None:
    taxonomy = parse_taxonomy(SMALL_TAXONOMY)
    expected = Attributor(taxonomy, model_cache=tmp_path).model
    (cached,) = tmp_path.glob("attribution-*.json")
    cached.write_text('{"classes": ["shipping"', encoding="utf-8")  # a crash mid-write

    assert Attributor(taxonomy, model_cache=tmp_path).model == expected
    assert json.loads(cached.read_text(encoding="utf-8"))["classes"] == ["shipping", "billing", "__none__"]


def test_the_shipped_taxonomy_names_the_default_silos() -> None:
    assert set(load_taxonomy().silos) == {
        "marketing", "sales", "order_management", "legal", "delivery", "finance", "customer_service", "product",
    }

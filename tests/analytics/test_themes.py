"""Recurring themes: similar complaints end up together, are named by their words, and link to responses."""

from __future__ import annotations

from types import SimpleNamespace

from analytics.themes import find_themes

BILLING = ["I was charged twice for one invoice", "Charged twice again, the invoice is wrong",
           "Why was I charged twice on my invoice?", "The invoice shows I was charged twice"]
LATE = ["The parcel arrived five days late", "My parcel arrived late and damaged", "Parcel arrived late again",
        "Late parcel, arrived after the weekend", "The parcel arrived two days late"]
HOLD = ["On hold for an hour with support", "Support kept me on hold for an hour",
        "An hour on hold, support never came", "Waited on hold with support for an hour"]


def rows(texts: list[tuple[str, str]]) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=i + 100, text=t, primary_silo=s) for i, (t, s) in enumerate(texts)]


def test_similar_complaints_form_named_themes_with_counts_and_examples() -> None:
    data = rows([(t, "finance") for t in BILLING] + [(t, "delivery") for t in LATE]
                + [(t, "customer_service") for t in HOLD] + [("Really disappointed", "product")])
    themes = find_themes(data)
    assert [t.count for t in themes] == [5, 4, 4]
    by_silo = {next(iter(t.silos)): t for t in themes}
    assert set(by_silo) == {"delivery", "finance", "customer_service"}
    assert "parcel" in by_silo["delivery"].name or "late" in by_silo["delivery"].name
    assert "charged" in by_silo["finance"].name or "invoice" in by_silo["finance"].name
    assert "hold" in by_silo["customer_service"].name or "hour" in by_silo["customer_service"].name
    examples = by_silo["delivery"].examples
    assert len(examples) == 3 and all(e.text in LATE and e.response_id >= 100 for e in examples)
    assert abs(sum(t.share for t in themes) - 13 / 14) < 1e-9


def test_too_few_answers_give_no_themes() -> None:
    assert find_themes(rows([(t, "finance") for t in BILLING])) == []


def test_a_theme_keeps_every_answer_it_groups_not_only_its_examples() -> None:
    data = rows([(t, "finance") for t in BILLING] + [(t, "delivery") for t in LATE]
                + [(t, "customer_service") for t in HOLD] + [("Really disappointed", "product")])
    late = next(t for t in find_themes(data) if "delivery" in t.silos)
    assert sorted(late.response_ids) == [104, 105, 106, 107, 108]  # all five late parcels, by id
    assert late.response_ids[:3] == [e.response_id for e in late.examples]  # examples are the closest ones

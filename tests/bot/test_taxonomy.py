"""``silos.yml`` validation: every mistake fails at start-up with the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.attribution.corpus import training_examples
from bot.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy

VALID = """\
attribution:
  threshold: 0.4
  touchpoint_prior: 0.1
touchpoints:
  delivery: {label: Delivery}
  invoice: {label: Invoice}
silos:
  shipping:
    description: Getting goods to customers.
    touchpoints: [delivery]
    phrases: [parcel, courier]
    examples: [The parcel was late.]
  billing:
    description: Invoices.
    touchpoints: [invoice]
    phrases: [invoice]
"""


def test_a_valid_file_builds_the_taxonomy() -> None:
    taxonomy = parse_taxonomy(VALID)
    assert list(taxonomy.silos) == ["shipping", "billing"]
    assert taxonomy.owner("delivery") == "shipping"
    assert taxonomy.owner("unknown") is None and taxonomy.owner(None) is None
    assert taxonomy.threshold == 0.4 and taxonomy.touchpoint_prior == 0.1
    assert taxonomy.silos["shipping"].examples == ("The parcel was late.",)


def test_yes_no_on_off_stay_words_in_phrases() -> None:
    """Plain YAML would read them as booleans: a phrase list [on hold, off, no] must keep its words."""
    taxonomy = parse_taxonomy(VALID.replace("phrases: [parcel, courier]", "phrases: [parcel, off, no, yes, on]"))
    assert taxonomy.silos["shipping"].phrases == ("parcel", "off", "no", "yes", "on")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("threshold: 0.4", "threshold: 1.5"), "silos.yml:2: attribution.threshold must be a number between 0 and 1"),
        (("  billing:\n", "  shipping:\n"), "silos.yml:13: not valid YAML ('shipping' is defined twice"),
        (("    examples: [The", "    exmaples: [The"), "silos.yml:9: unknown key 'exmaples' in silo 'shipping'"),
        (("    touchpoints: [invoice]", "    touchpoints: [delivery]"),
         "silos.yml:14: touchpoint 'delivery' is owned by both 'shipping' and 'billing'"),
        (("    touchpoints: [invoice]", "    touchpoints: [refunds]"),
         "silos.yml:14: silo 'billing' owns touchpoint 'refunds', which is not listed"),
        (("    description: Invoices.\n", ""), "silos.yml:14: silo 'billing' needs a description"),
        (("    phrases: [invoice]\n", ""), "silos.yml:14: silo 'billing' needs phrases, examples or a corpus"),
        (("  invoice: {label: Invoice}", "  invoice: {label: Invoice}\n  contract: {label: Contract}"),
         "touchpoint 'contract' is not owned by any silo"),
        (("    phrases: [parcel, courier]", "    phrases: parcel"), "silo 'shipping' phrases must be a list"),
        (("silos:\n", "silos: [\n"), "not valid YAML"),
        (("  shipping:\n", "  unattributed:\n"), "silo name 'unattributed'"),
        (("attribution:\n", "atribution:\n"), "unknown key 'atribution' in the top level"),
    ],
)
def test_mistakes_name_the_line_and_the_problem(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in VALID
    with pytest.raises(TaxonomyError) as error:
        parse_taxonomy(VALID.replace(old, new, 1))
    assert message in str(error.value)


def test_load_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "company.yml"
    broken.write_text(VALID.replace("threshold: 0.4", "threshold: high"), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"company\.yml:2: attribution\.threshold"):
        load_taxonomy(broken)
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yml")


def test_the_shipped_file_teaches_every_silo_from_many_examples() -> None:
    taxonomy = load_taxonomy()
    assert set(taxonomy.touchpoints) == {
        "website", "purchase", "order", "contract", "delivery", "invoice", "support", "product",
    }
    for silo in taxonomy.silos.values():
        assert len(training_examples(silo)) >= 30, silo.name
        assert len(silo.phrases) >= 20, silo.name

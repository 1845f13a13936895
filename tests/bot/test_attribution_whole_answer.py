"""What a long answer is mostly about ranks before a silo that one clause touches in passing."""

from __future__ import annotations

import pytest

import bot.attribution as attribution
from bot.attribution import Attributor
from bot.taxonomy import parse_taxonomy
from tests.bot.test_attribution import SMALL_TAXONOMY

# The small shipping/billing organisation of test_attribution, with two more sentences each.
TAXONOMY = SMALL_TAXONOMY.replace(
    "The courier lost my box.]", "The courier lost my box., Tracking never updated., The van never came.]"
).replace("The invoice is wrong.]", "The invoice is wrong., My refund never came., The bill is too high.]")

STORY = "The courier came late. Tracking stuck. Parcel late. Van late. Charged twice on the invoice, refund never came."


@pytest.fixture(scope="module")
def attributor() -> Attributor:
    assert TAXONOMY.count("never") == 3  # both replacements applied
    return Attributor(parse_taxonomy(TAXONOMY))


def test_the_main_subject_of_a_long_answer_ranks_first(attributor: Attributor) -> None:
    result = attributor.attribute(STORY)
    assert [m.silo for m in result.mentions] == ["shipping", "billing"]  # both named, the story's subject first


def test_a_one_clause_silo_is_still_named(attributor: Attributor) -> None:
    result = attributor.attribute("The parcel arrived late. I was charged twice.")
    assert {m.silo for m in result.mentions} == {"shipping", "billing"}


def test_without_the_whole_answer_the_passing_clause_wins(attributor: Attributor, monkeypatch) -> None:
    """The control: best-clause scoring alone ranks the one strong billing clause above the story."""
    monkeypatch.setattr(attribution, "WHOLE_ANSWER_CLAUSES", 1e9)  # the whole answer's share -> 0
    assert attributor.attribute(STORY).primary == "billing"

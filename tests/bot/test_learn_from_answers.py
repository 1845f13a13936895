"""``siloscope learn --from-answers``: the company's unlabelled answers teach the model its own words.

Customers of this company call its installation crew "Zorblix", a word no default example knows. Many
answers say it beside plain delivery words ("the parcel never arrived"), so the model is sure they are
about delivery; learning from them gives "zorblix" delivery weight, and an answer that says only
"Zorblix kept me waiting all day" then lands on delivery too. Nobody labelled anything.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.store.db import engine_for, session_factory
from bot.store.models import CompanyExample

ANSWER = "Zorblix kept me waiting all day"
TRAFFIC = [
    "Zorblix never delivered my parcel, the courier lost it",
    "the Zorblix delivery van left my package at the wrong address",
    "my parcel from Zorblix arrived damaged and two weeks late",
    "Zorblix missed the delivery slot and the tracking never updated",
    "the Zorblix courier threw the package over the fence",
    "still no delivery, Zorblix says the parcel is lost in transit",
    "Zorblix delivered someone else's package to my door",
    "the shipment with Zorblix is stuck at the depot for a week",
]


def _record(key: str, text: str, customer: str = "") -> None:
    ref = ConversationRef(key=key, sender_id=f"s-{key}", customer_ref=customer or f"C-{key}",
                          touchpoint="delivery", channel="web")
    get_feedback_service().record(ref, Answers(score=2, text=text))


def _primary_silo_of_new_answer(key: str, capsys: pytest.CaptureFixture[str]) -> str:
    _record(key, ANSWER)
    capsys.readouterr()
    assert main(["export", "--format", "json"]) == 0
    records = {r["conversation"]: r for r in json.loads(capsys.readouterr().out)}
    return records[key]["primary_silo"]


def _self_taught(url: str) -> list[tuple[str, str]]:
    with session_factory(engine_for(url))() as session:
        rows = session.execute(select(CompanyExample.text, CompanyExample.silo)
                               .where(CompanyExample.source == "answers"))
        return [(text, silo) for text, silo in rows]


def test_the_company_s_own_answers_move_its_own_word_to_the_right_silo(
    tmp_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _primary_silo_of_new_answer("before", capsys)
    assert before != "delivery"  # otherwise this test would prove nothing
    for number, text in enumerate(TRAFFIC):
        _record(f"t{number}", text, customer="C-many" if number == 0 else "")
    _record("vague", "meh")  # nothing the model is sure of: read, not learnt

    assert main(["learn", "--from-answers", "--by", "ana", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["answers"] == len(TRAFFIC) + 2  # every stored answer with words was read
    assert outcome["added_per_silo"].get("delivery", 0) >= 6
    assert ("meh", "customer_service") not in _self_taught(tmp_database)
    assert _primary_silo_of_new_answer("after", capsys) == "delivery"

    # Running it again replaces the last run's examples instead of adding to them.
    assert main(["learn", "--from-answers", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["total"] == len(_self_taught(tmp_database)) == again["added"]
    assert main(["learn", "--show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["per_source"] == {"answers": again["added"]}

    # Erasing a customer erases what was learnt from their words.
    assert main(["customer", "erase", "C-many", "--yes", "--by", "dpo"]) == 0
    assert TRAFFIC[0] not in [text for text, _ in _self_taught(tmp_database)]

    # And the company can take it all back.
    assert main(["learn", "--forget", "answers", "--json"]) == 0
    capsys.readouterr()
    assert _primary_silo_of_new_answer("forgotten", capsys) == before


def test_with_no_answers_yet_it_says_so_and_changes_nothing(tmp_database: str, capsys) -> None:
    assert main(["learn", "--from-answers"]) == 2
    assert "no stored answers with words" in capsys.readouterr().err
    assert _self_taught(tmp_database) == []


@pytest.mark.parametrize("name", ["answers", "correction"])
def test_the_names_siloscope_uses_itself_cannot_be_a_file_s_source(tmp_database: str, tmp_path, capsys,
                                                                    name: str) -> None:
    path = tmp_path / "labelled.csv"
    path.write_text("text,silo\nbilled twice,finance\n", encoding="utf-8")
    assert main(["learn", str(path), "--source", name]) == 2
    assert "kept for examples siloscope makes itself" in capsys.readouterr().err
    named = tmp_path / name  # a file of that very name, without --source
    named.write_text("text,silo\nbilled twice,finance\n", encoding="utf-8")
    assert main(["learn", str(named)]) == 2
    assert "give the file another --source" in capsys.readouterr().err
    assert _self_taught(tmp_database) == []

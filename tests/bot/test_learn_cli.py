"""``siloscope learn``: a company's labelled history changes attribution at once, and bad files change nothing.

"Zorblix" stands for a company's own name for something (here its installation crew) that no default
example knows: before learning, the answer below lands on customer service; after the company's
helpdesk history says Zorblix tickets go to the delivery team, it lands on delivery.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.store.db import engine_for, session_factory
from bot.store.models import CompanyExample

ANSWER = "Zorblix kept me waiting all day"
HISTORY = """ticket_id,description,group
101,"Zorblix was three hours late, nobody called",Field team
102,The Zorblix crew never came on the day we agreed,Field team
103,Still waiting for Zorblix to turn up,Field team
104,Zorblix left the box at the wrong door,Field team
105,I was billed twice this month,Accounts
106,Refund still not on my card,Accounts
107,hello is this thing on,Spam
"""
MAPPING = """text: description
label: group
silos:
  Field team: delivery
  Accounts: finance
ignore: [Spam]
"""


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _examples(url: str) -> int:
    with session_factory(engine_for(url))() as session:
        return session.execute(select(func.count()).select_from(CompanyExample)).scalar_one()


def _primary_silo_of_new_answer(key: str, capsys: pytest.CaptureFixture[str]) -> str:
    ref = ConversationRef(key=key, sender_id=f"s-{key}", customer_ref=f"C-{key}", touchpoint="delivery", channel="web")
    get_feedback_service().record(ref, Answers(score=2, text=ANSWER))
    capsys.readouterr()
    assert main(["export", "--format", "json"]) == 0
    records = {r["conversation"]: r for r in json.loads(capsys.readouterr().out)}
    return records[key]["primary_silo"]


def test_learning_a_helpdesk_export_moves_the_next_answer_to_the_learnt_silo(
    tmp_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _primary_silo_of_new_answer("before", capsys)
    assert before != "delivery"  # otherwise this test would prove nothing

    history, mapping = _write(tmp_path, "tickets.csv", HISTORY), _write(tmp_path, "routing.yml", MAPPING)
    assert main(["learn", str(history), "--mapping", str(mapping), "--by", "ana", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert (outcome["added"], outcome["total"], outcome["per_silo"]) == (6, 6, {"delivery": 4, "finance": 2})
    assert _primary_silo_of_new_answer("after", capsys) == "delivery"

    # Learning the same file again adds nothing; --show tells what was learnt and from where.
    assert main(["learn", str(history), "--mapping", str(mapping), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 0
    assert main(["learn", "--show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["per_source"] == {"tickets.csv": 6}

    # Taking the file back restores the default model's reading.
    assert main(["learn", "--forget", "tickets.csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["forgotten"] == 6
    assert _primary_silo_of_new_answer("forgotten", capsys) == before


def test_a_plain_text_silo_file_is_learnt_with_its_text_cleaned(tmp_database: str, tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, "labelled.csv", "text,silo\nCard 4111 1111 1111 1111 was charged twice,finance\n")
    assert main(["learn", str(path)]) == 0
    assert "learnt 1 new examples" in capsys.readouterr().out
    with session_factory(engine_for(tmp_database))() as session:
        stored = session.execute(select(CompanyExample.text)).scalar_one()
    assert "4111" not in stored


@pytest.mark.parametrize(
    ("name", "content", "mapping", "message"),
    [
        ("missing.csv", "text,team\nlate again,delivery\n", None, "missing column 'silo'"),
        ("unknown.csv", "text,silo\nlate again,shipping\nlost it,shipping\n", None,
         "unknown silo 'shipping' on lines 2, 3"),
        ("empty.csv", "text,silo\n,delivery\nlate,delivery\n", None, "empty text on line 2"),
        ("latin1.csv", "text,silo\nlivraison tr\xe8s lente,delivery\n".encode("latin-1"), None, "not UTF-8"),
        ("unmapped.csv", HISTORY + "108,Where is my order,Warehouse\n", MAPPING,
         "unknown group 'Warehouse' on line 9; add it to the mapping's silos: or ignore:"),
        ("tickets.csv", HISTORY, "silos:\n  Field team: shipping\n", "maps to unknown silo(s) shipping"),
    ],
)
def test_a_bad_file_gets_one_line_and_changes_nothing(
    tmp_database: str, tmp_path: Path, capsys, name: str, content: str | bytes, mapping: str | None, message: str
) -> None:
    args = ["learn", str(_write(tmp_path, name, content))]
    if mapping:
        args += ["--mapping", str(_write(tmp_path, "map.yml", mapping))]
    assert main(args) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and error.endswith("nothing was learnt") and "\n" not in error
    assert _examples(tmp_database) == 0


def test_dry_run_says_what_would_be_learnt_and_stores_nothing(tmp_database: str, tmp_path: Path, capsys) -> None:
    history, mapping = _write(tmp_path, "tickets.csv", HISTORY), _write(tmp_path, "routing.yml", MAPPING)
    assert main(["learn", str(history), "--mapping", str(mapping), "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 6
    assert _examples(tmp_database) == 0


def test_forgetting_what_was_never_learnt_is_refused(tmp_database: str, capsys) -> None:
    assert main(["learn", "--forget", "nothing.csv"]) == 2
    assert "nothing was learnt from 'nothing.csv'" in capsys.readouterr().err

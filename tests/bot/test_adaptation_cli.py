"""``siloscope eval attribution --adapt-labelled K``: a company's own words, learnt from K rows, through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import main

# Each silo's tickets use the company's own code word, which no default sentence contains: the zero-shot
# model cannot place them; a model that learnt from a few labelled rows can.
CODE_WORDS = {"finance": "kravix", "delivery": "plombert", "product": "zintaro"}
FILLERS = ["again for my account", "since Monday", "on the new plan", "for the third time", "today",
           "and nobody answers", "after the update", "for my sister", "this week", "once more"]


def _company_file(tmp_path: Path) -> Path:
    path = tmp_path / "company.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "silo"])
        for silo, word in CODE_WORDS.items():
            for filler in FILLERS:
                writer.writerow([f"{word} problem {filler}", silo])
    return path


def test_adapted_model_learns_the_words_zero_shot_gets_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "attribution", str(_company_file(tmp_path)), "--adapt-labelled", "4", "--seeds", "1",
                 "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["held_out_n"] == 18  # 10 rows per silo, 4 of each learnt from
    assert summary["zero_shot_macro_f1"] < 0.5
    assert summary["macro_f1"] > 0.9
    assert summary["macro_f1"] > summary["zero_shot_macro_f1"] + 0.4
    assert {"baseline_macro_f1", "accuracy", "zero_shot_accuracy"} <= set(summary)


def test_adapting_needs_a_positive_k(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "attribution", str(_company_file(tmp_path)), "--adapt-labelled", "0"])
    assert code == 2
    assert "at least 1" in capsys.readouterr().err

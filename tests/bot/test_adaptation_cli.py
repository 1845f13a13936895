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


def _traffic_file(tmp_path: Path) -> Path:
    """Answers that say the company's code word beside plain words of its silo: the model is sure of
    the silo from the plain words and, learning from them without labels, learns the code word."""
    plain = {"finance": "I was charged twice on my invoice", "delivery": "my parcel never arrived"}
    path = tmp_path / "traffic.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "silo"])
        for silo, sentence in plain.items():
            word = CODE_WORDS[silo]
            for filler in FILLERS:
                writer.writerow([f"{sentence}, {word} {filler}", silo])
                writer.writerow([f"{word} problem {filler}", silo])
    return path


def test_unlabelled_traffic_alone_teaches_the_code_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "attribution", str(_traffic_file(tmp_path)), "--adapt-labelled", "0", "--adapt-unlabeled",
                 "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["k"], summary["held_out_n"], summary["baseline_macro_f1"]) == (0, 40, None)
    assert summary["macro_f1"] > summary["zero_shot_macro_f1"] + 0.2


def test_bench_adapt_prints_every_way_of_learning_beside_the_plain_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["bench", "adapt", "--file", str(_traffic_file(tmp_path)), "--k", "3", "--seeds", "2", "--json"])
    assert code == 0
    (row,) = json.loads(capsys.readouterr().out)["sets"]
    assert (row["set"], row["rows"], row["k"], row["seeds"]) == ("traffic", 40, 3, 2)
    assert row["self_training_helps"] and row["self_trained_macro_f1"] > row["zero_shot_macro_f1"]
    assert row["labelled_and_traffic_macro_f1"] >= row["labelled_macro_f1"] > row["zero_shot_on_held_out_macro_f1"]
    assert {"baseline_macro_f1", "ahead_of_baseline"} <= set(row)


def test_bench_adapt_refuses_a_bad_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,team\nlate again,delivery\n", encoding="utf-8")
    assert main(["bench", "adapt", "--file", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert "missing column 'silo'" in error and "\n" not in error

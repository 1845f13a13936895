"""No evaluation row is word for word a training text: a score on rows the model learnt is no score.

Evaluation rows: the shared labelled sets (``../shared/datasets/*.csv``, which CI keeps beside the
clone), the project's own blind sets (``docs/eval``) and the test fixtures (``tests/fixtures/eval``).
Training texts: what the attributor learns from, i.e. the shipped corpus (``bot/attribution/corpus``)
and ``silos.yml``'s examples and phrases. A phrase of one or two words ("slow", "expensive") is
vocabulary, which a one-word review cannot help matching, so only phrases of three words or more count.
``data/nlu*.yml`` trains Rasa's intent classifier, which no evaluation set scores, so it is not read.
Texts are compared with case, spacing and punctuation ignored.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
import yaml

from bot.attribution.corpus import CORPUS_DIR
from bot.evaluation_suite import shared_datasets_dir
from bot.settings import PROJECT_ROOT

OWN_SETS = (PROJECT_ROOT / "docs" / "eval", PROJECT_ROOT / "tests" / "fixtures" / "eval")
SENTENCE_WORDS = 3  # a phrase this long is a sentence a customer writes, not a keyword


def normalised(text: str) -> str:
    """Case, spacing and punctuation ignored: "Can I open an account if I'm 16?" = "can i open an account if i m 16"."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", text.lower()).split())


def training_texts() -> dict[str, str]:
    """Normalised training text -> where it is written."""
    found: dict[str, str] = {}
    for path in sorted(CORPUS_DIR.glob("*.yml")):
        for sentence in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]:
            found.setdefault(normalised(sentence), f"{path.relative_to(PROJECT_ROOT)}: {sentence}")
    silos = yaml.safe_load((PROJECT_ROOT / "silos.yml").read_text(encoding="utf-8"))["silos"]
    for name, silo in silos.items():
        for sentence in silo.get("examples") or []:
            found.setdefault(normalised(sentence), f"silos.yml {name} examples: {sentence}")
        for phrase in silo.get("phrases") or []:
            if len(phrase.split()) >= SENTENCE_WORDS:
                found.setdefault(normalised(phrase), f"silos.yml {name} phrases: {phrase}")
    return found


def evaluation_rows(folders: list[Path]) -> list[tuple[str, str]]:
    """(file:line, text) of every row of every labelled CSV in ``folders`` (a fixture in Latin-1 included)."""
    rows = []
    for path in sorted(p for folder in folders for p in folder.rglob("*.csv")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # the fixture that proves a clear error on a non-UTF-8 file
        for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
            if row.get("text"):
                rows.append((f"{path.relative_to(path.parents[1])}:{line}", row["text"]))
    return rows


def shared_folder() -> Path:
    """The shared datasets: required in CI (which keeps them beside the clone), else skipped when absent."""
    folder = shared_datasets_dir()
    if folder is None:
        message = "no shared/datasets folder beside the checkout (or a parent folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must keep ../shared beside the clone")
        pytest.skip(message)
    return folder


def leaks(folders: list[Path]) -> list[str]:
    trained = training_texts()
    return [f"{where}: {text!r} is {trained[normalised(text)]!r}"
            for where, text in evaluation_rows(folders) if normalised(text) in trained]


def test_no_row_of_the_projects_own_sets_is_a_training_text() -> None:
    assert evaluation_rows(list(OWN_SETS)), "no evaluation rows found: the guard would prove nothing"
    assert leaks(list(OWN_SETS)) == []


def test_no_row_of_the_shared_sets_is_a_training_text() -> None:
    folder = shared_folder()
    assert evaluation_rows([folder]), f"no evaluation rows in {folder}: the guard would prove nothing"
    assert leaks([folder]) == []


def test_the_guard_sees_a_training_sentence_through_case_space_and_punctuation(tmp_path: Path) -> None:
    sentence = next(iter(yaml.safe_load((CORPUS_DIR / "finance.yml").read_text(encoding="utf-8"))["examples"]))
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "copied.csv").write_text(f'text,silo\n"  {sentence.upper()}!! ",finance\n', encoding="utf-8")
    assert len(leaks([tmp_path])) == 1

"""``siloscope eval all`` (what ``make eval`` runs): every shared set and every CSV given, in one table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.evaluation_suite import shared_datasets_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"
ATTRIBUTION = FIXTURES / "attribution_small.csv"
SENTIMENT = FIXTURES / "sentiment_small.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def single(capsys: pytest.CaptureFixture[str], what: str, path: Path, model: str) -> dict:
    code, out, _ = run(capsys, "eval", what, str(path), "--json", "--model", model)
    assert code == 0
    return json.loads(out)


def same_scores(left: dict, right: dict) -> bool:
    keys = ("n", "accuracy", "macro_f1", "coverage", "ece", "per_class", "confusion")
    return {k: left[k] for k in keys} == {k: right[k] for k in keys}


def test_each_set_is_scored_by_its_task_with_its_baselines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "all", "--no-shared", str(ATTRIBUTION), str(SENTIMENT), "--json")
    assert code == 0
    sets = {s["set"]: s for s in json.loads(out)["sets"]}
    assert list(sets) == ["attribution_small", "sentiment_small"]
    attribution, sentiment = sets["attribution_small"], sets["sentiment_small"]
    assert (attribution["task"], attribution["rows"], sentiment["task"], sentiment["rows"]) == (
        "attribution", 6, "sentiment", 5)
    assert set(attribution["baselines"]) == {"keywords"}
    assert set(sentiment["baselines"]) == {"textblob", "vader"}
    # The same numbers as one file at a time.
    assert same_scores(attribution["siloscope"], single(capsys, "attribution", ATTRIBUTION, "siloscope"))
    assert same_scores(attribution["baselines"]["keywords"], single(capsys, "attribution", ATTRIBUTION, "keywords"))
    assert same_scores(sentiment["baselines"]["vader"], single(capsys, "sentiment", SENTIMENT, "vader"))
    assert sentiment["siloscope"]["coverage"] is None


def test_the_table_puts_product_and_baselines_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    """One table per task, each within 100 columns, with the baselines of that task beside the product."""
    code, out, _ = run(capsys, "eval", "all", "--no-shared", str(FIXTURES / "sentiment_small.csv"), str(ATTRIBUTION))
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    headers = [(i, line) for i, line in enumerate(lines) if line.startswith("Set ")]
    assert [lines[i - 2] for i, _ in headers] == ["Attribution", "Sentiment"]
    (_, attribution), (_, sentiment) = headers
    for title in ("Rows", "acc / F1", "Coverage", "ECE", "Notes"):
        assert title in attribution
    first_lines = [lines[i - 1] for i, _ in headers]  # the headers' first line: the models' names
    assert all("Siloscope" in line for line in first_lines)
    assert "keywords" in first_lines[0] and "TextBlob" in first_lines[1] and "VADER" in first_lines[1]
    assert "Coverage" not in sentiment
    vader = single(capsys, "sentiment", SENTIMENT, "vader")
    line = next(line for line in out.splitlines() if line.startswith("sentiment_small "))
    assert line.rstrip().endswith(f"{vader['accuracy']:.3f} / {vader['macro_f1']:.3f}")
    assert line.split()[1] == "5"


def test_a_folder_gives_all_its_csvs_and_a_bad_one_is_named_not_fatal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(ATTRIBUTION, tmp_path / "a_attribution.csv")
    shutil.copy(SENTIMENT, tmp_path / "b_sentiment.csv")
    shutil.copy(FIXTURES / "latin1.csv", tmp_path / "c_latin1.csv")
    (tmp_path / "d_neither.csv").write_text("text,label\nhello,x\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a set", encoding="utf-8")
    code, out, err = run(capsys, "eval", "all", "--no-shared", str(tmp_path), "--json")
    assert code == 2
    sets = {s["set"]: s for s in json.loads(out)["sets"]}
    assert list(sets) == ["a_attribution", "b_sentiment", "c_latin1", "d_neither"]
    assert sets["a_attribution"]["siloscope"]["n"] == 6 and sets["b_sentiment"]["siloscope"]["n"] == 5
    assert "not UTF-8" in sets["c_latin1"]["error"] or "cannot read" in sets["c_latin1"]["error"]
    assert "header must be text,silo or text,sentiment" in sets["d_neither"]["error"]
    assert "2 set(s) could not be read" in err
    code, text, _ = run(capsys, "eval", "all", "--no-shared", str(tmp_path))
    assert "note: " in text and "unreadable" in text


def test_missing_paths_and_misuse_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "eval", "all", "--no-shared", str(tmp_path / "nowhere"))
    assert code == 2 and out == "" and "nowhere: no such file or folder" in err


def test_a_sample_of_the_shared_sets(capsys: pytest.CaptureFixture[str]) -> None:
    shared = shared_datasets_dir()
    if shared is None:
        pytest.skip("no shared/datasets beside this checkout (CI keeps a copy beside the clone)")
    code, out, _ = run(capsys, "eval", "all", "--sample", "15", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["shared"] == str(shared)
    names = {s["set"] for s in result["sets"]}
    assert names == {p.stem for p in shared.glob("*.csv")}
    for found in result["sets"]:
        assert found["error"] is None and found["rows"] == 15
        assert found["siloscope"]["n"] == 15 or found["refused"]
        if found["task"] == "attribution":
            assert 0 <= found["siloscope"]["coverage"] <= 1


def test_the_shared_folder_is_found_beside_the_checkout_or_a_parent(tmp_path: Path) -> None:
    checkout = tmp_path / "worktrees" / "branch"
    checkout.mkdir(parents=True)
    assert shared_datasets_dir(checkout) is None
    (tmp_path / "shared" / "datasets").mkdir(parents=True)
    assert shared_datasets_dir(checkout) == tmp_path / "shared" / "datasets"
    (tmp_path / "worktrees" / "shared" / "datasets").mkdir(parents=True)
    assert shared_datasets_dir(checkout) == tmp_path / "worktrees" / "shared" / "datasets"  # the nearest

"""Long commands show a progress bar to a person at a terminal, and nothing extra to a pipe or a file."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.store.db import engine_for
from bot.store.models import FeedbackResponse
from tests.support.pty_run import ROOT, run_on_terminal

ROWS = 6000  # several of seed's batches and export's steps of 1,000


def _piped(*args: str) -> subprocess.CompletedProcess[str]:
    """``siloscope ARGS`` with stdout and stderr on pipes, as a script or ``make`` runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_seed_shows_a_bar_on_a_terminal(tmp_database: str) -> None:
    code, shown = run_on_terminal("seed", "--rows", str(ROWS))
    assert code == 0, shown
    assert "Seeding responses" in shown and f"{ROWS}/{ROWS}" in shown  # the bar, filled
    assert f"Seeded {ROWS:,} responses" in shown


def test_seed_and_export_through_pipes_print_only_their_output(tmp_database: str) -> None:
    seeded = _piped("seed", "--rows", str(ROWS))
    assert seeded.returncode == 0 and seeded.stderr == ""
    assert seeded.stdout.startswith(f"Seeded {ROWS:,} responses") and seeded.stdout.count("\n") == 1
    exported = _piped("export")
    assert exported.returncode == 0 and exported.stderr == ""
    assert len(list(csv.DictReader(io.StringIO(exported.stdout)))) == ROWS
    assert "\x1b" not in exported.stdout


def test_export_to_a_file_shows_a_bar_and_writes_every_row(tmp_database: str, tmp_path: Path) -> None:
    assert _piped("seed", "--rows", str(ROWS)).returncode == 0
    target = tmp_path / "all.csv"
    code, shown = run_on_terminal("export", stdout=target)
    assert code == 0, shown
    assert "Exporting responses" in shown and f"{ROWS}/{ROWS}" in shown
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    with engine_for(tmp_database).connect() as connection:
        ids = list(connection.execute(select(FeedbackResponse.id).order_by(FeedbackResponse.created_at,
                                                                           FeedbackResponse.id)).scalars())
        assert connection.execute(select(func.count()).select_from(FeedbackResponse)).scalar() == ROWS
    assert [int(r["response_id"]) for r in rows] == ids  # every row once, oldest first
    assert "Exporting" not in target.read_text(encoding="utf-8")


def test_export_to_the_terminal_itself_draws_no_bar(tmp_database: str) -> None:
    """When the rows scroll on the terminal they are the progress; a bar would only garble them."""
    assert _piped("seed", "--rows", "50").returncode == 0
    code, shown = run_on_terminal("export")
    assert code == 0 and "Exporting responses" not in shown
    assert shown.count("\n") == 51


def test_eval_over_folders_shows_a_bar_per_set_and_a_pipe_gets_only_the_table(tmp_path: Path) -> None:
    fixtures = ROOT / "tests" / "fixtures" / "eval"
    for name in ("attribution_small.csv", "sentiment_small.csv"):
        (tmp_path / name).write_bytes((fixtures / name).read_bytes())
    code, shown = run_on_terminal("eval", "all", "--no-shared", str(tmp_path))
    assert code == 0, shown
    assert "Scoring labelled sets" in shown and "2/2" in shown
    piped = _piped("eval", "all", "--no-shared", str(tmp_path), "--json")
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout.startswith("{")


def test_learn_shows_that_it_retrains(tmp_database: str, tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("text,silo\nthe invoice was charged twice,finance\n", encoding="utf-8")
    code, shown = run_on_terminal("learn", str(labelled))
    assert code == 0, shown
    assert "Retraining attribution" in shown and "learnt 1 new examples" in shown
    labelled.write_text("text,silo\nthe parcel came a week late,delivery\n", encoding="utf-8")
    piped = _piped("learn", str(labelled))
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout.startswith("learnt 1 new examples")


def test_bench_report_shows_its_seeding(tmp_database: str) -> None:
    code, shown = run_on_terminal("bench", "report", "--rows", "3000")
    assert code == 0, shown
    assert "Seeding the benchmark store" in shown and "3000/3000" in shown and "whole department report" in shown

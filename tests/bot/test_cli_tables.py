"""The terminal tables of ``siloscope report`` and ``outbox list`` fit 100 columns and still hold every number."""

from __future__ import annotations

import json

import pytest

from analytics.formatting import format_value
from analytics.metrics import OPTIONAL_METRICS
from analytics.report import GROUPINGS
from bot.cli import main
from bot.terminal import MAX_WIDTH
from tests.support.pty_run import run_on_terminal


@pytest.fixture
def seeded(tmp_database: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["seed", "--rows", "1500", "--days", "60"]) == 0
    capsys.readouterr()
    return tmp_database


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["report", "--since", "60d", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_every_grouping_fits_100_columns_and_keeps_its_numbers(seeded, capsys, grouping: str) -> None:
    table = _report(capsys, "--by", grouping)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= MAX_WIDTH, table
    data = json.loads(_report(capsys, "--by", grouping, "--format", "json"))
    assert len(data["rows"]) >= 2
    for row in [*data["rows"], data["total"]]:
        # The row's first line starts with the first word of its label and carries all its numbers.
        line = next(line for line in lines if line.startswith(row["label"].split()[0] + " ")
                    and format_value("volume", row["metrics"]["volume"]) in line)
        for metric, value in row["metrics"].items():
            if metric in OPTIONAL_METRICS and data["total"]["metrics"][metric] is None:
                continue  # no NPS answers in the seed: the table leaves the column out
            assert format_value(metric, value) in line.split(), (metric, line)
    assert "Satisf. 1–5: mean satisfaction (1–5)" in " ".join(lines)  # the legend names the short headers


def test_a_narrow_terminal_keeps_every_column(seeded) -> None:
    """On an 80-column terminal rich would crop the last columns; the table keeps its width instead."""
    code, out = run_on_terminal("report", "--since", "60d", "--by", "touchpoint", columns=80)
    assert code == 0, out
    header = next(line for line in out.splitlines() if line.startswith("Touchpoint"))
    assert header.split()[-1] == "Repeat" and len(header.rstrip()) <= MAX_WIDTH


def test_report_fits_with_a_long_channel_name_and_keeps_markup_as_text(tmp_database, capsys) -> None:
    """Channel names come from webhooks: "[bold]" stays visible text, and a long name wraps, not the table."""
    from tests.analytics.friction_data import write_friction_store

    write_friction_store(tmp_database)
    from sqlalchemy import update

    from bot.store.db import engine_for
    from bot.store.models import FeedbackResponse

    with engine_for(tmp_database).begin() as connection:
        connection.execute(update(FeedbackResponse).values(channel="[bold]partner-portal-emea-north-and-baltics"))
    assert main(["report", "--since", "7d", "--until", "2026-03-20", "--by", "channel"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= MAX_WIDTH
    assert "[bold]partner" in out


def test_outbox_list_fits_100_columns_with_long_errors(tmp_database, capsys) -> None:
    from bot.store.db import engine_for, session_factory
    from bot.store.models import OutboxMessage

    error = "peer unreachable: " + "connection refused by https://hooks.example.com/services/T000/B000 " * 6
    with session_factory(engine_for(tmp_database))() as session:
        session.add_all([
            OutboxMessage(dedupe_key="a", destination="helpdesk-emea-north-escalations", kind="alert", payload={},
                          status="pending", attempts=3, last_error=error),
            OutboxMessage(dedupe_key="b", destination="teams", kind="alert", payload={}, status="dead", attempts=4,
                          last_error="HTTP 500"),
        ])
        session.commit()
    assert main(["outbox", "list"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= MAX_WIDTH, out
    assert "helpdesk-emea-north-escalations" in out and "HTTP 500" in out
    assert "peer unreachable: connection refused" in " ".join(out.split())  # wrapped, not cut
    dead = next(line for line in out.splitlines() if " dead " in line)
    assert dead.split()[:5] == ["2", "dead", "alert", "teams", "4"]

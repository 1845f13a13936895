"""``siloscope bench report`` prints one JSON object with the fields `make bench` reads (no timing asserted)."""

from __future__ import annotations

import json

from bot.cli import main


def test_bench_report_prints_one_json_object(tmp_database, capsys) -> None:
    assert main(["bench", "report", "--rows", "2000", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip())
    assert result["rows"] == 2000
    assert result["report_s"] > 0 and result["groupby_s"] > 0 and result["peak_rss_mb"] > 10
    # the ratio comes from unrounded times; the printed times are rounded to 0.1 ms
    report_s, groupby_s = result["report_s"], result["groupby_s"]
    slack = 0.00005 / groupby_s + 0.00005 / report_s
    assert abs(result["ratio"] / (report_s / groupby_s) - 1) <= slack + 0.001


def test_bench_report_refuses_tiny_runs(tmp_database, capsys) -> None:
    assert main(["bench", "report", "--rows", "10"]) == 2
    assert "--rows must be between" in capsys.readouterr().err

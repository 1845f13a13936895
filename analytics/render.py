"""Terminal table, CSV and JSON from the one report model, so the numbers never differ between formats."""

from __future__ import annotations

import csv
import io
import json

from analytics.formatting import format_change, format_value
from analytics.html import render_html
from analytics.metrics import METRIC_LABELS
from analytics.report import FrictionReport, Row
from bot.privacy.spreadsheet import safe_cell
from bot.terminal import render as render_text
from bot.terminal import table

FORMATS = ("table", "csv", "json", "html")


# Short headers (a line break where they wrap) so that ten numbers and a name fit 100 columns; the
# legend under the table gives the full names (METRIC_LABELS, as the HTML report and the dashboard say).
TERMINAL_HEADERS = {
    "volume": "Volume", "friction_index": "Friction", "friction_change": "Δ", "mean_score": "Satisf.\n1–5",
    "dissatisfied_share": "Dissat.\n1–2", "mean_effort": "Effort\n7=easy", "high_effort_share": "High\neffort",
    "negative_share": "Neg.\nsent.", "repeat_rate": "Repeat", "nps": "NPS", "mentions": "Mentions",
}  # fmt: skip
MENTIONS_LABEL = "Responses naming the silo at all"


def _legend(columns: list[str]) -> str:
    """What each short header stands for, in the words of METRIC_LABELS."""
    full = {**METRIC_LABELS, "mentions": MENTIONS_LABEL}
    short = {name: TERMINAL_HEADERS[name].replace("\n", " ") for name in columns if name in full}
    return "; ".join(f"{header}: {full[name].lower()}" for name, header in short.items()
                     if header.lower() != full[name].lower()) + "."


def _table_columns(report: FrictionReport) -> list[str]:
    columns = report.shown_metrics
    columns.insert(2, "friction_change")
    if report.group_by == "silo":
        columns.append("mentions")
    return columns


def _cells(report: FrictionReport, row: Row) -> list[str]:
    cells = []
    for name in _table_columns(report):
        if name == "friction_change":
            cells.append(format_change(row, "friction_index"))
        elif name == "mentions":
            cells.append("" if row.mentions is None else f"{row.mentions:,}")
        else:
            cells.append(format_value(name, row.metrics[name]))
    return cells


def render_table(report: FrictionReport) -> str:
    """A table at most 100 columns wide (``bot.terminal``), with the window, a legend and the significance note."""
    columns = _table_columns(report)
    headers = [report.group_by.replace("_", " ").title(), *(TERMINAL_HEADERS[name] for name in columns)]
    body = [[row.label, *_cells(report, row)] for row in [*report.rows, report.total]]
    filters = ", ".join(f"{k}={v}" for k, v in report.filters.items()) or "none"
    notes = [_legend(columns),
             "Δ: friction against the previous period of the same length; ▲/▼ only when significant "
             "(95% interval excludes 0)."]
    if report.handoffs:
        notes.append("Top hand-offs: " + ", ".join(f"{h.from_silo}→{h.to_silo} {h.count}"
                                                   for h in report.handoffs[:5]))
    if report.themes:
        notes.append("Recurring complaint themes: " + "; ".join(f"{t.name} ({t.count})" for t in report.themes[:5]))
    grid = table(headers, body, numeric=range(1, len(headers)), total=True)
    return render_text(f"Friction report, {report.window}; filters: {filters}", "", grid, "", *notes)


def render_csv(report: FrictionReport) -> str:
    """One line per group (and the total): every metric, and each change with its interval."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    metrics = list(METRIC_LABELS)
    header = ["group_by", "key", "label", "window_start", "window_end", "timezone", *metrics, "mentions",
              "negative_mentions"]
    for m in metrics:
        header += [f"{m}_previous", f"{m}_change", f"{m}_change_low", f"{m}_change_high", f"{m}_significant"]
    writer.writerow(header)
    for row in [*report.rows, report.total]:
        # Names come from the store (a channel sent by a webhook): never let a spreadsheet run them.
        line = [report.group_by, safe_cell(row.key), safe_cell(row.label), report.start, report.end, report.timezone]
        line += ["" if row.metrics[m] is None else row.metrics[m] for m in metrics]
        line += ["" if row.mentions is None else row.mentions,
                 "" if row.negative_mentions is None else row.negative_mentions]
        for m in metrics:
            c = row.changes[m]
            line += ["" if v is None else v for v in (c.previous, c.delta, c.low, c.high)]
            line.append("yes" if c.significant else "no")
        writer.writerow(line)
    return buffer.getvalue()


def render_json(report: FrictionReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def render(report: FrictionReport, fmt: str) -> str:
    if fmt == "table":
        return render_table(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    return render_html(report)

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

FORMATS = ("table", "csv", "json", "html")


def _table_columns(report: FrictionReport) -> list[tuple[str, str]]:
    columns = [(m, label) for m, label in METRIC_LABELS.items()]
    columns.insert(2, ("friction_change", "Δ friction"))
    if report.group_by == "silo":
        columns.append(("mentions", "Mentions"))
    return columns


def _cells(report: FrictionReport, row: Row) -> list[str]:
    cells = []
    for name, _ in _table_columns(report):
        if name == "friction_change":
            cells.append(format_change(row, "friction_index"))
        elif name == "mentions":
            cells.append("" if row.mentions is None else f"{row.mentions:,}")
        else:
            cells.append(format_value(name, row.metrics[name]))
    return cells


def render_table(report: FrictionReport) -> str:
    """A fixed-width table for the terminal, with the window and the significance legend."""
    headers = [report.group_by.replace("_", " ").title(), *[label for _, label in _table_columns(report)]]
    body = [[row.label, *_cells(report, row)] for row in report.rows]
    body.append([report.total.label, *_cells(report, report.total)])
    widths = [max(len(line[i]) for line in [headers, *body]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                               strict=True)))

    filters = ", ".join(f"{k}={v}" for k, v in report.filters.items()) or "none"
    out = [f"Friction report, {report.window}; filters: {filters}", "", line(headers),
           line(["-" * w for w in widths])]
    out += [line(cells) for cells in body[:-1]]
    out += [line(["-" * w for w in widths]), line(body[-1]), ""]
    out.append("Δ compares with the previous period of the same length; ▲/▼ only when significant "
               "(95% interval excludes 0).")
    if report.handoffs:
        top = ", ".join(f"{h.from_silo}→{h.to_silo} {h.count}" for h in report.handoffs[:5])
        out.append(f"Top hand-offs: {top}")
    if report.themes:
        out.append("Recurring complaint themes: " + "; ".join(f"{t.name} ({t.count})" for t in report.themes[:5]))
    return "\n".join(out) + "\n"


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

"""How a number reads to a manager, worded once for the terminal table and the HTML page."""

from __future__ import annotations

from analytics.metrics import SHARES
from analytics.report import Row


def format_value(metric: str, value: float | int | None) -> str:
    """How a number reads to a manager: shares in %, means with two decimals, the index with one."""
    if value is None:
        return "–"
    if metric in SHARES:
        return f"{100 * value:.1f}%"
    if metric == "volume":
        return f"{int(value):,}"
    if metric == "friction_index":
        return f"{value:.1f}"
    if metric == "nps":
        return f"{value:+.0f}"
    return f"{value:.2f}"


def format_change(row: Row, metric: str) -> str:
    """The change in the metric's own unit, with an arrow only when it is significant."""
    change = row.changes[metric]
    if change.delta is None:
        return ""
    if metric in SHARES:
        text = f"{100 * change.delta:+.1f} pt"
    elif metric == "volume":
        text = f"{int(change.delta):+,}"
    else:
        text = f"{change.delta:+.{1 if metric in ('friction_index', 'nps') else 2}f}"
    arrow = {"up": " ▲", "down": " ▼"}.get(change.direction, "")
    return text + arrow

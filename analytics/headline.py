"""The report's first lines: which group causes most friction, whether it is getting better, and why.

A manager should not have to read a chart to get these three answers. The headline names the
group with the highest friction index (among groups with enough answers to mean something), its
change against the comparison period only when the change is significant (an unsure change is
called unsure, not an arrow), the group that improved most, and the recurring theme that group's
complaints share most, each linked to the answers behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from analytics.formatting import format_change, format_value
from analytics.report import FrictionReport, Row

MIN_VOLUME = 10  # a group on fewer answers is not named the worst: one angry customer is not a department


def _trend(row: Row) -> str:
    change = row.changes["friction_index"]
    if change.delta is None:
        return "no comparison period to tell whether it is getting better"
    if not change.direction:
        return f"not clearly changed against the comparison period ({escape(format_change(row, 'friction_index'))})"
    word = "worse" if change.direction == "up" else "better"
    return f'<strong class="{"up" if word == "worse" else "down"}">getting {word}</strong> ' \
           f"({escape(format_change(row, 'friction_index'))} against the comparison period)"


def headline(report: FrictionReport, link_for: Callable[[str], str],
             theme_link: Callable[[str], str] | None = None) -> str:
    """The summary paragraph, or "" when the report is not grouped by silo, touchpoint or channel."""
    if report.group_by not in ("silo", "touchpoint", "channel"):
        return ""
    scored = [r for r in report.rows if r.metrics["friction_index"] is not None]
    enough = [r for r in scored if (r.metrics["volume"] or 0) >= MIN_VOLUME] or scored
    if not enough:
        return ""
    worst = max(enough, key=lambda r: r.metrics["friction_index"] or 0)
    parts = [f'Most friction: <a href="{escape(link_for(worst.key))}"><strong>{escape(worst.label)}</strong></a>, '
             f"friction {format_value('friction_index', worst.metrics['friction_index'])} from "
             f"{worst.metrics['volume']:,} responses, "
             f"{format_value('dissatisfied_share', worst.metrics['dissatisfied_share'])} dissatisfied; "
             f"{_trend(worst)}."]
    theme = next((t for t in report.themes if next(iter(t.silos), None) == worst.key), None)
    if theme is not None and report.group_by == "silo":
        name = escape(theme.name)
        shown = f'<a href="{escape(theme_link(theme.name))}">{name}</a>' if theme_link else name
        parts.append(f"Why: its most common complaint is “{shown}” ({theme.count} complaints).")
    improved = [r for r in enough if r.changes["friction_index"].direction == "down"]
    if improved:
        best = min(improved, key=lambda r: r.changes["friction_index"].delta or 0)
        parts.append(f'Improved most: <a href="{escape(link_for(best.key))}">{escape(best.label)}</a> '
                     f"({escape(format_change(best, 'friction_index'))}).")
    return f'<section id="headline"><p>{" ".join(parts)}</p></section>'

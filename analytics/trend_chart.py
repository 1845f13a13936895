"""The trend chart: one labelled line per group, a metric chooser, partial periods marked, counts behind points.

A manager asks "is it getting better?", so the chart must not lie about the newest period: the
week (or day, or month) that is still running, or that the window cuts, holds fewer answers than a
whole one, and drawn like a whole one every line jumps. Such a period is drawn hollow, joined by a
dashed line and named "(partial)". The chooser between friction, satisfaction and effort is pure
HTML and CSS (radio buttons and ``:checked``), so it works in the offline report and under the
dashboard's script-free CSP; each point's title and the table under the chart give its answer count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from itertools import pairwise
from zoneinfo import ZoneInfo

from analytics.periods import period_end
from analytics.report import FrictionReport

# A group's point on fewer answers than this is noise, so the line skips it (the table still shows it).
MIN_POINT_VOLUME = 10
PALETTE = ["#1b6ca8", "#e07a1f", "#2a9d4b", "#c23b3b", "#7b4fb3", "#8c5a3c", "#d45fa8", "#6b6b6b", "#b5a000",
           "#1aa3a3"]
ALL = "all"


@dataclass(frozen=True)
class TrendMetric:
    name: str  # the chooser's value
    field: str  # the metric in TrendPoint.metrics
    label: str
    low: float  # the axis' fixed bottom
    high: float | None  # the axis' fixed top, None: from the data
    decimals: int


METRICS = (
    TrendMetric("friction", "friction_index", "Friction index (0–100, lower is better)", 0, None, 1),
    TrendMetric("satisfaction", "mean_score", "Mean satisfaction (1–5, higher is better)", 1, 5, 2),
    TrendMetric("effort", "mean_effort", "Mean effort (1–7, 7 = easy)", 1, 7, 2),
)
CSS = """
.trend input[type=radio]{position:absolute;opacity:0}.trend .chooser{display:flex;gap:6px;margin:0 0 8px}
.trend .chooser label{border:1px solid #c9d3de;border-radius:14px;padding:3px 12px;cursor:pointer;font-size:13px}
.trend .panel{display:none}
#trend-friction:checked~.chooser label[for=trend-friction],#trend-satisfaction:checked~.chooser
label[for=trend-satisfaction],#trend-effort:checked~.chooser label[for=trend-effort]{background:#1d2733;color:#fff}
#trend-friction:checked~#trend-panel-friction,#trend-satisfaction:checked~#trend-panel-satisfaction,
#trend-effort:checked~#trend-panel-effort{display:block}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;padding:0;margin:6px 0;font-size:12px}
.legend svg{vertical-align:middle;margin-right:4px}table.trend-table td{white-space:normal}
"""


def partial_periods(report: FrictionReport) -> set[str]:
    """Period starts (ISO) that the window cuts or that are still running when the report was made."""
    tz = ZoneInfo(report.timezone)
    today = datetime.fromisoformat(report.generated_at).astimezone(tz).date()
    start, end = date.fromisoformat(report.start), date.fromisoformat(report.end)
    partial = set()
    for point in report.trend:
        first = date.fromisoformat(point.start)
        after = period_end(first, report.trend_unit)
        if first < start or after > end or first <= today < after:
            partial.add(point.start)
    return partial


def series_keys(report: FrictionReport) -> list[str]:
    """"all" and, when the report groups by silo, touchpoint or channel, each group (largest first)."""
    grouped = report.group_by in ("silo", "touchpoint", "channel")
    return [ALL, *[r.key for r in report.rows if grouped][: len(PALETTE)]]


def _label(report: FrictionReport, key: str) -> str:
    if key == ALL:
        return "all responses"
    return next((r.label for r in report.rows if r.key == key), key.replace("_", " "))


def _answers(volume: object) -> str:
    return f"{volume} response" + ("" if volume == 1 else "s")


def _colour(index: int) -> str:
    return "#1d2733" if index == 0 else PALETTE[(index - 1) % len(PALETTE)]


def _spread(positions: list[tuple[float, str]], gap: float, low: float, high: float) -> dict[str, float]:
    """End-of-line label heights pushed apart so no two overlap (lines often end close together)."""
    placed: dict[str, float] = {}
    last = low - gap
    for y, key in sorted(positions):
        y = max(y, last + gap)
        placed[key] = y
        last = y
    overflow = last - high
    if overflow > 0:
        placed = {k: y - overflow for k, y in placed.items()}
    return placed


def _panel(report: FrictionReport, metric: TrendMetric, periods: list[str], partial: set[str]) -> str:
    keys = series_keys(report)
    points = {(p.key, p.start): p for p in report.trend}
    series: dict[str, dict[str, float]] = {k: {} for k in keys}
    for (key, start), point in points.items():
        value = point.metrics.get(metric.field)
        enough = key == ALL or (point.metrics["volume"] or 0) >= MIN_POINT_VOLUME
        if key in series and value is not None and enough:
            series[key][start] = float(value)
    values = [v for s in series.values() for v in s.values()]
    low = metric.low
    high = metric.high if metric.high is not None else max(10.0, max(values or [0]) * 1.1)
    left, width, height, top_pad = 44, 640, 220, 10
    inset = 56  # room for the first and last period's name, and points clear of the axis labels
    step = (width - 2 * inset) / max(1, len(periods) - 1)
    labels = {p.start: p.period for p in report.trend}

    def y_of(value: float) -> float:
        return top_pad + height - height * (value - low) / (high - low)

    parts = [f'<svg class="chart trend-svg" id="trend-chart-{metric.name}" role="img" aria-label="'
             f'{escape(metric.label)} per {escape(report.trend_unit)}" viewBox="0 0 {left + width + 170} '
             f'{height + 58}" width="100%" xmlns="http://www.w3.org/2000/svg">']
    for tick in range(5):
        value = low + (high - low) * tick / 4
        y = y_of(value)
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e8ee"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
                     f'{value:.{0 if metric.high is None else 1}f}</text>')
    every = max(1, len(periods) // 8)
    for i, start in enumerate(periods):
        if i % every == 0 or i == len(periods) - 1:
            note = " (partial)" if start in partial else ""
            parts.append(f'<text class="period" x="{left + inset + i * step:.1f}" y="{height + 30}" font-size="11" '
                         f'text-anchor="middle">{escape(labels[start])}{note}</text>')
    ends: list[tuple[float, str]] = []
    for index, key in enumerate(keys):
        colour, label = _colour(index), _label(report, key)
        drawn = [(i, start) for i, start in enumerate(periods) if start in series[key]]
        if not drawn:
            continue
        stroke = 3 if key == ALL else 1.5
        xy = {start: (left + inset + i * step, y_of(series[key][start])) for i, start in drawn}
        whole = [xy[s] for _, s in drawn if s not in partial]
        parts.append(f'<g class="series" data-key="{escape(key)}"><title>{escape(label)}</title>')
        if len(whole) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in whole)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{stroke}" points="{path}"/>')
        for (_, start), (_, following) in pairwise(drawn):
            if start in partial or following in partial:  # a segment that reaches a partial period
                (x1, y1), (x2, y2) = xy[start], xy[following]
                parts.append(f'<line class="partial" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                             f'stroke="{colour}" stroke-width="{stroke}" stroke-dasharray="4 3"/>')
        for _, start in drawn:
            x, y = xy[start]
            point = points[(key, start)]
            note = ", partial period" if start in partial else ""
            fill = "#fff" if start in partial else colour
            title = (f"{label} · {labels[start]}{note}: {series[key][start]:.{metric.decimals}f} "
                     f"from {_answers(point.metrics['volume'])}")
            parts.append(f'<circle class="point{" partial" if start in partial else ""}" data-period="{start}" '
                         f'data-volume="{point.metrics["volume"]}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" '
                         f'fill="{fill}" stroke="{colour}" stroke-width="1.5"><title>{escape(title)}</title>'
                         '</circle>')
        parts.append("</g>")
        ends.append((xy[drawn[-1][1]][1], key))
    placed = _spread(ends, 13, top_pad + 4, top_pad + height)
    for index, key in enumerate(keys):
        if key in placed:
            parts.append(f'<text class="line-label" data-key="{escape(key)}" x="{left + width + 10}" '
                         f'y="{placed[key] + 4:.1f}" font-size="12" fill="{_colour(index)}">'
                         f'{escape(_label(report, key))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(report: FrictionReport) -> str:
    items = "".join(
        f'<li data-key="{escape(key)}"><svg width="18" height="8" aria-hidden="true"><line x1="0" y1="4" x2="18" '
        f'y2="4" stroke="{_colour(i)}" stroke-width="{3 if key == ALL else 2}"/></svg>{escape(_label(report, key))}'
        "</li>" for i, key in enumerate(series_keys(report)))
    return (f'<ul class="legend">{items}<li><svg width="18" height="8" aria-hidden="true"><line x1="0" y1="4" '
            'x2="18" y2="4" stroke="#6b7785" stroke-width="2" stroke-dasharray="4 3"/></svg>partial period '
            "(so far)</li></ul>")


def _table(report: FrictionReport, periods: list[str], partial: set[str]) -> str:
    """The numbers behind every point: per period and line, the three metrics and the answers they rest on."""
    keys = series_keys(report)
    points = {(p.key, p.start): p for p in report.trend}
    labels = {p.start: p.period for p in report.trend}
    head = "".join(f"<th>{escape(_label(report, k))}</th>" for k in keys)
    rows = []
    for start in periods:
        cells = []
        for key in keys:
            point = points.get((key, start))
            if point is None:
                cells.append("<td>–</td>")
                continue
            shown = " · ".join("–" if point.metrics[m.field] is None else f"{point.metrics[m.field]:.{m.decimals}f}"
                               for m in METRICS)
            cells.append(f'<td data-key="{escape(key)}">{shown}<br><span class="muted">n {point.metrics["volume"]}'
                         "</span></td>")
        name = escape(labels[start]) + (" (partial)" if start in partial else "")
        rows.append(f'<tr data-period="{start}"><td>{name}</td>{"".join(cells)}</tr>')
    return (f'<details><summary>Numbers behind the chart (friction · satisfaction · effort, and n answers)'
            f'</summary><div class="scroll"><table class="trend-table" id="trend-table"><thead><tr>'
            f'<th>{escape(report.trend_unit.title())}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            "</div></details>")


def trend_chart(report: FrictionReport) -> str:
    """The chooser, one panel per metric (friction shown first), the legend and the table of counts."""
    periods = sorted({p.start for p in report.trend})
    if len(periods) < 2:
        return '<p class="muted">Not enough periods for a trend yet.</p>'
    partial = partial_periods(report)
    radios = "".join(f'<input type="radio" name="trend-metric" id="trend-{m.name}" value="{m.name}"'
                     f'{" checked" if i == 0 else ""}>' for i, m in enumerate(METRICS))
    chooser = "".join(f'<label for="trend-{m.name}">{escape(m.name.title())}</label>' for m in METRICS)
    panels = "".join(f'<div class="panel" id="trend-panel-{m.name}"><p class="muted">{escape(m.label)}</p>'
                     f"{_panel(report, m, periods, partial)}</div>" for m in METRICS)
    return (f'<div class="trend" id="trend">{radios}<div class="chooser" role="group" aria-label="Metric">{chooser}'
            f"</div>{panels}{_legend(report)}{_table(report, periods, partial)}</div>")

"""A self-contained HTML report: inline CSS and inline SVG charts, no script, no network.

It opens offline from a file, and the dashboard serves the same page with its filter form and
drill-down links. Every piece of customer text goes through ``html.escape``: a quote containing
``<script>`` is shown as text, never run.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from analytics.formatting import format_change, format_value
from analytics.headline import headline
from analytics.metrics import METRIC_LABELS
from analytics.periods import UNITS
from analytics.report import FrictionReport, Quote, Row
from analytics.trend_chart import CSS as TREND_CSS
from analytics.trend_chart import partial_periods, trend_chart
from bot.taxonomy import UNATTRIBUTED

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#1d2733;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c9d3de;font-size:14px}
main{padding:16px 24px;max-width:1200px}
section{background:#fff;border-radius:8px;padding:16px;margin:0 0 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:17px;margin:0 0 12px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #e3e8ee;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}tr.total td{font-weight:600;border-top:2px solid #1d2733}
.up{color:#c23b3b;font-weight:600}.down{color:#2a9d4b;font-weight:600}.muted{color:#6b7785;font-size:12px}
.quote{border-left:3px solid #c23b3b;padding:4px 10px;margin:6px 0;background:#fbf5f5}
.quote .meta{color:#6b7785;font-size:12px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
svg text{font-family:inherit}a.bar:hover rect{opacity:.8}form.filters{display:flex;flex-wrap:wrap;gap:8px;
align-items:end}form.filters label{font-size:12px;display:flex;flex-direction:column}
details summary{cursor:pointer}.scroll{overflow-x:auto}@media(max-width:900px){.grid{grid-template-columns:1fr}}
table.fit th{white-space:normal;vertical-align:bottom;font-weight:600}table.fit td{vertical-align:top}
.delta{font-size:11px;color:#6b7785}.delta.up{color:#c23b3b}.delta.down{color:#2a9d4b}
.grid>section{min-width:0}.grid svg{max-width:100%}table.wrap td{white-space:normal}
@media(max-width:700px){main{padding:8px}section{padding:10px}table{font-size:12px}th,td{padding:4px}}
"""


def _is_good_when_down(metric: str) -> bool:
    return metric not in ("mean_score", "mean_effort", "volume")


def _change(row: Row, metric: str) -> str:
    """The change under the value, coloured only when significant; the interval in its title."""
    change = row.changes[metric]
    text = escape(format_change(row, metric))
    if not text:
        return ""
    klass = "delta"
    if change.direction:
        worse = (change.direction == "up") == _is_good_when_down(metric)
        klass += " up" if worse else " down"
    interval = ""
    if change.low is not None and change.high is not None:
        interval = f"95% interval {change.low:+.3g} to {change.high:+.3g}"
    return f'<br><span class="{klass}" title="{escape(interval)}">{text}</span>'


def friction_bars(report: FrictionReport, link_for: Callable[[str], str]) -> str:
    """Horizontal bars of the friction index per row; each bar links to the quotes behind it.

    Groups are ranked worst first; days, weeks and months stay in date order (a time line sorted
    by value hides the trend), with a period still running or cut by the window named partial.
    """
    rows = [r for r in report.rows if r.metrics["friction_index"] is not None]
    periods = report.group_by in UNITS
    partial = partial_periods(report) if periods else set()
    if not periods:
        rows.sort(key=lambda r: -(r.metrics["friction_index"] or 0))
    if not rows:
        return '<p class="muted">No scored responses in this period.</p>'
    height, left, width = 26, 190, 700
    top = max(100.0, max(r.metrics["friction_index"] or 0 for r in rows))
    parts = [f'<svg class="chart" id="friction-chart" role="img" aria-label="Friction index by '
             f'{escape(report.group_by)}" viewBox="0 0 {left + width + 130} {len(rows) * height + 30}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">']
    for i, row in enumerate(rows):
        value = row.metrics["friction_index"] or 0
        y = 10 + i * height
        bar = max(1.0, width * value / top)
        colour = "#c23b3b" if value >= 40 else "#e07a1f" if value >= 25 else "#2a9d4b"
        label = row.label + (" (partial)" if row.key in partial else "")
        title = (f"{label}: friction {value:.1f}, {row.metrics['volume']} responses, "
                 f"{format_value('dissatisfied_share', row.metrics['dissatisfied_share'])} dissatisfied")
        parts.append(
            f'<a class="bar" href="{escape(link_for(row.key))}" data-key="{escape(row.key)}">'
            f'<title>{escape(title)}</title>'
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="13">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{height - 8}" rx="3" fill="{colour}"/>'
            f'<text x="{left + bar + 6:.1f}" y="{y + 17}" font-size="12">{value:.1f} '
            f'<tspan fill="#6b7785">(n {row.metrics["volume"]})</tspan></text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def handoff_heatmap(report: FrictionReport, cell_link: Callable[[str, str], str] | None = None) -> str:
    """From-silo rows, to-silo columns, both axes named; darker means more hand-offs.

    Each cell's title gives its count and mean sentiment; with ``cell_link`` (the dashboard) a
    cell opens the answers that describe that hand-off.
    """
    if not report.handoffs:
        return '<p class="muted">No hand-offs between silos in this period.</p>'
    silos = sorted({h.from_silo for h in report.handoffs} | {h.to_silo for h in report.handoffs})
    cells = {(h.from_silo, h.to_silo): h for h in report.handoffs}
    top = max(h.count for h in report.handoffs)
    size, left, head = 44, 170, 140
    width = left + size * len(silos) + 10
    parts = [f'<svg class="chart" id="handoff-chart" role="img" aria-label="Hand-off heat map: rows hand over '
             f'from, columns to" viewBox="0 0 {width} {head + size * len(silos) + 10}" width="100%" '
             'xmlns="http://www.w3.org/2000/svg">'
             f'<text class="axis" x="{left + size * len(silos) / 2:.0f}" y="14" font-size="12" font-weight="600" '
             'text-anchor="middle">to (the department that took over) →</text>'
             f'<text class="axis" x="4" y="{head - 8}" font-size="12" font-weight="600">from ↓</text>']
    for j, silo in enumerate(silos):
        x = left + j * size + size / 2
        parts.append(f'<text transform="translate({x:.0f},{head - 6}) rotate(-45)" font-size="12">'
                     f'{escape(silo.replace("_", " "))}</text>')
    for i, source in enumerate(silos):
        y = head + i * size
        parts.append(f'<text x="{left - 6}" y="{y + size / 2 + 4:.0f}" font-size="12" text-anchor="end">'
                     f'{escape(source.replace("_", " "))}</text>')
        for j, target in enumerate(silos):
            cell = cells.get((source, target))
            x = left + j * size
            if cell is None:
                parts.append(f'<rect x="{x}" y="{y}" width="{size - 2}" height="{size - 2}" fill="#f0f2f5"/>')
                continue
            strength = 0.15 + 0.85 * cell.count / top
            sentiment = "–" if cell.mean_sentiment is None else f"{cell.mean_sentiment:+.2f}"
            inner = (f'<title>from {escape(source)} to {escape(target)}: {cell.count} hand-offs, '
                     f'mean sentiment {sentiment}</title><rect x="{x}" y="{y}" width="{size - 2}" '
                     f'height="{size - 2}" fill="#c23b3b" fill-opacity="{strength:.2f}"/>'
                     f'<text x="{x + size / 2 - 1:.0f}" '
                     f'y="{y + size / 2 + 4:.0f}" font-size="12" text-anchor="middle">{cell.count}</text>')
            attributes = f'data-from="{escape(source)}" data-to="{escape(target)}"'
            if cell_link is None:
                parts.append(f'<g class="cell" {attributes}>{inner}</g>')
            else:
                parts.append(f'<a class="cell-link" href="{escape(cell_link(source, target))}"><g class="cell" '
                             f'{attributes}>{inner}</g></a>')
    parts.append("</svg>")
    if cell_link is not None:
        parts.append('<p class="muted">Click a cell for the answers that describe that hand-off.</p>')
    return "".join(parts)


def metrics_table(report: FrictionReport, link_for: Callable[[str], str]) -> str:
    """One column per metric, its change under it: 10 columns that fit a 1,200 px page, not 17 that do not."""
    shown = report.shown_metrics
    headers = "".join(f"<th>{escape(METRIC_LABELS[metric])}</th>" for metric in shown)
    mentions = report.group_by == "silo"
    out = [f'<table id="metrics" class="fit"><thead><tr><th>{escape(report.group_by.title())}</th>{headers}'
           f'{"<th>Mentions</th>" if mentions else ""}</tr></thead><tbody>']
    for row in [*report.rows, report.total]:
        total = row is report.total
        name = escape(row.label) if total else f'<a href="{escape(link_for(row.key))}">{escape(row.label)}</a>'
        cells = "".join(f"<td>{escape(format_value(metric, row.metrics[metric]))}{_change(row, metric)}</td>"
                        for metric in shown)
        extra = f"<td>{'' if row.mentions is None else row.mentions}</td>" if mentions else ""
        out.append(f'<tr class="{"total" if total else ""}" data-key="{escape(row.key)}"><td>{name}</td>'
                   f'{cells}{extra}</tr>')
    out.append("</tbody></table>")
    out.append('<p class="muted">Under each number: its change against the previous period of the same length. '
               'Red/green and an arrow only when the 95% interval excludes zero; hover for the interval.</p>')
    return "".join(out)


def response_ref(response_id: int, response_link: Callable[[int], str] | None) -> str:
    """``response #id``, a link to the stored response where the page can show it (the dashboard)."""
    if response_link is None:
        return f"response #{response_id}"
    return f'<a class="response" href="{escape(response_link(response_id))}">response #{response_id}</a>'


def quote_html(response_id: int, text: str, meta: str, response_link: Callable[[int], str] | None) -> str:
    return (f'<blockquote class="quote" data-response-id="{response_id}">{escape(text)}'
            f'<div class="meta">{response_ref(response_id, response_link)} · {escape(meta)}</div></blockquote>')


def shown(value: object) -> str:
    """A value as HTML text, "–" where there is none (never "None" or an empty cell)."""
    return "–" if value is None or value == "" else escape(str(value))


def meta_line(*parts: str | None) -> str:
    """Parts joined by " · ", the missing ones left out: no "score None", no empty "· ·"."""
    return " · ".join(p for p in parts if p)


def quote_meta(quote: Quote, with_silo: bool = False) -> str:
    """When, (which silo,) where and how a customer answered: the line under a quote."""
    return meta_line(f'{quote.created_at[:16].replace("T", " ")} UTC',
                     (quote.silo or UNATTRIBUTED) if with_silo else None, quote.touchpoint, quote.channel,
                     None if quote.score is None else f"score {quote.score}")


def quotes_block(report: FrictionReport, response_link: Callable[[int], str] | None = None) -> str:
    if not report.quotes:
        return '<p class="muted">No dissatisfied open answers in this period.</p>'
    out = []
    for silo, quotes in report.quotes.items():
        out.append(f'<div class="silo-quotes" id="quotes-{escape(silo)}"><h3>{escape(silo.replace("_", " "))}</h3>')
        for q in quotes:
            out.append(quote_html(q.response_id, q.text, quote_meta(q), response_link))
        out.append("</div>")
    return "".join(out)


def themes_block(report: FrictionReport, theme_link: Callable[[str], str] | None = None) -> str:
    """Themes with counts; each shows its closest answers, and on the dashboard opens a page of all of them."""
    if not report.themes:
        return '<p class="muted">Too few complaints in this period to find recurring themes.</p>'
    out = [f'<p class="muted">From the {report.theme_sample} newest dissatisfied open answers.</p>'
           '<table id="themes" class="fit wrap"><thead><tr><th>Theme</th><th>Complaints</th><th>Share</th>'
           '<th>Mostly</th></tr></thead><tbody>']
    for theme in report.themes:
        examples = "".join(f"<li>{escape(e.text)} <span class=\"muted\">#{e.response_id}</span></li>"
                           for e in theme.examples)
        mostly = ", ".join(f"{escape(s.replace('_', ' '))} {n}" for s, n in list(theme.silos.items())[:2])
        opener = ""
        if theme_link is not None:
            opener = (f'<a class="theme" href="{escape(theme_link(theme.name))}">all {theme.count} '
                      "answers →</a>")
        out.append(f'<tr data-theme="{escape(theme.name)}"><td><details><summary>{escape(theme.name)}</summary>'
                   f'<ul>{examples}</ul></details>{opener}</td><td>{theme.count}</td>'
                   f'<td>{100 * theme.share:.0f}%</td><td>{mostly}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def report_body(report: FrictionReport, link_for: Callable[[str], str] | None = None,
                response_link: Callable[[int], str] | None = None,
                handoff_link: Callable[[str, str], str] | None = None,
                theme_link: Callable[[str], str] | None = None) -> str:
    """The sections of the report, without the page around them (the dashboard reuses this)."""
    if link_for is None:  # offline: jump to the silo's quotes when there are some, else to all quotes

        def link_for(key: str) -> str:
            return f"#quotes-{key}" if report.group_by == "silo" and key in report.quotes else "#quotes"

    by = escape(report.group_by.replace("_", " "))
    return (
        f"{headline(report, link_for, theme_link)}"
        f'<section><h2>Friction index by {by}</h2>{friction_bars(report, link_for)}'
        '<p class="muted">0 = no friction reported, 100 = every customer dissatisfied, high effort, negative and '
        'back again. Click a bar for the quotes behind it.</p></section>'
        f'<section><h2>Trend per {escape(report.trend_unit)}</h2>{trend_chart(report)}</section>'
        f'<section><h2>Metrics</h2><div class="scroll">{metrics_table(report, link_for)}</div></section>'
        f'<div class="grid"><section><h2>Hand-offs between silos</h2>{handoff_heatmap(report, handoff_link)}</section>'
        f'<section><h2>Recurring complaint themes</h2>{themes_block(report, theme_link)}</section></div>'
        f'<section id="quotes"><h2>What customers said</h2>{quotes_block(report, response_link)}</section>'
    )


def page(title: str, subtitle: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}{TREND_CSS}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header><main>{body}</main></body></html>"
    )


def subtitle(report: FrictionReport) -> str:
    filters = ", ".join(f"{k}: {v}" for k, v in report.filters.items())
    return (f"{report.window} · {report.total.metrics['volume']:,} responses"
            f"{' · ' + filters if filters else ''} · generated {report.generated_at}")


def render_html(report: FrictionReport) -> str:
    return page("Siloscope friction report", subtitle(report), report_body(report))

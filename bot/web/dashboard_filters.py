"""The dashboard's filters: what the query string may hold, and the form that sets it.

Every filter is a choice where the store knows the choices (period, grouping, silo, touchpoint,
the channels answers came through), plus dates for a custom window and for the period to compare
with. The form sends ``since=custom`` with ``start`` (and ``until``) for a custom window; they
become ``since``/``until``, the names the report options, links and exports use, so a custom
window survives every click. A preset period from the form means "up to today" (``until`` dropped).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from sanic.request import Request

from analytics.report import GROUPINGS
from bot.errors import UsageError
from bot.period_syntax import parse_length
from bot.taxonomy import UNATTRIBUTED, Taxonomy

FILTER_KEYS = ("since", "until", "compare", "by", "silo", "touchpoint", "channel", "tz")
PERIODS = (("7d", "Last 7 days"), ("30d", "Last 30 days"), ("90d", "Last 90 days"), ("12m", "Last 12 months"))
REPORT_EXPORTS = ("csv", "json", "html")
RAW_EXPORTS = ("csv", "json")


CUSTOM = "custom"
MAX_PAGE = 10_000  # a bound, so a huge page number is a clear 400, not an overflow in the database


def page_number(request: Request) -> int:
    """The ``page`` of a list (1 when absent); anything but a whole number from 1 to MAX_PAGE is refused."""
    raw = (request.args.get("page") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise UsageError(f"page must be a number from 1 to {MAX_PAGE:,} (got '{raw}')")
    return int(raw)


def options_dict(request: Request) -> dict[str, str]:
    """The filters in the query string, blanks dropped, the form's custom window turned into since/until."""
    values = {k: v for k in FILTER_KEYS if (v := (request.args.get(k) or "").strip())}
    if "start" in request.get_args(keep_blank_values=True):  # sent by the form, maybe blank
        if values.get("since") == CUSTOM:
            values["since"] = (request.args.get("start") or "").strip() or CUSTOM
        else:
            values.pop("until", None)
    return values


def query(values: dict[str, str]) -> str:
    return urlencode({k: v for k, v in values.items() if v})


def _select(name: str, label: str, choices: list[tuple[str, str]], current: str | None) -> str:
    options = "".join(f'<option value="{escape(v)}"{" selected" if v == (current or "") else ""}>{escape(t)}</option>'
                      for v, t in choices)
    return f'<label>{escape(label)}<select name="{name}">{options}</select></label>'


def _date(name: str, label: str, value: str, title: str) -> str:
    return (f'<label title="{escape(title)}">{escape(label)}<input type="date" name="{name}" '
            f'value="{escape(value)}"></label>')


def filter_form(taxonomy: Taxonomy, channels: list[str], values: dict[str, str], compared: str | None) -> str:
    """The filter form, the export links for what is shown, and which period the changes compare with."""
    since = values.get("since", "30d")
    custom = not parse_length(since)
    periods = [*PERIODS, *([] if custom or since in dict(PERIODS) else [(since, since)]), (CUSTOM, "custom dates:")]
    channel = (values.get("channel") or "").lower()
    channel_choices = [("", "all channels")] + [(c, c) for c in channels] + (
        [(channel, channel)] if channel and channel not in channels else [])
    fields = [
        _select("since", "Period", periods, CUSTOM if custom else since),
        _date("start", "from", since if custom and since != CUSTOM else "", "the first day of a custom period"),
        _date("until", "to", values.get("until", "") if custom else "", "the last day (inclusive); empty: today"),
        _date("compare", "compare with the period from", values.get("compare", ""),
              "where the comparison period of the same length starts; empty: the period just before"),
        _select("by", "Group by", [(g, g.replace("_", " ")) for g in GROUPINGS], values.get("by", "silo")),
        _select("silo", "Silo", [("", "all silos")] + [(s, s.replace("_", " ")) for s in
                                                          [*taxonomy.silos, UNATTRIBUTED]], values.get("silo")),
        _select("touchpoint", "Touchpoint", [("", "all touchpoints")] + [(t, t) for t in taxonomy.touchpoints],
                values.get("touchpoint")),
        _select("channel", "Channel", channel_choices, channel),
        '<button type="submit">Apply</button>',
    ]
    shown = escape(query(values))
    report = " · ".join(f'<a class="export" href="/dashboard/export/{fmt}?{shown}">{fmt.upper()}</a>'
                        for fmt in REPORT_EXPORTS)
    raw = " · ".join(f'<a class="export-raw" href="/dashboard/export/responses/{fmt}?{shown}">{fmt.upper()}</a>'
                     for fmt in RAW_EXPORTS)
    comparison = f" Changes compare with {escape(compared)}." if compared else ""
    return (f'<section><form class="filters" method="get" action="/dashboard">{"".join(fields)}</form>'
            f'<p class="muted" id="exports">Export the report shown: {report} · the responses behind it: {raw}.'
            f"{comparison}</p></section>")

"""Every friction metric, defined once: the SQL sums, the numbers derived from them, and their changes.

The database returns only additive sums per group and time bucket (``Sums``); everything a
manager reads is derived from those sums in Python. Additive sums can be merged across buckets
(hours into days, days into weeks, weeks into the whole window) without reading a row twice,
which is what keeps the report to one pass over the responses table.

Definitions (all over the responses in the window and the filter):

- **volume**: number of responses.
- **mean satisfaction**: mean of the 1–5 score; **share dissatisfied**: share of scores at or
  below ``dissatisfied_at_or_below`` (default 2, i.e. 1–2).
- **mean effort**: mean of the 1–7 effort answer (7 = very easy); **share high effort**: share of
  efforts at or below ``high_effort_at_or_below`` (default 3).
- **share negative**: share of analysed open answers whose sentiment label is ``negative``.
- **repeat-contact rate**: share of answers with ``contact_count`` > 1 (the customer had to come back).
- **NPS** (Net Promoter Score, −100…100, only where the optional 0–10 "would you recommend us?" question
  was asked: ``conversation.ask_nps``): 100 × (share of 9–10 − share of 0–6). Not part of the friction index.
- Each share's denominator is the responses that answered that question; a skipped question
  neither helps nor hurts.

**Friction index** (0–100)::

    friction = 100 × Σ wₖ·pₖ / Σ wₖ     over k ∈ {dissatisfied, high effort, negative, repeat}

where pₖ are the four shares above and wₖ the weights in ``siloscope.yml`` (default 0.4, 0.2,
0.2, 0.2); a component with no answers drops out of both sums. 0 means no customer reported any
friction; 100 means every customer was dissatisfied, worked hard, complained and had to come back.
Why this shape: shares are bounded, comparable across silos of any size and readable on their
own ("34 % dissatisfied"); a weighted mean of them stays on the same 0–100 scale, and
dissatisfaction weighs most because it is the answer every customer gives. Effort and repeat
contact are the classic "customer effort" signals, sentiment catches what scores hide.

**Changes** compare the window with the previous window of the same length. Shares use the
Newcombe interval for a difference of two proportions (built from Wilson intervals); means use
Welch's normal interval from the sums of squares; the friction index uses a normal interval with
the components' binomial variances (treated as independent, so it is an approximation). A change
is *significant* only when both windows have at least ``min_sample`` answers and the interval
excludes zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.sql.elements import Label
from sqlalchemy.sql.schema import Table

from bot.settings.sections import MetricSettings  # the analytics section of siloscope.yml, read by bot.settings

SHARES = ("dissatisfied_share", "high_effort_share", "negative_share", "repeat_rate")
# The order in which every renderer shows the metrics, with the label managers read.
METRIC_LABELS: dict[str, str] = {
    "volume": "Responses",
    "friction_index": "Friction index",
    "mean_score": "Mean satisfaction (1–5)",
    "dissatisfied_share": "Dissatisfied (1–2)",
    "mean_effort": "Mean effort (7 = easy)",
    "high_effort_share": "High effort",
    "negative_share": "Negative sentiment",
    "repeat_rate": "Repeat contact",
    "nps": "NPS (−100…100)",
}
# Shown only when answers exist: a question a company may never ask (conversation.ask_nps).
OPTIONAL_METRICS = ("nps",)
PROMOTER_AT_LEAST, DETRACTOR_AT_MOST = 9, 6


@dataclass
class Sums:
    """Additive sums for one group: what the database returns, mergeable across time buckets."""

    n: int = 0
    score_n: int = 0
    score_sum: float = 0
    score_sq: float = 0
    dissatisfied: int = 0
    effort_n: int = 0
    effort_sum: float = 0
    effort_sq: float = 0
    high_effort: int = 0
    sentiment_n: int = 0
    negative: int = 0
    contact_n: int = 0
    repeat: int = 0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0


SUM_FIELDS = tuple(f.name for f in fields(Sums))


def sum_columns(table: Table, settings: MetricSettings) -> list[Label]:
    """The SELECT list that fills ``Sums``; names match its fields."""
    score, effort = table.c.score, table.c.effort
    contacts, label, nps = table.c.contact_count, table.c.sentiment_label, table.c.nps

    def flag(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return [
        func.count().label("n"),
        func.count(score).label("score_n"),
        func.sum(score).label("score_sum"),
        func.sum(score * score).label("score_sq"),
        flag(score <= settings.dissatisfied_at_or_below).label("dissatisfied"),
        func.count(effort).label("effort_n"),
        func.sum(effort).label("effort_sum"),
        func.sum(effort * effort).label("effort_sq"),
        flag(effort <= settings.high_effort_at_or_below).label("high_effort"),
        func.count(label).label("sentiment_n"),
        flag(label == "negative").label("negative"),
        func.count(contacts).label("contact_n"),
        flag(contacts > 1).label("repeat"),
        func.count(nps).label("nps_n"),
        flag(nps >= PROMOTER_AT_LEAST).label("promoters"),
        flag(nps <= DETRACTOR_AT_MOST).label("detractors"),
    ]


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def shares(s: Sums) -> dict[str, tuple[int, int]]:
    """Each share as (successes, answers), the form the interval formulas need."""
    return {
        "dissatisfied_share": (s.dissatisfied, s.score_n),
        "high_effort_share": (s.high_effort, s.effort_n),
        "negative_share": (s.negative, s.sentiment_n),
        "repeat_rate": (s.repeat, s.contact_n),
    }


def friction_index(s: Sums, settings: MetricSettings) -> float | None:
    parts = shares(s)
    used = [(w, k / n) for name, w in settings.weights if (n := parts[name][1]) for k in (parts[name][0],)]
    total = sum(w for w, _ in used)
    return 100 * sum(w * p for w, p in used) / total if total else None


def _friction_variance(s: Sums, settings: MetricSettings) -> float | None:
    parts = shares(s)
    used = [(w, k, n) for name, w in settings.weights if (n := parts[name][1]) for k in (parts[name][0],)]
    total = sum(w for w, _, _ in used)
    if not total:
        return None
    return sum((100 * w / total) ** 2 * (k / n) * (1 - k / n) / n for w, k, n in used)


def net_promoter_score(s: Sums) -> float | None:
    return 100 * (s.promoters - s.detractors) / s.nps_n if s.nps_n else None


def _nps_variance(s: Sums) -> float:
    """Variance of the NPS estimate: each answer scores +100, 0 or −100."""
    if s.nps_n < 2:
        return math.inf
    p, d = s.promoters / s.nps_n, s.detractors / s.nps_n
    return 100 * 100 * ((p + d) - (p - d) ** 2) / s.nps_n


def derive(s: Sums, settings: MetricSettings) -> dict[str, float | int | None]:
    """The numbers a manager reads, from the sums."""
    result: dict[str, float | int | None] = {
        "volume": s.n,
        "friction_index": friction_index(s, settings),
        "mean_score": _ratio(s.score_sum, s.score_n),
        "mean_effort": _ratio(s.effort_sum, s.effort_n),
        "nps": net_promoter_score(s),
    }
    for name, (k, n) in shares(s).items():
        result[name] = _ratio(k, n)
    return {name: result[name] for name in METRIC_LABELS}


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval for a proportion: honest at small n and near 0 or 1, unlike p ± z·se."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe(k1: int, n1: int, k0: int, n0: int, z: float) -> tuple[float, float]:
    """Interval for p1 − p0 (Newcombe's hybrid score method, from the two Wilson intervals)."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, z)
    l0, u0 = wilson(k0, n0, z)
    delta = p1 - p0
    low = delta - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = delta + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return (low, high)


def _mean_variance(total: float, squares: float, n: int) -> float:
    """Sample variance of the mean from the sum and the sum of squares."""
    if n < 2:
        return math.inf
    variance = max(0.0, (squares - total * total / n) / (n - 1))
    return variance / n


@dataclass(frozen=True)
class Change:
    """One metric now against the previous window, with its interval."""

    metric: str
    current: float | None
    previous: float | None
    delta: float | None
    low: float | None
    high: float | None
    significant: bool

    @property
    def direction(self) -> str:
        if not self.significant or self.delta is None:
            return ""
        return "up" if self.delta > 0 else "down"


def changes(current: Sums, previous: Sums, settings: MetricSettings) -> dict[str, Change]:
    """Changes of every metric; ``significant`` only when the interval excludes zero on enough answers."""
    z = settings.z
    now, before = derive(current, settings), derive(previous, settings)
    result: dict[str, Change] = {}

    def put(name: str, interval: tuple[float, float] | None, enough: bool) -> None:
        a, b = now[name], before[name]
        delta = a - b if a is not None and b is not None else None
        low, high = interval if (interval and delta is not None) else (None, None)
        significant = bool(enough and low is not None and high is not None and (low > 0 or high < 0))
        result[name] = Change(name, a, b, delta, low, high, significant)

    put("volume", None, False)
    cur_shares, prev_shares = shares(current), shares(previous)
    for name in SHARES:
        (k1, n1), (k0, n0) = cur_shares[name], prev_shares[name]
        enough = min(n1, n0) >= settings.min_sample
        put(name, newcombe(k1, n1, k0, n0, z) if n1 and n0 else None, enough)
    for name, (t1, q1, n1), (t0, q0, n0) in (
        ("mean_score", (current.score_sum, current.score_sq, current.score_n),
         (previous.score_sum, previous.score_sq, previous.score_n)),
        ("mean_effort", (current.effort_sum, current.effort_sq, current.effort_n),
         (previous.effort_sum, previous.effort_sq, previous.effort_n)),
    ):
        enough = min(n1, n0) >= settings.min_sample
        interval = None
        if n1 >= 2 and n0 >= 2:
            se = math.sqrt(_mean_variance(t1, q1, n1) + _mean_variance(t0, q0, n0))
            d = t1 / n1 - t0 / n0
            interval = (d - z * se, d + z * se)
        put(name, interval, enough)
    nps_interval = None
    if current.nps_n >= 2 and previous.nps_n >= 2 and now["nps"] is not None and before["nps"] is not None:
        d, se = now["nps"] - before["nps"], math.sqrt(_nps_variance(current) + _nps_variance(previous))
        nps_interval = (d - z * se, d + z * se)
    put("nps", nps_interval, min(current.nps_n, previous.nps_n) >= settings.min_sample)
    v1, v0 = _friction_variance(current, settings), _friction_variance(previous, settings)
    interval = None
    if v1 is not None and v0 is not None and now["friction_index"] is not None and before["friction_index"] is not None:
        d = now["friction_index"] - before["friction_index"]
        se = math.sqrt(v1 + v0)
        interval = (d - z * se, d + z * se)
    enough = min(current.score_n, previous.score_n) >= settings.min_sample
    put("friction_index", interval, enough)
    return {name: result[name] for name in METRIC_LABELS}

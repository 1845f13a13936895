"""Purchase cycles: which of a customer's touchpoints belong to the same walk through the departments.

A cycle is one order's touchpoints, numbered 1, 2, ... per customer in the order first seen
("back to Go" at the next purchase). A touchpoint without an order (a support chat, a website
visit) joins the cycle of the touchpoint with an order nearest before it, unless it comes more
than ``gap`` after the customer's previous touchpoint: then it opens a new cycle, which the next
new order then completes (the question before the purchase belongs to that purchase). One rule,
used by the timeline, the journey analytics and ``report --by cycle``, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta


def number_cycles(touches: Iterable[tuple[datetime, str | None]], gap: timedelta) -> list[int]:
    """The cycle of each touch ``(at, order_id)``; the touches of one customer, oldest first."""
    cycles: list[int] = []
    order_cycle: dict[str, int] = {}
    count = 0
    last_at: datetime | None = None
    nearest_order: int | None = None  # the cycle of the nearest touch with an order before this one
    open_cycle: int | None = None  # a cycle opened by a touch without an order, waiting for its order
    for at, order in touches:
        after_gap = last_at is None or at - last_at > gap
        if order:
            cycle = order_cycle.get(order)
            if cycle is None:
                if open_cycle is not None and not after_gap:
                    cycle, open_cycle = open_cycle, None
                else:
                    count += 1
                    cycle = count
                order_cycle[order] = cycle
            nearest_order = cycle
        elif after_gap:
            count += 1
            cycle = open_cycle = count
            nearest_order = None
        else:
            cycle = nearest_order if nearest_order is not None else (open_cycle or count)
        cycles.append(cycle)
        last_at = at
    return cycles


def cycle_label(cycle: int) -> str:
    """How a report groups cycles: the first walk against every walk after it."""
    return "first" if cycle == 1 else "repeat"

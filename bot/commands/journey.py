"""``siloscope journey REF [--json]``: one customer's walk through the departments, cycle by cycle.

The table is for a person at a terminal (one table per purchase cycle, at most 100 columns);
``--json`` is for scripts: ``customer_ref``, ``cycles`` and ``steps`` (each with ``at``,
``touchpoint``, ``cycle``, ``score``, ``primary_silo``, ...). An unknown, erased or opted-out
customer is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import RenderableType

from analytics.journey import Journey, Step, customer_journey
from bot.settings import get_settings
from bot.store.db import engine_for
from bot.terminal import render, table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Every touchpoint, answer, department blamed and hand-off of one customer, in time order."
    parser.add_argument("ref", help="the customer reference the company uses (as in webhooks), e.g. C-42")
    parser.add_argument("--json", action="store_true", help="print the journey as JSON instead of tables")
    parser.set_defaults(handler=handle)


def _cell(value: object) -> str:
    return "–" if value is None else str(value)


def _row(step: Step) -> list[str]:
    blamed = ", ".join(silo.replace("_", " ") for silo in step.silos or filter(None, [step.primary_silo]))
    status = "asked for a person" if step.human_requested else step.status
    return [step.at.strftime("%Y-%m-%d"), _cell(step.touchpoint), _cell(step.order_id), _cell(step.score),
            _cell(step.effort), _cell(step.contact_count), _cell(blamed or None), status,
            _cell(step.response_id)]


def print_tables(journey: Journey) -> None:
    """One table per cycle, then its hand-offs and what the customer said (too long for a column)."""
    parts: list[RenderableType] = [f"Customer {journey.customer_ref}: {len(journey.steps)} touchpoints in "
                                   f"{len(journey.cycles)} purchase cycle(s)"]
    for summary in journey.cycles:
        orders = ", ".join(summary.orders) or "no order"
        mean = "no score" if summary.mean_score is None else f"mean score {summary.mean_score}"
        steps = [s for s in journey.steps if s.cycle == summary.cycle]
        parts.append("")
        parts.append(table(["Date", "Touchpoint", "Order", "Score", "Effort", "Contacts", "Blamed", "Status",
                            "Resp."], [_row(s) for s in steps], numeric=(3, 4, 5, 8),
                           title=f"Cycle {summary.cycle} · {orders} · {summary.answered}/{summary.touchpoints} "
                                 f"answered · {mean}"))
        for step in steps:
            if step.handoffs:
                parts.append(f"  #{step.response_id} hand-off: {', '.join(step.handoffs)}")
            if step.text:
                parts.append(f"  #{step.response_id} {step.touchpoint or ''}: {step.text}")
    sys.stdout.write(render(*parts))


def handle(args: argparse.Namespace) -> int:
    settings = get_settings()
    journey = customer_journey(engine_for(settings.database_url), args.ref, settings.journey.cycle_gap_days)
    if args.json:
        json.dump(journey.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_tables(journey)
    return 0

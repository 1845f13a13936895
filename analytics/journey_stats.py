"""Journey analytics: what the walk through the departments does to customers, over all of them.

Read from the same steps and cycles as one customer's timeline (``analytics.journey.load_steps``):

- **stages**: each department (the owner of the touchpoint, silos.yml) at the place customers
  usually meet it in a cycle (mean position of its first touchpoint), with its answers' scores;
- **first against repeat**: per department, the first purchase cycle against later ones;
- **drops**: consecutive answered touchpoints of one customer in one cycle, department A then B,
  with how many and the mean change of score (B minus A): the hand-offs that hurt;
- **drop-off**: after which department customers stop answering (their last answer, with later
  touchpoints unanswered) or stop buying (their last cycle ended there, ``gap`` ago or more);
- **repeat contact**: orders whose touchpoints met one department more than once;
- **people**: how many different people a customer dealt with on one touchpoint: the assignees
  and groups the ticket tool sent, else the contact count the customer gave.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import pairwise

from sqlalchemy.engine import Engine

from analytics.journey import Step, load_steps

UNKNOWN_DEPARTMENT = "unknown"


@dataclass
class Scores:
    """Answers and the sum of their scores; a mean and a dissatisfied share come from it."""

    answers: int = 0
    total: int = 0
    dissatisfied: int = 0

    def add(self, score: int, dissatisfied_at_or_below: int) -> None:
        self.answers += 1
        self.total += score
        self.dissatisfied += score <= dissatisfied_at_or_below

    @property
    def mean(self) -> float | None:
        return round(self.total / self.answers, 2) if self.answers else None

    @property
    def dissatisfied_share(self) -> float | None:
        return round(self.dissatisfied / self.answers, 3) if self.answers else None


@dataclass(frozen=True)
class Stage:
    department: str
    position: float  # mean place of its first touchpoint in a cycle (1 = where cycles start)
    cycles: int
    scores: Scores


@dataclass(frozen=True)
class Comparison:
    department: str
    first: Scores
    repeat: Scores

    @property
    def change(self) -> float | None:
        if self.first.mean is None or self.repeat.mean is None:
            return None
        return round(self.repeat.mean - self.first.mean, 2)


@dataclass(frozen=True)
class Drop:
    from_department: str
    to_department: str
    count: int
    mean_change: float


@dataclass(frozen=True)
class DropOff:
    department: str
    stopped_answering: int
    stopped_buying: int


@dataclass(frozen=True)
class People:
    department: str
    steps: int
    mean: float
    three_or_more: int
    from_tool: int


@dataclass
class JourneyStats:
    customers: int = 0
    cycles: int = 0
    orders: int = 0
    orders_with_repeat_contact: int = 0
    stages: list[Stage] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)
    drop_offs: list[DropOff] = field(default_factory=list)
    repeat_contact: dict[str, int] = field(default_factory=dict)  # department: orders that met it twice or more
    people: list[People] = field(default_factory=list)


def _department(step: Step) -> str:
    return step.department or UNKNOWN_DEPARTMENT


def journey_stats(engine: Engine, gap_days: int, *, dissatisfied_at_or_below: int = 2,
                  now: datetime | None = None) -> JourneyStats:
    """Every journey figure of the page, in one pass over every customer's steps."""
    gap = timedelta(days=gap_days)
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)  # the store keeps naive UTC
    with engine.connect() as connection:
        journeys = load_steps(connection, gap)
    stats = JourneyStats(customers=len(journeys))
    positions: dict[str, list[int]] = defaultdict(list)
    stage_scores: dict[str, Scores] = defaultdict(Scores)
    by_cycle: dict[str, tuple[Scores, Scores]] = defaultdict(lambda: (Scores(), Scores()))
    drops: dict[tuple[str, str], list[int]] = defaultdict(list)
    stopped_answering: Counter[str] = Counter()
    stopped_buying: Counter[str] = Counter()
    order_departments: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    people: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for customer, steps in journeys.items():
        cycles: dict[int, list[Step]] = defaultdict(list)
        for step in steps:
            cycles[step.cycle].append(step)
            department = _department(step)
            if step.order_id:
                order_departments[(customer, step.order_id)][department] += 1
            if step.score is not None:
                stage_scores[department].add(step.score, dissatisfied_at_or_below)
                by_cycle[department][0 if step.cycle == 1 else 1].add(step.score, dissatisfied_at_or_below)
                met = step.people if step.people is not None else step.contact_count
                if met is not None:
                    people[department].append((met, step.people is not None))
        stats.cycles += len(cycles)
        for members in cycles.values():
            seen: list[str] = []
            for step in members:
                if _department(step) not in seen:
                    seen.append(_department(step))
            for place, department in enumerate(seen, start=1):
                positions[department].append(place)
            answered = [s for s in members if s.score is not None]
            for before, after in pairwise(answered):
                if _department(before) != _department(after):
                    drops[(_department(before), _department(after))].append(after.score - before.score)  # type: ignore[operator]
        answered = [s for s in steps if s.score is not None]
        if answered and steps[-1] is not answered[-1]:
            stopped_answering[_department(answered[-1])] += 1
        if now - steps[-1].at >= gap:
            stopped_buying[_department(steps[-1])] += 1
    stats.stages = sorted((Stage(d, round(sum(p) / len(p), 2), len(p), stage_scores[d]) for d, p in positions.items()),
                          key=lambda s: (s.position, s.department))
    order = {s.department: i for i, s in enumerate(stats.stages)}
    stats.comparisons = [Comparison(d, first, repeat) for d, (first, repeat) in
                         sorted(by_cycle.items(), key=lambda item: order.get(item[0], len(order)))]
    stats.drops = sorted((Drop(a, b, len(changes), round(sum(changes) / len(changes), 2))
                          for (a, b), changes in drops.items()),
                         key=lambda d: (d.count * d.mean_change, d.from_department))
    stats.drop_offs = [DropOff(s.department, stopped_answering[s.department], stopped_buying[s.department])
                       for s in stats.stages if stopped_answering[s.department] or stopped_buying[s.department]]
    stats.orders = len(order_departments)
    repeated: Counter[str] = Counter()
    for counts in order_departments.values():
        twice = [d for d, n in counts.items() if n > 1]
        stats.orders_with_repeat_contact += bool(twice)
        repeated.update(twice)
    stats.repeat_contact = dict(repeated.most_common())
    stats.people = [People(d, len(met), round(sum(n for n, _ in met) / len(met), 2), sum(n >= 3 for n, _ in met),
                           sum(tool for _, tool in met)) for d, met in sorted(people.items(),
                                                                               key=lambda i: order.get(i[0], 99))]
    return stats

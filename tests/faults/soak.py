"""``make soak``: many customers answer surveys while Rasa and the action server are killed and the database goes away.

A longer, bounded run of the fault suite (``--customers``, ``--rounds``, ``--max-minutes``; every
server on 127.0.0.1, free ports, a scratch database): customers answer in parallel through the
REST door; meanwhile each round kills -9 Rasa, kills -9 the action server and takes the database
away for ``--outage-seconds``. A customer sends an answer again only when it was visibly not taken
(connection refused, 503 ``not_taken``, or "send it again"); any other unexpected reply ends that
customer as *stuck*. Afterwards every accepted answer must be in the database exactly once, each
finished survey one complete response. Prints answers sent / accepted / stored / lost / duplicated
and recovery times; exits 1 when anything was lost, duplicated or stuck.

SQLite (default): the feedback database is a folder that is renamed away (an unmounted volume),
Rasa's tracker store a separate file, so answers are spooled during the outage and reach the
database by the background replay. ``--postgres``: feedback and tracker store on one PostgreSQL
server (stopped, then started), locks on Redis, so Rasa refuses the turns of the outage.

Run: ``python -m tests.faults.soak --customers 40 --rounds 2`` (``make soak``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.store.db import engine_for
from tests.faults.restarts import FaultStack, running_fault_stack, stored_for, texts
from tests.support import migrated
from tests.support.servers import PostgresServer, RedisServer

SEND_AGAIN = "send it again"
TOUCHPOINT = "delivery"


@dataclass(frozen=True)
class Step:
    text: str
    expect: str  # a word of the bot's next question: proof the answer was taken
    field: str | None = None
    value: object = None


def steps_of(number: int) -> list[Step]:
    """One customer's answers, distinct per customer, with the question each one leads to."""
    score, effort, contacts = 1 + number % 2, 1 + number % 5, 2 + number % 4
    text = f"Parcel {number} arrived a week late and crushed."
    probe = f"Keep the promised date for parcel {number}."
    return [
        Step(str(score), "wrong", "score", score),
        Step(text, "differently", "text", text),
        Step(probe, "easy", "probe_text", probe),
        Step(str(effort), "first time", "effort", effort),
        Step("no", "how many"),
        Step(str(contacts), "thank", "contact_count", contacts),
    ]


@dataclass
class Customer:
    number: int
    ref: str = ""
    sender: str = ""
    accepted: list[Step] = field(default_factory=list)
    sent: int = 0
    resent: int = 0
    started: bool = False
    finished: bool = False
    stuck: str | None = None

    def __post_init__(self) -> None:
        self.ref = f"C-SOAK-{self.number:04d}"
        self.sender = f"soak-{self.number:04d}-{uuid.uuid4().hex[:6]}"


@dataclass
class Run:
    stack: FaultStack
    deadline: float
    recoveries: dict[str, list[float]] = field(default_factory=dict)
    outages: list[float] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def send(self, customer: Customer, text: str, metadata: dict | None = None) -> list[dict] | None:
        """One message; None when it was visibly not taken (the customer sends it again)."""
        customer.sent += 1
        body: dict = {"sender": customer.sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        try:
            reply = requests.post(f"{self.stack.config.rasa_url}/webhooks/rest/webhook", json=body, timeout=180)
        except requests.RequestException:
            return None  # Rasa is down or was killed mid-turn
        if reply.status_code == 503:
            return None
        reply.raise_for_status()
        messages = reply.json()
        return None if SEND_AGAIN in texts(messages) else messages

    def answer(self, customer: Customer, text: str, expect: str, metadata: dict | None = None) -> bool:
        """Send until taken (or the run's time is up); False when the customer is stuck."""
        first = True
        while time.monotonic() < self.deadline:
            if not first:
                customer.resent += 1
                time.sleep(1)
            first = False
            messages = self.send(customer, text, metadata)
            if messages is None:
                continue
            if expect in texts(messages):
                return True
            customer.stuck = f"after {text!r} expected {expect!r}, got {texts(messages)[:160]!r}"
            return False
        customer.stuck = f"time is up before {text!r} was taken"
        return False

    def survey(self, customer: Customer) -> None:
        token = self.stack.signed_context(TOUCHPOINT, customer.ref, order_id=f"S-{customer.number:04d}")
        if not self.answer(customer, "/touchpoint_completed", "satisfied", {"siloscope_context": token}):
            return
        customer.started = True
        for step in steps_of(customer.number):
            if not self.answer(customer, step.text, step.expect):
                return
            customer.accepted.append(step)
        customer.finished = True


def timed(what: Callable[[], None]) -> float:
    began = time.monotonic()
    what()
    return time.monotonic() - began


def inject_faults(run: Run, rounds: int, pause: float, outage: float, down: Callable[[], None],
                  up: Callable[[], None]) -> None:
    """kill -9 Rasa, kill -9 the action server, take the database away: ``rounds`` times, while customers answer."""
    for _ in range(rounds):
        for name in ("rasa", "actions"):
            if run.done.wait(pause):
                return
            run.recoveries.setdefault(name, []).append(run.stack.kill_and_time_restart(name))
        if run.done.wait(pause):
            return
        down()
        time.sleep(outage)
        run.outages.append(outage + timed(up))


@contextmanager
def soak_stack(base: Path, postgres: bool) -> Iterator[tuple[FaultStack, Callable[[], None], Callable[[], None]]]:
    """The stack, and how to take its database away and bring it back."""
    with ExitStack() as cleanup:
        if postgres:
            pg_base = Path(tempfile.mkdtemp(prefix="siloscope-soak-pg-"))  # one the postgres user may enter
            cleanup.callback(shutil.rmtree, pg_base, ignore_errors=True)
            server = PostgresServer(pg_base)
            cleanup.callback(server.close)
            redis = RedisServer(base / "redis")
            cleanup.callback(redis.close)
            env = {"DATABASE_URL": migrated(server.create_database("soak")),
                   "SILOSCOPE_TRACKER_STORE_URL": server.create_database("tracker"),
                   "SILOSCOPE_LOCK_STORE_URL": redis.url}  # fmt: skip
            down, up = (lambda: server.stop("immediate")), server.start
        else:
            volume = base / "volume"
            (base / "rasa").mkdir()
            env = {"DATABASE_URL": migrated(f"sqlite:///{volume / 'siloscope.db'}"),
                   "SILOSCOPE_TRACKER_STORE_URL": f"sqlite:///{base / 'rasa' / 'tracker.db'}"}  # fmt: skip
            away = volume.with_name("volume.away")
            down, up = (lambda: volume.rename(away)), (lambda: away.rename(volume))
        var = base / "var"
        var.mkdir()
        stack = cleanup.enter_context(running_fault_stack(var, SILOSCOPE_SPOOL_REPLAY_SECONDS="3", **env))
        yield stack, down, up


@dataclass(frozen=True)
class Tally:
    customers: int
    finished: int
    stuck: int
    sent: int
    resent: int
    accepted: int
    stored: int
    lost: int
    duplicated: int


def check(stack: FaultStack, customers: list[Customer]) -> Tally:
    """Every accepted answer stored once; a finished survey is one complete response with its context."""
    stored = lost = duplicated = 0
    for customer in customers:
        if not customer.started:
            continue
        found = stored_for(stack.database_url, customer.ref, customer.sender)
        duplicated += max(0, len(found.conversations) - 1) + max(0, len(found.responses) - 1)
        response = found.responses[0] if found.responses else None
        for step in customer.accepted:
            if step.field is None:
                continue
            if response is not None and getattr(response, step.field) == step.value:
                stored += 1
            else:
                lost += 1
        if customer.finished and (response is None or response.status != "complete"):
            lost += 1  # the end of the survey was taken but not kept
        if found.conversations and (found.conversations[0].touchpoint, found.conversations[0].order_id) != (
                TOUCHPOINT, f"S-{customer.number:04d}"):
            lost += 1  # the context of the survey went missing
    return Tally(
        customers=len(customers), finished=sum(c.finished for c in customers),
        stuck=sum(c.stuck is not None for c in customers), sent=sum(c.sent for c in customers),
        resent=sum(c.resent for c in customers),
        accepted=sum(1 for c in customers for s in c.accepted if s.field), stored=stored, lost=lost,
        duplicated=duplicated,
    )  # fmt: skip


def spool_empty(stack: FaultStack) -> bool:
    path = stack.var / "spool" / "feedback.jsonl"
    return not path.exists() or path.stat().st_size == 0


def summary(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    return f"{len(seconds)}x, median {statistics.median(seconds):.1f}s, max {max(seconds):.1f}s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--parallel", type=int, default=6, help="customers answering at the same time")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of kill -9 Rasa, kill -9 actions, outage")
    parser.add_argument("--pause", type=float, default=15.0, help="seconds between two faults")
    parser.add_argument("--outage-seconds", type=float, default=12.0)
    parser.add_argument("--max-minutes", type=float, default=30.0, help="the whole run stops after this")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL feedback and tracker store, Redis locks")
    args = parser.parse_args(argv)
    if not (1 <= args.customers <= 2000 and 1 <= args.parallel <= 50 and 0 <= args.rounds <= 20
            and args.max_minutes > 0 and args.outage_seconds >= 0 and args.pause >= 0):
        parser.error("--customers 1..2000, --parallel 1..50, --rounds 0..20, positive times")

    began = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="siloscope-soak-"))
    try:
        with soak_stack(base, args.postgres) as (stack, down, up):
            started = time.monotonic()
            run = Run(stack, deadline=began + args.max_minutes * 60)
            customers = [Customer(number) for number in range(args.customers)]
            faults = threading.Thread(
                target=inject_faults, args=(run, args.rounds, args.pause, args.outage_seconds, down, up), daemon=True
            )
            faults.start()
            with ThreadPoolExecutor(args.parallel) as pool:
                list(pool.map(run.survey, customers))
            run.done.set()
            faults.join(timeout=max(1.0, run.deadline - time.monotonic() + 300))
            answered = time.monotonic() - started
            drain_began = time.monotonic()
            while not spool_empty(stack) and time.monotonic() < run.deadline + 120:
                time.sleep(0.5)
            drained = time.monotonic() - drain_began
            engine_for.cache_clear()
            tally = check(stack, customers)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    store = "PostgreSQL + Redis" if args.postgres else "SQLite (spool during outages)"
    print(f"\n[soak] {store}: {tally.customers} customers ({args.parallel} at a time), {args.rounds} rounds of "
          f"kill -9 Rasa, kill -9 action server, database away {args.outage_seconds:.0f}s; {answered:.0f}s")
    print(f"[soak] messages sent {tally.sent} (sent again {tally.resent}); answers accepted {tally.accepted}, "
          f"stored {tally.stored}, lost {tally.lost}, duplicated {tally.duplicated}; surveys finished "
          f"{tally.finished}, stuck {tally.stuck}")
    print(f"[soak] recovery: Rasa back {summary(run.recoveries.get('rasa', []))}; action server back "
          f"{summary(run.recoveries.get('actions', []))}; database away {summary(run.outages)}; spool empty "
          f"{drained:.1f}s after the last answer")
    for customer in customers:
        if customer.stuck:
            print(f"[soak] stuck {customer.ref}: {customer.stuck}")
    return 0 if (tally.lost, tally.duplicated, tally.stuck) == (0, 0, 0) and tally.finished == tally.customers else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Realistic synthetic feedback, so a newcomer (and the benchmark) sees a full report at once.

What the generator models, and why (documented in the README, "Friction reports"):

- **Time**: responses spread over the last ``days`` days, fewer at weekends and at night, as real
  touchpoints follow office hours.
- **Touchpoints and channels**: touchpoints come from the customers' walks (below; delivery and
  orders are met most), channels are weighted (web chat and e-mail are the main ones), and each
  response keeps the touchpoint's owning silo from ``silos.yml``.
- **Where it hurts**: every silo has its own friction level, and two silos drift over the period
  (delivery gets worse, finance gets better) so trends and significant changes are visible.
  About a quarter of complaints blame a silo other than the one that sent the survey, which is
  exactly the cross-silo friction Siloscope exists to show.
- **Hand-offs**: one complaint in eight names two silos ("sales promised X, finance charged Y");
  those get two attribution rows (rank 1 and 2) and a hand-off row.
- **Answers**: score 1–5, effort 1–7 (7 = very easy) and contact count follow the satisfaction
  drawn for the response, open text is built from per-silo phrases, and the sentiment and
  attribution columns are filled as the analysis would fill them (label, score, confidence,
  evidence). Some answers have no text (unattributed), as in real surveys.

- **Journeys**: customers walk through the departments in the order of ``WALK`` (the website,
  a purchase or an order, sometimes a contract, the delivery, the invoice, support, the product),
  one order per walk, a few days between touchpoints, and come back for a repeat purchase
  (``REPEAT``). In repeat cycles delivery, order management and customer service hurt less
  (``EASIER_WHEN_REPEAT``: customers know the way), and support after a bad delivery keeps
  failing (the delivery → customer service hand-off), so customers come back to it about the
  same order (repeat contact). Some touchpoints go unanswered: they are
  stored as touchpoint events without a survey, so drop-off shows.

Rows are written through SQLAlchemy Core in bulk, in chunks, with ids allocated up front, so a
million rows take seconds and memory stays flat.
"""

from __future__ import annotations

import random
import secrets
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from bot.store.models import Attribution, Conversation, Customer, FeedbackResponse, Handoff, TouchpointEvent
from bot.taxonomy import UNATTRIBUTED, Taxonomy

CHUNK = 20_000

CHANNEL_WEIGHTS = {"web": 40, "email": 25, "sms": 12, "whatsapp": 13, "phone": 10}
# Share of dissatisfied customers per silo at the start of the period, and how it drifts by the end.
FRICTION = {
    "marketing": (0.12, 0.0), "sales": (0.22, 0.0), "order_management": (0.18, 0.0),
    "legal": (0.30, 0.0), "delivery": (0.28, 0.12), "finance": (0.34, -0.12),
    "customer_service": (0.26, 0.0), "product": (0.20, 0.0),
}
DEFAULT_FRICTION = (0.2, 0.0)

COMPLAINTS = {
    "marketing": ["the advert promised a discount that did not exist",
                  "I keep getting marketing emails I never asked for",
                  "the website said it was in stock but it was not", "the promo code never worked"],
    "sales": ["the sales rep promised free installation", "the quote was much higher than the price on the phone",
              "the salesperson pushed an upsell I did not need", "the offer I was promised was never honoured"],
    "order_management": ["my order was entered with the wrong address", "I never got an order confirmation",
                         "the checkout failed twice", "they sent the wrong item with my order"],
    "legal": ["the contract had a hidden cancellation fee", "they refused my warranty claim",
              "the small print changed the notice period", "the terms and conditions are impossible to read"],
    "delivery": ["the package arrived three days late", "the installer never showed up",
                 "the courier left the parcel in the rain", "the tracking number never worked"],
    "finance": ["I was charged twice this month", "the invoice does not match what I ordered",
                "my refund still has not arrived", "the direct debit was taken too early"],
    "customer_service": ["I was on hold for an hour", "the support agent was rude and hung up",
                         "nobody answered my ticket for a week", "I had to explain my problem to three agents"],
    "product": ["the device stopped working after a week", "the app crashes every time I open it",
                "the battery dies within hours", "the screen had a defect out of the box"],
}
PRAISE = {
    "marketing": "the newsletter was actually useful", "sales": "the sales rep gave honest advice",
    "order_management": "ordering was quick and clear", "legal": "the contract was short and fair",
    "delivery": "the delivery came on time and the driver was friendly",
    "finance": "the invoice was clear and correct", "customer_service": "the support agent solved it in one call",
    "product": "the product works great",
}
OPENERS_NEG = ["Really disappointed:", "Not happy.", "Frustrating experience,", "Terrible.", ""]
OPENERS_POS = ["Great,", "Thanks,", "Good experience:", ""]
HANDOFF_GLUE = ["and then", "and after that", "but then", "and on top of that"]
# The walk through the departments: each touchpoint with the chance that a cycle includes it.
WALK = (("website", 0.25), ("purchase", 0.6), ("order", 0.7), ("contract", 0.2), ("delivery", 0.85),
        ("support", 0.25), ("invoice", 0.7), ("product", 0.3))
SUPPORT_AGAIN = 0.5  # a customer support failed comes back about the same order (repeat contact), at most twice
SUPPORT_AFTER_BAD_DELIVERY = 0.8  # the customer calls support when the delivery was not right...
FAILING_HANDOFF = ("delivery", "customer_service", 0.9)  # ...and support mostly fails them too
REPEAT = (0.45, 20, 75)  # chance of another purchase after a cycle; days until it, from and to
EASIER_WHEN_REPEAT = {"delivery": -0.14, "order_management": -0.1, "customer_service": -0.1}
ANSWERED = 0.88  # the share of touchpoints whose survey gets an answer


@dataclass(frozen=True)
class SeedResult:
    rows: int
    first_response_id: int
    last_response_id: int
    run: str


class _Weighted:
    """A weighted choice with the cumulative weights computed once (it is drawn millions of times)."""

    def __init__(self, weights: dict[str, int]) -> None:
        self.names = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect(self.cumulative, rng.random() * self.total)]


def _created_at(rng: random.Random, start: datetime, days: int, latest: datetime) -> datetime:
    """A moment in the window, denser on weekdays and office hours, and never after ``latest`` (now)."""
    for _ in range(100):
        day = rng.randrange(days)
        moment = start + timedelta(days=day)
        if moment.weekday() >= 5 and rng.random() < 0.6:
            continue
        hour = min(23, max(0, int(rng.gauss(13, 4))))
        moment += timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
        if moment <= latest:
            return moment
    return latest - timedelta(seconds=rng.randrange(3600))  # a window of one early-morning day


def _sentiment(rng: random.Random, negative: bool) -> tuple[str, float]:
    if negative:
        score = round(-rng.uniform(0.15, 0.9), 3)
        return "negative", score
    score = round(rng.uniform(-0.05, 0.8), 3)
    return ("positive" if score > 0.1 else "neutral"), score


class _Generator:
    """Draws one response at a time; all randomness goes through one seeded ``random.Random``."""

    def __init__(self, taxonomy: Taxonomy, rows: int, days: int, seed: int, now: datetime) -> None:
        self.taxonomy = taxonomy
        self.rng = random.Random(seed)
        self.rows = rows
        self.days = max(1, days)
        self.now = now
        self.end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        self.start = self.end - timedelta(days=self.days)
        self.silos = list(taxonomy.silos)
        # A company that renamed its touchpoints still gets walks: its own, in silos.yml's order.
        self.walk = [(tp, chance) for tp, chance in WALK if tp in taxonomy.touchpoints] or [
            (tp, 0.5) for tp in taxonomy.touchpoints]
        self.channel_choice = _Weighted(CHANNEL_WEIGHTS)

    def response(self, touchpoint: str, created: datetime, *, repeat: bool = False,
                 after_bad_delivery: bool = False) -> dict:
        """One answer at ``touchpoint``; ``repeat``: in a repeat cycle; after a bad delivery, support fails often."""
        rng = self.rng
        owner = self.taxonomy.owner(touchpoint) or rng.choice(self.silos)
        progress = (created - self.start) / (self.end - self.start)
        blamed = owner if rng.random() < 0.75 else rng.choice(self.silos)
        base, drift = FRICTION.get(blamed, DEFAULT_FRICTION)
        chance = base + drift * progress + (EASIER_WHEN_REPEAT.get(blamed, 0.0) if repeat else 0.0)
        failing = after_bad_delivery and owner == FAILING_HANDOFF[1]
        if failing:
            blamed, chance = owner, FAILING_HANDOFF[2]
        unhappy = rng.random() < chance
        if unhappy:
            score = 1 if rng.random() < 0.45 else 2
            effort = rng.choice([1, 2, 2, 3, 3, 4])
            contacts = rng.choice([1, 2, 2, 3, 4])
        else:
            score = rng.choice([3, 4, 4, 5, 5, 5])
            effort = rng.choice([4, 5, 6, 6, 7, 7])
            contacts = 1 if rng.random() < 0.9 else 2
        has_text = rng.random() < (0.9 if unhappy else 0.45)
        row: dict = {
            "touchpoint": touchpoint, "touchpoint_silo": owner,
            "channel": self.channel_choice.draw(rng), "score": score,
            "effort": effort if rng.random() < 0.95 else None,
            "contact_count": contacts if rng.random() < 0.95 else None,
            "language": "en", "status": "complete", "created_at": created,
            "text": None, "sentiment_label": None, "sentiment_score": None, "polarity": None,
            "subjectivity": None, "primary_silo": UNATTRIBUTED, "primary_confidence": None,
            "attributions": [], "handoff": None,
        }
        if not has_text:
            return row
        complaining = unhappy or (score == 3 and rng.random() < 0.3)
        label, sentiment = _sentiment(rng, complaining)
        if complaining:
            phrase = rng.choice(COMPLAINTS.get(blamed, ["it went wrong"]))
            text_ = f"{rng.choice(OPENERS_NEG)} {phrase}".strip()
        else:
            phrase = PRAISE.get(blamed, "it went fine")
            text_ = f"{rng.choice(OPENERS_POS)} {phrase}".strip()
        silos = [(blamed, phrase)]
        if failing and unhappy:  # "the parcel never came, and then support passed me around"
            first, second = FAILING_HANDOFF[0], FAILING_HANDOFF[1]
            first_phrase = rng.choice(COMPLAINTS.get(first, ["it went wrong"]))
            second_phrase = rng.choice(COMPLAINTS.get(second, ["it went wrong"]))
            text_ = f"{rng.choice(OPENERS_NEG)} {first_phrase} {rng.choice(HANDOFF_GLUE)} {second_phrase}".strip()
            silos = [(second, second_phrase), (first, first_phrase)]
            row["handoff"] = (first, second, sentiment, f"{first_phrase} … {second_phrase}")
        elif complaining and rng.random() < 0.125:
            second = rng.choice([s for s in self.silos if s != blamed] or [blamed])
            second_phrase = rng.choice(COMPLAINTS.get(second, ["it went wrong"]))
            text_ = f"{text_} {rng.choice(HANDOFF_GLUE)} {second_phrase}"
            silos.append((second, second_phrase))
            row["handoff"] = (blamed, second, sentiment, f"{phrase} … {second_phrase}")
        text_ = text_[0].upper() + text_[1:] + "."
        confidence = round(rng.uniform(0.45, 0.95), 3)
        row.update(
            text=text_, sentiment_label=label, sentiment_score=sentiment, polarity=sentiment,
            subjectivity=round(rng.uniform(0.3, 0.9), 3), primary_silo=blamed, primary_confidence=confidence,
            attributions=[
                (rank, silo, confidence if rank == 1 else round(confidence * 0.8, 3), label, sentiment, evidence)
                for rank, (silo, evidence) in enumerate(silos, start=1)
            ],
        )
        return row


    def walks(self) -> Iterator[tuple[int, int, dict | None, str, datetime]]:
        """Customers walking through the departments, one touchpoint at a time, for ever.

        Yields (customer number, order number, the answer's row or None when unanswered, touchpoint,
        when); customer numbers only grow, so the caller writes each customer once.
        """
        rng = self.rng
        customer = order = 0
        while True:
            moment = _created_at(rng, self.start, self.days, self.now)
            repeat = False
            while moment <= self.now:
                order += 1
                bad_delivery = walked = False
                for touchpoint, chance in self.walk:
                    if touchpoint == "support" and bad_delivery:
                        chance = SUPPORT_AFTER_BAD_DELIVERY
                    if rng.random() >= chance:
                        continue
                    if walked:
                        moment += timedelta(hours=rng.uniform(12, 96))
                    if moment > self.now:
                        break
                    walked = True
                    if rng.random() >= ANSWERED:
                        yield customer, order, None, touchpoint, moment
                        continue
                    row = self.response(touchpoint, moment, repeat=repeat, after_bad_delivery=bad_delivery)
                    bad_delivery = bad_delivery or (touchpoint == "delivery" and row["score"] <= 3)
                    yield customer, order, row, touchpoint, moment
                    for _ in range(2):
                        if touchpoint != "support" or row["score"] > 2 or rng.random() >= SUPPORT_AGAIN:
                            break
                        moment += timedelta(hours=rng.uniform(6, 48))
                        if moment > self.now:
                            break
                        row = self.response(touchpoint, moment, repeat=repeat, after_bad_delivery=bad_delivery)
                        yield customer, order, row, touchpoint, moment
                if rng.random() >= REPEAT[0]:
                    break
                moment += timedelta(days=rng.uniform(REPEAT[1], REPEAT[2]))
                repeat = True
            customer += 1


def _next_id(connection: Connection, table) -> int:  # type: ignore[no-untyped-def]
    return int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _chunks(total: int) -> Iterator[int]:
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        yield size
        done += size


def seed(engine: Engine, taxonomy: Taxonomy, rows: int, days: int = 90, seed: int = 7,
         progress: Callable[[int], None] | None = None,  # told each batch's size as it is written
         now: datetime | None = None) -> SeedResult:
    """Write ``rows`` synthetic responses (with customers, orders, unanswered touchpoint events, attributions...).

    Runs in one transaction: on failure nothing is left behind.
    """
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    generator = _Generator(taxonomy, rows, days, seed, now)
    run = secrets.token_hex(4)
    customers_t, conv_t = Customer.__table__, Conversation.__table__
    resp_t, attr_t, hand_t = FeedbackResponse.__table__, Attribution.__table__, Handoff.__table__
    events_t = TouchpointEvent.__table__
    with engine.begin() as connection:
        first_customer = _next_id(connection, customers_t)
        next_conv, next_resp = _next_id(connection, conv_t), _next_id(connection, resp_t)
        next_event = _next_id(connection, events_t)
        first_resp = next_resp
        walks = generator.walks()
        customers_made = 0
        for size in _chunks(rows):
            customers, events, conversations, responses, attributions, handoffs = [], [], [], [], [], []
            answered = 0
            while answered < size:
                customer, order, row, touchpoint, moment = next(walks)
                customer_id = first_customer + customer
                if customer >= customers_made:
                    customers.append({"id": customer_id, "ref": f"SYN-{run}-{customer:07d}", "opted_out": False,
                                      "created_at": moment})
                    customers_made = customer + 1
                order_id = f"SYN-{run}-O{order:07d}"
                if row is None:  # the shop told us, the customer never answered
                    events.append({
                        "id": next_event, "event_id": f"seed:{run}:{next_event}", "source": "synthetic",
                        "touchpoint": touchpoint, "silo": taxonomy.owner(touchpoint), "customer_id": customer_id,
                        "channel": generator.channel_choice.draw(generator.rng), "order_id": order_id,
                        "occurred_at": moment, "received_at": moment,
                    })
                    next_event += 1
                    continue
                answered += 1
                conversations.append({
                    "id": next_conv, "key": f"seed:{run}:{next_conv}", "sender_id": f"seed-{run}",
                    "customer_id": customer_id, "touchpoint": row["touchpoint"], "channel": row["channel"],
                    "order_id": order_id, "status": "completed", "human_requested": False,
                    "started_at": row["created_at"], "updated_at": row["created_at"],
                })
                for rank, silo, confidence, label, sentiment, evidence in row.pop("attributions"):
                    attributions.append({
                        "response_id": next_resp, "rank": rank, "silo": silo, "confidence": confidence,
                        "sentiment_label": label, "sentiment_score": sentiment, "evidence": evidence,
                        "created_at": row["created_at"],
                    })
                pair = row.pop("handoff")
                if pair:
                    handoffs.append({
                        "response_id": next_resp, "from_silo": pair[0], "to_silo": pair[1],
                        "sentiment_score": pair[2], "evidence": pair[3], "created_at": row["created_at"],
                    })
                responses.append({**row, "id": next_resp, "conversation_id": next_conv,
                                  "customer_id": customer_id, "updated_at": row["created_at"]})
                next_conv += 1
                next_resp += 1
            if customers:
                connection.execute(customers_t.insert(), customers)
            if events:
                connection.execute(events_t.insert(), events)
            connection.execute(conv_t.insert(), conversations)
            connection.execute(resp_t.insert(), responses)
            if attributions:
                connection.execute(attr_t.insert(), attributions)
            if handoffs:
                connection.execute(hand_t.insert(), handoffs)
            if progress is not None:
                progress(size)
        if connection.dialect.name == "postgresql":
            for table in (customers_t, events_t, conv_t, resp_t, attr_t, hand_t):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 - fixed names
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                ))
    return SeedResult(rows=rows, first_response_id=first_resp, last_response_id=next_resp - 1, run=run)

"""Chat turn latency of the whole product next to a bare Rasa bot, driven the same way in the same run.

Absolute milliseconds depend on the machine and on whatever else runs on it, so the number that
matters is the ratio of Siloscope's median turn to the median turn of ``rasa init``'s moodbot,
measured over the same REST door, at the same concurrency, minutes apart. Customers are played
by asyncio clients on 127.0.0.1: each client holds one conversation at a time and sends its next
message as soon as the previous reply came, so "eight at once" is eight customers typing with no
pause. A level can also be driven at a human pace (:class:`Pace`): customers open the survey over
a few seconds, read each question and type their answer before sending it, as a hundred real
customers in the chat at the same time do. Every Siloscope conversation is a whole survey started
by a signed page context; afterwards the feedback database is read to count the answers that were
accepted, stored, lost or duplicated.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import random
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import requests
import yaml

from bot.settings import PROJECT_ROOT

# One Siloscope survey: the trigger, then the answers, as a customer on the website gives them.
# Each answer names the stored field it must end up in (the "no" to "first time?" has none: it
# leads to the contact count question).
COMPLAINTS = [
    ("The parcel came a week late and I was charged twice.", "Tell me the real delivery date and fix the invoice."),
    ("Nobody answered my emails about the broken lamp.", "Reply within a day, even if only to say you are on it."),
    ("The invoice listed items I never ordered.", "Check the order before billing the customer."),
    ("The courier left the box in the rain.", "Ring the bell and wait a minute."),
    ("Support promised a refund that never came.", "Keep the promise your agent made."),
    ("The website crashed twice during checkout.", "Test the payment page on phones."),
]
MOODBOT_TURNS = ["hi", "I am feeling great", "bye", "hello", "I am very sad", "yes", "goodbye"]
SEND_AGAIN_WORDS = ("send it again", "couldn't save", "could not save")
TURN_TIMEOUT = aiohttp.ClientTimeout(total=120)


@dataclass(frozen=True)
class Turn:
    text: str
    metadata: dict | None = None
    stored_as: tuple[str, object] | None = None  # (FeedbackResponse column, the value it must hold)


@dataclass(frozen=True)
class Script:
    sender: str
    turns: list[Turn]


@dataclass(frozen=True)
class Pace:
    """How long a customer takes before each message; the latency measured is still send to reply.

    The survey's first message is sent by the page when the customer opens the chat; the openings
    are spread over ``ramp_s`` (links opened after touchpoints, not a hundred in one millisecond).
    Every later message waits for the customer to read the question and type the answer, at a quick
    typist's speed: slower customers would load the bot less.
    """

    ramp_s: float = 10.0
    read_s: tuple[float, float] = (1.0, 3.0)
    chars_per_s: float = 5.0  # about 60 words a minute

    def opening(self, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ramp_s)

    def before(self, turn: Turn, rng: random.Random) -> float:
        return rng.uniform(*self.read_s) + len(turn.text) / self.chars_per_s


HUMAN_PACE = Pace()
PACE_SEED = 14  # the same pauses in every run, so two runs differ only by the machine


@dataclass
class Level:
    """What one concurrency level measured."""

    clients: int
    latencies: list[float] = field(default_factory=list)
    conversations: int = 0
    failed_turns: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, float | int]:
        ordered = sorted(self.latencies)
        return {
            "clients": self.clients,
            "conversations": self.conversations,
            "turns": len(ordered),
            "failed_turns": self.failed_turns,
            "p50_ms": round(percentile(ordered, 50) * 1000, 1),
            "p95_ms": round(percentile(ordered, 95) * 1000, 1),
            "turns_per_s": round(len(ordered) / self.seconds, 1) if self.seconds else 0.0,
        }


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def survey_script(number: int, sign: Callable[[str, str], str], sender: str | None = None) -> Script:
    """Conversation ``number``: a signed trigger and six answers (a low score, so every question is asked)."""
    sender = sender or f"bench-{uuid.uuid4().hex[:12]}"
    customer = f"C-BENCH-{number}-{uuid.uuid4().hex[:6]}"
    complaint, probe = COMPLAINTS[number % len(COMPLAINTS)]
    return Script(sender, [
        Turn("/touchpoint_completed", {"siloscope_context": sign(sender, customer)}),
        Turn("2", stored_as=("score", 2)),
        Turn(complaint, stored_as=("text", complaint)),
        Turn(probe, stored_as=("probe_text", probe)),
        Turn("2", stored_as=("effort", 2)),
        Turn("no"),
        Turn("3", stored_as=("contact_count", 3)),
    ])


def moodbot_script(_number: int) -> Script:
    return Script(f"bench-{uuid.uuid4().hex[:12]}", [Turn(text) for text in MOODBOT_TURNS])


@dataclass
class Accepted:
    """Answers the bot took (a reply that is not "send it again"), by conversation."""

    by_sender: dict[str, list[Turn]] = field(default_factory=dict)

    def add(self, sender: str, turn: Turn) -> None:
        self.by_sender.setdefault(sender, []).append(turn)

    @property
    def count(self) -> int:
        return sum(len(turns) for turns in self.by_sender.values())


async def _say(session: aiohttp.ClientSession, url: str, sender: str, turn: Turn) -> list[dict] | None:
    body: dict = {"sender": sender, "message": turn.text}
    if turn.metadata is not None:
        body["metadata"] = turn.metadata
    try:
        async with session.post(url, json=body) as reply:
            if reply.status != 200:
                return None
            messages = await reply.json()
    except (TimeoutError, aiohttp.ClientError, ValueError):
        return None
    return messages if isinstance(messages, list) and messages else None


async def drive(url: str, make_script: Callable[[int], Script], clients: int, conversations: int,
                max_seconds: float, accepted: Accepted | None = None, pace: Pace | None = None) -> Level:
    """``clients`` customers at once work through ``conversations`` scripts; none starts after ``max_seconds``.

    With no ``pace`` each customer sends the next message the moment the reply came.
    """
    level = Level(clients)
    rng = random.Random(PACE_SEED)
    numbers = itertools.count()
    deadline = time.monotonic() + max_seconds
    webhook = f"{url}/webhooks/rest/webhook"

    async def customer(session: aiohttp.ClientSession) -> None:
        while time.monotonic() < deadline:
            number = next(numbers)
            if number >= conversations:
                return
            script = make_script(number)
            for index, turn in enumerate(script.turns):
                if pace is not None:
                    await asyncio.sleep(pace.before(turn, rng) if index else pace.opening(rng))
                started = time.perf_counter()
                replies = await _say(session, webhook, script.sender, turn)
                level.latencies.append(time.perf_counter() - started)
                if replies is None:
                    level.failed_turns += 1
                    break  # a conversation that lost a turn cannot go on as scripted
                said = " ".join(str(m.get("text") or "") for m in replies).lower()
                if accepted is not None and turn.stored_as and not any(w in said for w in SEND_AGAIN_WORDS):
                    accepted.add(script.sender, turn)
            level.conversations += 1

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=TURN_TIMEOUT) as session:
        began = time.perf_counter()
        await asyncio.gather(*(customer(session) for _ in range(clients)))
        level.seconds = time.perf_counter() - began
    return level


def count_stored(database_url: str, accepted: Accepted) -> dict[str, int]:
    """Accepted answers found in their response, lost (missing or different), and extra responses."""
    from sqlalchemy import select

    from bot.store.db import engine_for, session_factory
    from bot.store.models import Conversation, FeedbackResponse

    stored = lost = duplicated = 0
    with session_factory(engine_for(database_url))() as session:
        for sender, turns in accepted.by_sender.items():
            responses = list(session.scalars(
                select(FeedbackResponse).join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
                .where(Conversation.sender_id == sender)
            ))
            duplicated += max(0, len(responses) - 1)
            for turn in turns:
                assert turn.stored_as is not None
                column, value = turn.stored_as
                if any(getattr(response, column) == value for response in responses):
                    stored += 1
                else:
                    lost += 1
    return {"sent": accepted.count, "stored": stored, "lost": lost, "duplicated": duplicated}


# --- the reference bot -------------------------------------------------------------------------------


def moodbot_model(folder: Path, python: str) -> Path:
    """``rasa init``'s moodbot, trained once into ``folder`` (Rasa's own template: nothing is downloaded)."""
    models = folder / "models"
    found = sorted(models.glob("*.tar.gz")) if models.is_dir() else []
    if found:
        return found[-1]
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "train.log"
    with log.open("wb") as output:
        done = subprocess.run([python, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder)], cwd=folder,
                              stdout=output, stderr=subprocess.STDOUT, env=_quiet_env(), check=False)
    found = sorted(models.glob("*.tar.gz")) if models.is_dir() else []
    if done.returncode != 0 or not found:
        raise RuntimeError(f"training the moodbot failed (exit {done.returncode}); see {log}")
    return found[-1]


def _quiet_env() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


class ReferenceBot:
    """A bare ``rasa run`` of a model with only the REST channel and Rasa's defaults (in-memory trackers)."""

    def __init__(self, model: Path, folder: Path, port: int, python: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        credentials = folder / "credentials.yml"
        credentials.write_text(yaml.safe_dump({"rest": None}), encoding="utf-8")
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = folder / "reference.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [python, "-m", "rasa", "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port),
             "--credentials", str(credentials)],
            # the project on the path: a model of ours names Siloscope's own NLU step (rasa_server.nlu_certainty)
            cwd=folder, env={**_quiet_env(), "PYTHONPATH": str(PROJECT_ROOT)}, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the reference bot exited with {self.process.returncode}; see {self.log_path}")
            try:
                reply = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": "ready", "message": "hi"},
                                      timeout=10)
                if reply.ok and reply.json():
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(1)
        raise RuntimeError(f"the reference bot did not answer within {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

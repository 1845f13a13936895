"""One action-server-like writer process for the spool fault tests.

Plays ``--customers`` customers, each answering a score, a complaint and an effort rating and
finishing, through the feedback service exactly as the action server calls it (same
``DATABASE_URL``, same spool under ``SILOSCOPE_VAR``). Every operation the service accepted
(returned without :class:`AnswerNotKept`) is written to ``--accepted`` as one JSON line, on disk
before the next one starts, so the test knows what must be in the database at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time

from bot.feedback import AnswerNotKept, Answers, ConversationRef, get_feedback_service


def complaint(key: str) -> str:
    return f"The courier left the parcel in the rain and nobody answered the phone ({key})."


def answers_of(key: str, number: int) -> list[tuple[str, Answers | None]]:
    """The operations one customer sends, in order."""
    return [
        ("record", Answers(score=1 + number % 5)),
        ("record", Answers(text=complaint(key))),
        ("record", Answers(effort=1 + (number + 2) % 5)),
        ("finish", None),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writer", required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--accepted", required=True)
    parser.add_argument("--pause", type=float, default=0.05)
    args = parser.parse_args()
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # as a server logs: level first
    service = get_feedback_service()
    with open(args.accepted, "a", encoding="utf-8") as out:
        for number in range(args.customers):
            key = f"{args.writer}-c{number}"
            ref = ConversationRef(key=key, sender_id=key, customer_ref=f"C-{key}", touchpoint="delivery", channel="web")
            for step, (op, answers) in enumerate(answers_of(key, number)):
                try:
                    service.record(ref, answers) if op == "record" else service.finish(ref)
                    kept = True
                except AnswerNotKept:
                    kept = False
                out.write(json.dumps({"key": key, "number": number, "step": step, "kept": kept}) + "\n")
                out.flush()
                os.fsync(out.fileno())
                time.sleep(args.pause)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Disk full while the database is away: a loud error, and the customer is not thanked.

The spool lives on a 64 KB tmpfs that the test fills; the database is unreachable, so every
answer has to go to the spool and cannot. The answer is asked for again (never "thank you"),
nothing half-written is left in the spool, and once there is room again answers are kept.
"""

from __future__ import annotations

import errno
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.feedback_form import ValidateFeedbackForm
from actions.survey import ActionStoreFeedback
from bot.feedback import _service_for, get_feedback_service
from bot.settings import get_settings
from bot.store.spool import SpoolWriteError
from tests.support.trackers import load_domain, make_tracker, responses, run, slots_set

UNREACHABLE = "postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2"  # nothing listens on port 9
CONTEXT = {"conversation_id": "conv-full-1", "touchpoint": "delivery", "customer_ref": "C-9", "channel": "web"}


@pytest.fixture
def domain() -> dict:
    return load_domain()


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``var/spool`` on a small tmpfs; yields the filler file whose removal frees it again."""
    spool_dir = tmp_path / "var" / "spool"
    spool_dir.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=700", "tmpfs", str(spool_dir)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    get_settings.cache_clear()
    _service_for.cache_clear()  # one service per database URL: this test's var/ must be the one used
    try:
        yield spool_dir / "filler"
    finally:
        get_settings.cache_clear()
        subprocess.run(["umount", str(spool_dir)], check=False)


def fill(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def answer_score(text: str, domain: dict):  # type: ignore[no-untyped-def]
    tracker = make_tracker(text=text, slots={**CONTEXT, "requested_slot": "score"}, extracted={"score": text},
                           active_loop="feedback_form")  # fmt: skip
    return run(ValidateFeedbackForm(), tracker, domain)


def spooled_lines() -> list[str]:
    path = get_feedback_service().spool.path
    return path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []


def test_a_full_disk_is_loud_and_the_answer_is_asked_again(
    full_disk: Path, domain: dict, caplog: pytest.LogCaptureFixture
) -> None:
    fill(full_disk)
    with caplog.at_level(logging.ERROR):
        events, dispatcher = answer_score("2", domain)
    assert responses(dispatcher) == ["utter_not_saved"], "the customer must be asked again, not moved on"
    assert slots_set(events)["score"] is None
    lost = [r for r in caplog.records if r.levelno == logging.CRITICAL and "LOST" in r.getMessage()]
    assert lost and "No space left on device" in lost[0].getMessage()

    _, dispatcher = run(ActionStoreFeedback(), make_tracker(text="bye", slots={**CONTEXT, "score": 4}), domain)
    assert responses(dispatcher) == ["utter_not_saved_end"], "no thanks for feedback that was not kept"
    assert spooled_lines() == []

    os.unlink(full_disk)  # room again: the same answer is kept (spooled while the database is away)
    events, dispatcher = answer_score("2", domain)
    assert responses(dispatcher) == [] and slots_set(events)["score"] == 2
    assert len(spooled_lines()) == 1


def test_a_write_cut_short_by_a_full_disk_leaves_no_torn_line(full_disk: Path) -> None:
    spool = get_feedback_service().spool
    spool.append({"op": "record", "n": 1})
    fill(full_disk)  # the spool's last page still has room for a short record, not for this one
    with pytest.raises(SpoolWriteError):
        spool.append({"op": "record", "n": 2, "data": {"text": "x" * 6000}})
    assert spooled_lines() == ['{"op": "record", "n": 1}\n']

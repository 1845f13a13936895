"""A replay removes only what it applied: a record another process appends meanwhile survives.

The old spool read a snapshot, applied it and wrote the rest back over the file, so whatever
another action server appended in between was gone.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.store.spool import Spool

APPENDER = """
import sys
from pathlib import Path
from bot.store.spool import Spool
Spool(Path(sys.argv[1])).append({"op": "record", "from": "other process"})
"""


def test_a_record_appended_by_another_process_during_a_replay_is_kept(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool" / "feedback.jsonl")
    for number in range(3):
        spool.append({"op": "record", "n": number})
    applied: list[dict] = []
    appenders: list[subprocess.Popen] = []

    def apply(record: dict) -> None:
        if not appenders:  # another writer arrives while the replay is half-way
            appenders.append(subprocess.Popen([sys.executable, "-c", APPENDER, str(spool.path)], cwd=PROJECT_ROOT))
            time.sleep(1.0)  # time enough for it to append, if nothing made it wait
        applied.append(record)

    assert spool.replay(apply) == 3
    assert appenders[0].wait(timeout=60) == 0
    assert [r["n"] for r in applied] == [0, 1, 2]
    remaining: list[dict] = []
    spool.replay(remaining.append)
    assert remaining == [{"op": "record", "from": "other process"}]

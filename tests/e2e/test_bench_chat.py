"""``siloscope bench chat`` end to end with tiny counts: the real stack (two Rasa workers behind the
sticky front) and a reference bot, driven over REST; it prints the keys ``make bench`` reads and
every accepted answer is found stored. No timing is asserted (the machine is shared).

The reference is the trained Siloscope model itself (``--reference-model``), so the test does not
train the moodbot; ``make bench`` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_bench_chat_runs_both_bots_and_counts_every_answer_stored(tmp_path: Path) -> None:
    model = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"))[-1]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "siloscope"), "bench", "chat", "--json", "--levels", "1,2",
         "--reference-levels", "1", "--conversations", "1", "--max-seconds", "120", "--workers", "2",
         "--reference-model", str(model)],
        capture_output=True, text=True, timeout=1500, env={**os.environ, "SILOSCOPE_VAR": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["workers"] == 2
    assert set(result["levels"]) == {"1", "2"}
    one, two = result["levels"]["1"], result["levels"]["2"]
    assert one["moodbot"]["turns"] >= 1 and one["siloscope"]["turns"] == 7 and "ratio_p50" in one
    assert "moodbot" not in two and two["siloscope"]["conversations"] == 2
    assert one["siloscope"]["failed_turns"] == two["siloscope"]["failed_turns"] == 0
    assert one["siloscope"]["p50_ms"] > 0 and two["siloscope"]["p95_ms"] >= two["siloscope"]["p50_ms"]
    # three surveys of five stored answers each, every one found in its response
    assert result["answers"] == {"sent": 15, "stored": 15, "lost": 0, "duplicated": 0}
    assert result["nothing_lost"] is True
    for key in ("meets_ratio", "meets_p95_at_100", "meets_p95_at_100_human_pace", "target_ratio_p50",
                "load_average_1m"):
        assert key in result

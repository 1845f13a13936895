"""A local append-only file that holds feedback while the database cannot be reached.

Accepted feedback is never lost: when a write fails because the database is down, the
operation is written here, and replayed in order by the next write that succeeds.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.privacy.files import open_private, write_private

log = logging.getLogger(__name__)


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, record: dict[str, Any]) -> None:
        with open_private(self.path, "a") as handle:  # customers' words: owner-only
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def pending(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def replay(self, apply: Callable[[dict[str, Any]], None]) -> int:
        """Apply every spooled record in order; stop (keeping the rest) at the first failure."""
        if not self.pending():
            return 0
        lines = self.path.read_text(encoding="utf-8").splitlines()
        done = 0
        try:
            for line in lines:
                if line.strip():
                    apply(json.loads(line))
                done += 1
        finally:
            rest = lines[done:]
            write_private(self.path, "".join(f"{line}\n" for line in rest))
            if done:
                log.info("replayed %d spooled feedback operations", done)
        return done

"""Run the ``siloscope`` command as a person at a terminal would: stdout and stderr on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_on_terminal(*args: str, columns: int = 100, timeout: float = 300.0, env: dict[str, str] | None = None,
                    stdout: Path | None = None) -> tuple[int, str]:
    """``siloscope ARGS`` with both streams on one pseudo-terminal ``columns`` wide: (exit code, what it showed).

    With ``stdout`` the output goes to that file and only stderr to the terminal (``siloscope export > file``).
    """
    leader, follower = pty.openpty()
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT), "COLUMNS": str(columns), "LINES": "40",
                   "TERM": "xterm"}
    out = stdout.open("wb") if stdout else None
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=environment,
                               stdin=subprocess.DEVNULL, stdout=out or follower, stderr=follower)
    os.close(follower)
    if out:
        out.close()
    chunks: list[bytes] = []
    while True:  # read while it runs: a full pseudo-terminal buffer would block the command
        ready, _, _ = select.select([leader], [], [], timeout)
        if not ready:
            process.kill()
            raise TimeoutError(f"siloscope {' '.join(args)} printed nothing for {timeout} s")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=timeout), b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")

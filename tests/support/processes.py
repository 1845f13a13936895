"""Processes the tests start: free ports, stopping a server, the web service in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import requests

from bot.settings import PROJECT_ROOT


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a server the tests started; kill it if it has not stopped within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    """A loopback port free right now (tests never take 5005/5055/8000, which a developer may be using)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answering(
    process: subprocess.Popen, answers: Callable[[], bool], errors: type[Exception], seconds: float
) -> bool:
    """Poll ``answers`` (its ``errors`` mean "not yet") until true; False once ``process`` exited or time is up."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if answers():
                return True
        except errors:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.1)


class WebService:
    """``siloscope web`` in a subprocess on a free port, as ``make run`` starts it."""

    def __init__(self, env: dict[str, str], log: Path, drop: Iterable[str] = ()) -> None:
        self.port = free_port()
        self.log_path = log
        self.log = log.open("wb")
        dropped = set(drop)
        full_env = {k: v for k, v in os.environ.items() if k not in dropped}
        full_env.update(env)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "siloscope"), "web", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT_ROOT,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if not answering(self.process, lambda: requests.get(self.url("/health"), timeout=1).ok,
                         requests.RequestException, seconds=60):
            self.stop()
            raise AssertionError(f"siloscope web did not start: {log.read_text(errors='replace')[-3000:]}")

    def url(self, path: str = "", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
        return requests.post(
            self.url(path), data=body, headers={"Content-Type": "application/json", **(headers or {})}, timeout=10
        )

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()

"""Starting and stopping the whole product: action server, Rasa server and the web service.

``make run`` uses it through ``siloscope run``; the end-to-end tests use it on free ports with
a scratch database, so what the tests start is exactly what a user starts.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests
import yaml

from bot.settings import PROJECT_ROOT
from bot.tokens import ACTIONS_TOKEN_ENV


class StackError(RuntimeError):
    """A server did not come up; the message names it and where its log is."""


def venv_bin(name: str) -> str:
    """The executable beside the running Python (the project's virtualenv)."""
    return str(Path(sys.executable).parent / name)


@dataclass
class StackConfig:
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    host: str = "127.0.0.1"
    model: Path = PROJECT_ROOT / "models"
    credentials: Path = PROJECT_ROOT / "credentials.yml"
    endpoints: Path = PROJECT_ROOT / "endpoints.yml"
    run_dir: Path = PROJECT_ROOT / "var" / "run"
    rasa_token: str = ""  # empty: a fresh one per start
    actions_token: str = ""  # the secret Rasa presents to the action server; empty: a fresh one per start
    env: dict[str, str] = field(default_factory=dict)
    log_to_files: bool = False

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"


def _answers(response: requests.Response) -> bool:
    return response.ok


def _model_loaded(response: requests.Response) -> bool:
    """Rasa may answer HTTP before its model is loaded; /status names the model once it is."""
    return response.ok and bool(response.json().get("model_file"))


@dataclass
class _Server:
    name: str
    command: list[str]
    ready_url: str
    is_ready: Callable[[requests.Response], bool] = _answers
    process: subprocess.Popen | None = None
    log: IO[bytes] | None = None
    log_path: Path | None = None


# Rasa expands ${VAR} in its endpoints file when it reads it, so the secret itself is in no file.
_ACTION_ENDPOINT = """action_endpoint:
  url: {url}
  headers:
    Authorization: Bearer ${{{env}}}
"""


class Stack:
    """The three servers, started together and stopped together."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        # A stack never runs a door without a lock: a secret nobody configured is made for this start.
        config.rasa_token = config.rasa_token or secrets.token_urlsafe(24)
        config.actions_token = config.actions_token or secrets.token_urlsafe(32)
        self.servers = self._servers()

    def _endpoints_file(self) -> Path:
        """endpoints.yml with the action server URL pointing at this stack's port, and its secret.

        The action endpoint is written as text, not dumped: a YAML dumper that knows Rasa's
        ``${...}`` resolver would quote the reference, and Rasa expands only plain scalars.
        """
        with self.config.endpoints.open(encoding="utf-8") as handle:
            endpoints = yaml.safe_load(handle) or {}
        endpoints.pop("action_endpoint", None)
        action_endpoint = _ACTION_ENDPOINT.format(url=json.dumps(f"{self.config.actions_url}/webhook"),
                                                  env=ACTIONS_TOKEN_ENV)
        path = self.config.run_dir / "endpoints.yml"
        path.write_text((yaml.safe_dump(endpoints) if endpoints else "") + action_endpoint, encoding="utf-8")
        path.chmod(0o600)
        return path

    def _servers(self) -> list[_Server]:
        c = self.config
        c.run_dir.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        # No secret on any command line (``ps`` shows it to every local user): both arrive by environment.
        return [
            _Server(
                "actions",
                [python, "-m", "servers.action_server", "--host", c.host, "--port", str(c.actions_port),
                 "--actions", "actions"],
                f"{c.actions_url}/health",
            ),
            _Server(
                "rasa",
                [
                    python, "-m", "servers.rasa_server", "--enable-api", "--cors", "*",
                    "--interface", c.host, "--port", str(c.rasa_port), "--model", str(c.model),
                    "--credentials", str(c.credentials), "--endpoints", str(self._endpoints_file()),
                ],
                f"{c.rasa_url}/status?token={c.rasa_token}",
                _model_loaded,
            ),
            _Server(
                "web",
                [venv_bin("siloscope"), "web", "--host", c.host, "--port", str(c.web_port)],
                f"{c.web_url}/health",
            ),
        ]

    def start(self, timeout: float = 240.0) -> None:
        """Start every server and wait until each answers; on failure stop them all."""
        env = {**os.environ, **self.config.env, "RASA_TOKEN": self.config.rasa_token,
               ACTIONS_TOKEN_ENV: self.config.actions_token}
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        env["SILOSCOPE_RASA_URL"] = self.config.rasa_url
        for server in self.servers:
            if self.config.log_to_files:
                server.log_path = self.config.run_dir / f"{server.name}.log"
                server.log = server.log_path.open("wb")
            server.process = subprocess.Popen(
                server.command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=server.log,
                stderr=subprocess.STDOUT if server.log else None,
                start_new_session=True,  # our Ctrl-C handling stops it, not the terminal's
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(self.servers)
        while waiting:
            for server in list(waiting):
                assert server.process is not None
                if server.process.poll() is not None:
                    code = server.process.returncode
                    raise StackError(f"{server.name} server exited with {code}{self._log_hint(server)}")
                try:
                    if server.is_ready(requests.get(server.ready_url, timeout=2)):
                        waiting.remove(server)
                except (requests.RequestException, ValueError):
                    pass
            if waiting and time.monotonic() > deadline:
                names = ", ".join(s.name for s in waiting)
                raise StackError(f"not ready after {timeout:.0f}s: {names}{self._log_hint(waiting[0])}")
            if waiting:
                time.sleep(1)

    @staticmethod
    def _log_hint(server: _Server) -> str:
        return f" (log: {server.log_path})" if server.log_path else ""

    def stop(self, grace: float = 15.0) -> None:
        """Terminate each server's process group, then kill what is left after ``grace`` seconds."""
        running = [s for s in self.servers if s.process and s.process.poll() is None]
        for server in running:
            _signal_group(server.process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for server in running:
            try:
                server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(server.process, signal.SIGKILL)
                server.process.wait()
        for server in self.servers:
            if server.log:
                server.log.close()

    def wait(self) -> int:
        """Block until any server exits (then stop the rest) and return its exit code."""
        while True:
            for server in self.servers:
                assert server.process is not None
                code = server.process.poll()
                if code is not None:
                    print(f"{server.name} server stopped (exit {code}); stopping the others", file=sys.stderr)
                    self.stop()
                    return code
            time.sleep(1)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass

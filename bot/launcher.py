"""Starting and stopping the whole product: action server, Rasa server and the web service.

``make run`` uses it through ``siloscope run``; the end-to-end tests use it on free ports with
a scratch database, so what the tests start is exactly what a user starts. With several Rasa
workers (``StackConfig.rasa_workers``) each is a server of its own on a loopback port, supervised
like the others, and the sticky front (``bot.front``) takes the Rasa port.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests
import yaml

from bot.conversation_store import RasaStores, rasa_stores
from bot.errors import UsageError
from bot.settings import PROJECT_ROOT, default_database_url
from bot.settings.sections import Ports
from bot.sticky import WORKER_ENV
from bot.tokens import ACTIONS_TOKEN_ENV


class StackError(RuntimeError):
    """A server did not come up; the message names it and where its log is."""


RASA_PYTHON_ENV = "SILOSCOPE_RASA_PYTHON"
RASA_VENV = PROJECT_ROOT / ".venv-rasa"


def venv_bin(name: str) -> str:
    """The executable beside the running Python (the project's virtualenv)."""
    return str(Path(sys.executable).parent / name)


def rasa_python() -> str:
    """The Python of the Rasa server's own environment: Rasa 3.6 runs only on Python 3.10, the core does not.

    ``$SILOSCOPE_RASA_PYTHON`` (an image or a machine that keeps it elsewhere), else ``.venv-rasa``
    beside the project, as ``make setup`` builds it.
    """
    configured = os.environ.get(RASA_PYTHON_ENV, "").strip()
    python = Path(configured) if configured else RASA_VENV / "bin" / "python"
    if not os.access(python, os.X_OK):
        origin = f"${RASA_PYTHON_ENV}" if configured else "the Rasa environment"
        raise UsageError(f"{origin}: no Python at {python}; `make setup` builds the Rasa environment (.venv-rasa)")
    return str(python)


WORKER_MEMORY_BYTES = 1 << 30  # a Rasa process with Siloscope's model stays under 1 GB resident


def rasa_workers(setting: str | int = "auto") -> int:
    """How many Rasa processes ``siloscope run`` starts for the setting ``rasa.workers`` (already checked).

    ``auto`` is one per CPU core this process may use, as far as the available memory holds a
    Rasa process each (and always one).
    """
    if setting == "auto":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return max(1, min(cores, _available_memory() // WORKER_MEMORY_BYTES))
    return int(setting)


def _available_memory() -> int:
    """MemAvailable from /proc/meminfo; where there is none, assume room for one worker per core."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return (os.cpu_count() or 1) * WORKER_MEMORY_BYTES



@dataclass
class StackConfig:
    rasa_port: int = Ports.rasa  # the defaults of siloscope.yml's ports section, from one place
    actions_port: int = Ports.actions
    web_port: int = Ports.web
    host: str = "127.0.0.1"
    model: Path = PROJECT_ROOT / "models"
    credentials: Path = PROJECT_ROOT / "credentials.yml"
    endpoints: Path = PROJECT_ROOT / "endpoints.yml"
    run_dir: Path = PROJECT_ROOT / "var" / "run"
    rasa_token: str = ""  # empty: a fresh one per start
    actions_token: str = ""  # the secret Rasa presents to the action server; empty: a fresh one per start
    env: dict[str, str] = field(default_factory=dict)
    log_to_files: bool = False
    # More than one: that many Rasa processes on free loopback ports behind the sticky front
    # (bot.front) on rasa_port; one: Rasa itself on rasa_port.
    rasa_workers: int = 1

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
    env: dict[str, str] = field(default_factory=dict)  # on top of the stack's environment
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
        self._env: dict[str, str] = {}

    def _environment(self) -> dict[str, str]:
        return {**os.environ, **self.config.env}

    def _stores(self) -> RasaStores:
        environ = self._environment()
        return rasa_stores(environ, environ.get("DATABASE_URL") or default_database_url())

    def _endpoints_file(self) -> Path:
        """endpoints.yml for this stack: its action server port and secret, and where Rasa keeps conversations.

        A tracker or lock store set in the project's endpoints.yml is kept as it is; otherwise
        they come from the environment (``bot.conversation_store``). The action endpoint is
        written as text, not dumped: a YAML dumper that knows Rasa's ``${...}`` resolver would
        quote the reference, and Rasa expands only plain scalars.
        """
        with self.config.endpoints.open(encoding="utf-8") as handle:
            endpoints = yaml.safe_load(handle) or {}
        endpoints.pop("action_endpoint", None)
        for section, settings in self._stores().endpoints.items():
            endpoints.setdefault(section, settings)
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
        # Started by path with `-m` from the project root, so Rasa imports rasa_server/ (and the parts of
        # bot/ it names) from this checkout without the project being installed in Rasa's environment.
        # No secret on any command line (``ps`` shows it to every local user): both arrive by environment.
        return [
            _Server(
                "actions",
                [python, "-m", "servers.action_server", "--host", c.host, "--port", str(c.actions_port),
                 "--actions", "actions"],
                f"{c.actions_url}/health",
            ),
            *self._rasa_servers(),
            _Server(
                "web",
                [venv_bin("siloscope"), "web", "--host", c.host, "--port", str(c.web_port)],
                f"{c.web_url}/health",
            ),
        ]

    def _rasa_servers(self) -> list[_Server]:
        """Rasa on the Rasa port; or several Rasa workers on loopback and the sticky front on that port."""
        c = self.config
        endpoints = str(self._endpoints_file())

        def rasa(name: str, host: str, port: int, env: dict[str, str]) -> _Server:
            return _Server(
                name,
                [
                    # rasa_server.main is `rasa run` with Siloscope's Rasa-side parts, its token from RASA_TOKEN
                    rasa_python(), "-m", "rasa_server.main", "--enable-api", "--cors", "*",
                    "--interface", host, "--port", str(port), "--model", str(c.model),
                    "--credentials", str(c.credentials), "--endpoints", endpoints,
                ],
                f"http://{host}:{port}/status?token={c.rasa_token}",
                _model_loaded,
                env,
            )

        if c.rasa_workers <= 1:
            return [rasa("rasa", c.host, c.rasa_port, {})]
        # Workers listen on loopback only: the front is the one door, whatever interface it binds.
        workers = [rasa(f"rasa-{index + 1}", "127.0.0.1", free_port(), {WORKER_ENV: str(index)})
                   for index in range(c.rasa_workers)]
        urls = [server.ready_url.split("/status")[0] for server in workers]
        front = _Server(
            "front",
            # the front is the core's (aiohttp and bot/ only): it needs nothing of Rasa
            [sys.executable, "-m", "bot.front", "--host", c.host, "--port", str(c.rasa_port),
             *(argument for url in urls for argument in ("--worker", url))],
            f"{c.rasa_url}/status?token={c.rasa_token}",
            _model_loaded,
        )
        return [*workers, front]

    def start(self, timeout: float = 240.0) -> None:
        """Start every server and wait until each answers; on failure stop them all."""
        self._env = {**self._environment(), **self._stores().env, "RASA_TOKEN": self.config.rasa_token,
                     ACTIONS_TOKEN_ENV: self.config.actions_token}
        self._env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        self._env["SILOSCOPE_RASA_URL"] = self.config.rasa_url
        for server in self.servers:
            self._spawn(server)
        try:
            self._wait_ready(self.servers, timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, server: _Server) -> None:
        if self.config.log_to_files:
            if server.log:
                server.log.close()
            server.log_path = self.config.run_dir / f"{server.name}.log"
            # A restart appends, so that the crash stays readable above the new start.
            server.log = server.log_path.open("ab" if server.process else "wb")
        server.process = subprocess.Popen(
            server.command,
            cwd=PROJECT_ROOT,
            env={**self._env, **server.env},
            stdout=server.log,
            stderr=subprocess.STDOUT if server.log else None,
            start_new_session=True,  # our Ctrl-C handling stops it, not the terminal's
        )

    def server(self, name: str) -> _Server:
        return next(s for s in self.servers if s.name == name)

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> int:
        """Send ``sig`` to one server's process group (a crash, for the fault tests); its exit code."""
        server = self.server(name)
        assert server.process is not None
        _signal_group(server.process, sig)
        return server.process.wait(timeout=30)

    def restart(self, name: str, timeout: float = 240.0) -> None:
        """Start one server again (after it exited) and wait until it answers."""
        server = self.server(name)
        if server.process and server.process.poll() is None:
            raise StackError(f"{name} server is still running")
        self._spawn(server)
        self._wait_ready([server], timeout)

    def _wait_ready(self, servers: list[_Server], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(servers)
        while waiting:
            for server in list(waiting):
                assert server.process is not None
                if server.process.poll() is not None:
                    code = server.process.returncode
                    raise StackError(f"{server.name} server exited with {code}{self._log_hint(server)}")
                if _is_up(server):
                    waiting.remove(server)
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
                server.log = None

    def wait(self, policy: RestartPolicy | None = None) -> int:
        """Supervise until Ctrl-C/SIGTERM (KeyboardInterrupt) or a server crashes too often.

        A server that exits is started again after an exponential backoff; each exit and restart
        is logged with its exit code. After more than ``policy.max_crashes`` exits of one server
        within ``policy.window_seconds`` the supervisor gives up: it stops the others and returns
        that server's exit code. The other servers keep running meanwhile.
        """
        policy = policy or RestartPolicy()
        supervisors = {server.name: _Supervision() for server in self.servers}
        while True:
            now = time.monotonic()
            for server in self.servers:
                state = supervisors[server.name]
                assert server.process is not None
                if state.restart_at is not None:
                    if now >= state.restart_at:
                        state.restart_at = None
                        state.started_at = now
                        _log(f"{server.name} server: restarting (attempt {len(state.crashes)})")
                        self._spawn(server)
                    continue
                if state.started_at is not None and server.process.poll() is None and _is_up(server):
                    _log(f"{server.name} server is back after {now - state.crashed_at:.1f}s")
                    state.started_at = None
                code = server.process.poll()
                if code is None:
                    continue
                state.crashed_at = state.crashed_at if state.started_at is not None else now
                state.started_at = None
                state.crashes = [t for t in state.crashes if now - t <= policy.window_seconds] + [now]
                if len(state.crashes) > policy.max_crashes:
                    _log(f"{server.name} server exited with {_describe(code)}: {len(state.crashes)} exits "
                         f"within {policy.window_seconds:.0f}s, giving up; stopping the others")
                    self.stop()
                    return code or 1
                delay = policy.delay(len(state.crashes))
                _log(f"{server.name} server exited with {_describe(code)}; restarting in {delay:.1f}s "
                     f"(exit {len(state.crashes)} of at most {policy.max_crashes} "
                     f"within {policy.window_seconds:.0f}s){self._log_hint(server)}")
                _signal_group(server.process, signal.SIGKILL)  # nothing of it may hold the port
                state.restart_at = now + delay
            time.sleep(policy.poll_seconds)


@dataclass(frozen=True)
class RestartPolicy:
    """How the supervisor restarts a crashed server: backoff ``first * 2**(n-1)`` up to ``max``."""

    first_delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    max_crashes: int = 5
    window_seconds: float = 300.0
    poll_seconds: float = 0.5

    def delay(self, crashes: int) -> float:
        return min(self.max_delay_seconds, self.first_delay_seconds * 2 ** max(0, crashes - 1))


@dataclass
class _Supervision:
    crashes: list[float] = field(default_factory=list)
    restart_at: float | None = None
    started_at: float | None = None  # restarted, not answering yet
    crashed_at: float = 0.0


def free_port() -> int:
    """A TCP port free on loopback now (a worker keeps it for the stack's life, restarts included)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _is_up(server: _Server) -> bool:
    try:
        return server.is_ready(requests.get(server.ready_url, timeout=2))
    except (requests.RequestException, ValueError):
        return False


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"{code} ({signal.Signals(-code).name})"
        except ValueError:
            return str(code)
    return str(code)


def _log(message: str) -> None:
    print(f"[supervisor {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass

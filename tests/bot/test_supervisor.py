"""The supervisor of ``siloscope run``: a server that exits is started again, with backoff and a limit."""

from __future__ import annotations

import _thread
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.launcher import RestartPolicy, Stack, StackConfig, _Server

FAST = RestartPolicy(first_delay_seconds=0.05, max_delay_seconds=0.2, max_crashes=3, window_seconds=60,
                     poll_seconds=0.05)


def stack_of(tmp_path: Path, *servers: _Server) -> Stack:
    stack = Stack(StackConfig(run_dir=tmp_path / "run", endpoints=tmp_path / "endpoints.yml"))
    stack.servers = list(servers)
    for server in stack.servers:
        stack._spawn(server)
    return stack


@pytest.fixture()
def endpoints(tmp_path: Path) -> None:
    (tmp_path / "endpoints.yml").write_text("{}\n", encoding="utf-8")


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RestartPolicy(first_delay_seconds=1, max_delay_seconds=30)
    assert [policy.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_crashing_server_is_restarted_with_backoff_then_given_up(tmp_path: Path, endpoints: None, capsys) -> None:
    marker = tmp_path / "starts"
    crashing = _Server("flaky", [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x'); raise SystemExit(3)"],
                       "http://127.0.0.1:9/never")
    healthy = _Server("steady", [sys.executable, "-c", "import time; time.sleep(60)"], "http://127.0.0.1:9/never")
    stack = stack_of(tmp_path, crashing, healthy)
    try:
        assert stack.wait(FAST) == 3
    finally:
        stack.stop()
    log = capsys.readouterr().err
    assert marker.read_text() == "xxxx"  # started once, restarted three times, then given up
    for delay in ("0.1", "0.1", "0.2"):  # 0.05 is printed as 0.1
        assert f"flaky server exited with 3; restarting in {delay}s" in log
    assert "flaky server exited with 3: 4 exits within 60s, giving up; stopping the others" in log
    assert healthy.process.poll() is not None, "the other servers are stopped when the supervisor gives up"


def test_a_killed_server_comes_back_while_the_others_keep_running(tmp_path: Path, endpoints: None, capsys) -> None:
    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    health = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=health.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{health.server_address[1]}/health"
    worker = _Server("actions", [sys.executable, "-c", "import time; time.sleep(60)"], url)
    other = _Server("rasa", [sys.executable, "-c", "import time; time.sleep(60)"], url)
    stack = stack_of(tmp_path, worker, other)
    first, other_pid = worker.process.pid, other.process.pid
    # interrupt_main raises KeyboardInterrupt only through Python's own SIGINT handler: with SIGINT ignored
    # (a pytest a shell started in the background) or left to another handler (an event loop's signal
    # handler from an earlier test) the supervisor would never be stopped. Ctrl-C's own handler here.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Timer(0.3, lambda: stack.kill("actions")).start()
        threading.Timer(3, _thread.interrupt_main).start()  # Ctrl-C, as run.py turns SIGINT/SIGTERM into it
        with pytest.raises(KeyboardInterrupt):
            stack.wait(FAST)
    finally:
        signal.signal(signal.SIGINT, previous)
        stack.stop()
        health.shutdown()
    log = capsys.readouterr().err
    assert "actions server exited with -9 (SIGKILL); restarting in 0.1s" in log
    assert "actions server is back after" in log
    assert worker.process.pid != first and other.process.pid == other_pid

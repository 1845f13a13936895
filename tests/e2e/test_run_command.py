"""``siloscope run`` (what ``make run`` starts): says where to chat, and Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from bot.settings import PROJECT_ROOT
from tests.support import free_port, migrated

pytestmark = pytest.mark.e2e


def children_of(pid: int) -> set[int]:
    """Direct children, from /proc (the servers are started in sessions of their own)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_run_prints_where_to_chat_and_ctrl_c_stops_every_server(tmp_path: Path) -> None:
    config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    config["ports"] = ports
    (tmp_path / "siloscope.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        **os.environ,
        "SILOSCOPE_CONFIG": str(tmp_path / "siloscope.yml"),
        "SILOSCOPE_VAR": str(tmp_path / "var"),
        "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'run.db'}"),
        "RASA_TOKEN": "run-test-token",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "run.log").open("w+")
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "siloscope"), "run"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 300
        while "Press Ctrl-C" not in (tmp_path / "run.log").read_text():
            assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "siloscope run did not come up"
            time.sleep(1)
        banner = (tmp_path / "run.log").read_text()
        assert f"http://localhost:{ports['rasa']}/webhooks/rest/webhook" in banner
        assert f"http://localhost:{ports['web']}/dashboard?token=" in banner

        servers = children_of(run.pid)
        assert len(servers) == 3
        reply = requests.post(
            f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook",
            json={"sender": "run-test", "message": "hi"},
            timeout=60,
        )
        assert reply.ok and reply.json(), "the bot did not answer a greeting"
        status = requests.get(f"http://127.0.0.1:{ports['rasa']}/status", timeout=10)
        assert status.status_code == 401, "Rasa's HTTP API must require the token"
        assert requests.get(f"http://127.0.0.1:{ports['rasa']}/status?token=run-test-token", timeout=10).ok

        run.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert run.wait(timeout=60) == 0
        stop_deadline = time.monotonic() + 30
        while any(alive(pid) for pid in servers) and time.monotonic() < stop_deadline:
            time.sleep(0.5)
        assert not [pid for pid in servers if alive(pid)], "a server outlived Ctrl-C"
    finally:
        if run.poll() is None:
            run.kill()
        log.close()

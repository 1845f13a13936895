"""``siloscope run`` (what ``make run`` starts): says where to chat, and Ctrl-C stops everything."""

from __future__ import annotations

import asyncio
import json
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


async def widget_greeting(url: str) -> list[str]:
    """What the website widget does over socket.io (long-polling): a session, then "hi"."""
    import socketio

    said: list[str] = []
    sessions: asyncio.Queue = asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("session_confirm", sessions.put_nowait)
    client.on("bot_uttered", lambda message: said.append(message.get("text") or ""))
    # python-socketio's websocket needs a newer aiohttp than Rasa's; the upgrade is checked below.
    await client.connect(url, socketio_path="/socket.io/", transports=["polling"])
    try:
        await client.emit("session_request", {})
        session = await asyncio.wait_for(sessions.get(), 60)
        await client.emit("user_uttered", {"message": "hi", "session_id": session})
        for _ in range(600):
            if said:
                break
            await asyncio.sleep(0.1)
    finally:
        await client.disconnect()
    return said


async def upgrades_reach_their_worker(url: str) -> set[str]:
    """Open engine.io sessions; each one's websocket upgrade must find it (the engine.io probe answers).

    Returns the worker prefixes of the session ids: new sessions go to every worker in turn.
    """
    import aiohttp

    prefixes = set()
    async with aiohttp.ClientSession() as http:
        for _ in range(4):
            async with http.get(f"{url}/socket.io/?EIO=4&transport=polling") as handshake:
                opened = json.loads((await handshake.text())[1:])
            sid = opened["sid"]
            prefixes.add(sid.split(".")[0])
            socket = await http.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket&sid={sid}")
            await socket.send_str("2probe")
            assert (await socket.receive(timeout=30)).data == "3probe", f"the upgrade of {sid} was not answered"
            await socket.close()
    return prefixes


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
        # Two Rasa workers behind the sticky front: the Rasa port behaves as with one.
        "SILOSCOPE_RASA_WORKERS": "2",
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

        assert "Rasa workers:   2 (behind one sticky front" in banner
        servers = children_of(run.pid)
        assert len(servers) == 5, "action server, web service, two Rasa workers and the front"
        reply = requests.post(
            f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook",
            json={"sender": "run-test", "message": "hi"},
            timeout=60,
        )
        assert reply.ok and reply.json(), "the bot did not answer a greeting"
        assert asyncio.run(widget_greeting(f"http://127.0.0.1:{ports['rasa']}")), "no greeting over socket.io"
        assert asyncio.run(upgrades_reach_their_worker(f"http://127.0.0.1:{ports['rasa']}")) == {"w00", "w01"}
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

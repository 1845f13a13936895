"""The action server crashes or is away while customers answer: no answer is silently dropped.

Under ``siloscope run`` a killed action server is started again while Rasa and the web service
stay up, and the answer sent meanwhile is taken in the same turn (Rasa retries the action
server). When the action server stays away longer than Rasa retries, the customer is told to
send the answer again (never ``200 []``), and once it is back that answer is accepted. A survey
trigger that reaches Rasa meanwhile is not counted delivered (Rasa answers 200 without starting
the survey): it stays in the outbox and starts the survey once the action server is back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from bot.settings import PROJECT_ROOT
from tests.e2e.test_run_command import alive, children_of
from tests.faults.restarts import ACTION_RETRY_SECONDS, assert_stored_once, texts
from tests.faults.spool_harness import wait_until
from tests.support import free_port, migrated

pytestmark = pytest.mark.e2e
SEND_AGAIN = "send it again"


def test_an_answer_while_the_action_server_is_away_is_asked_again_then_accepted(fault_stack) -> None:
    customer, sender, first = fault_stack.survey("support", order_id="A-0815")
    assert first, "the survey did not start"
    fault_stack.stack.kill("actions")

    began = time.monotonic()
    away = fault_stack.say(sender, "4")
    told_after = time.monotonic() - began
    assert away, "Rasa answered [] while the action server was away: the answer was dropped silently"
    assert SEND_AGAIN in texts(away), away

    fault_stack.stack.restart("actions")
    again = fault_stack.say(sender, "4")
    assert SEND_AGAIN not in texts(again) and "went well" in texts(again), again
    assert "easy" in texts(fault_stack.say(sender, "Quick answer, friendly agent."))
    assert "first time" in texts(fault_stack.say(sender, "6"))
    assert "thank" in texts(fault_stack.say(sender, "yes"))
    assert_stored_once(
        fault_stack.database_url, customer, sender,
        {"score": 4, "effort": 6, "contact_count": 1, "text": "Quick answer, friendly agent."},
        touchpoint="support", order_id="A-0815",
    )
    print(f"\n[figures] action server away: answers sent 5, asked again 1 (after {told_after:.1f}s, "
          f"retry window {ACTION_RETRY_SECONDS}s), stored 4, lost 0, duplicated 0")


def test_a_survey_trigger_while_the_action_server_is_away_waits_in_the_outbox_until_the_survey_starts(
    fault_stack,
) -> None:
    fault_stack.stack.kill("actions")
    customer, conversation = fault_stack.touchpoint("delivery", order_id="A-2020")
    began = time.monotonic()
    wait_until(lambda: fault_stack.trigger(conversation).attempts >= 1, 120, "the trigger has been tried once")
    tried = fault_stack.trigger(conversation)
    assert tried.status in ("pending", "sending"), f"counted {tried.status} although no survey started"
    assert "survey did not start" in (tried.last_error or ""), tried.last_error
    assert fault_stack.callback.to(conversation) == [], "the customer got a message of a survey that did not start"

    fault_stack.stack.restart("actions")
    first = fault_stack.callback.wait_for(conversation, timeout=120)
    started_after = time.monotonic() - began
    assert "1" in texts(first) or any(m.get("buttons") for m in first), first
    wait_until(lambda: fault_stack.trigger(conversation).status == "delivered", 30, "the trigger counts delivered")
    attempts = fault_stack.trigger(conversation).attempts
    assert attempts >= 2

    assert "wrong" in texts(fault_stack.say(conversation, "2"))
    assert "differently" in texts(fault_stack.say(conversation, "The box was crushed."))
    assert "easy" in texts(fault_stack.say(conversation, "Pack it properly."))
    assert "first time" in texts(fault_stack.say(conversation, "3"))
    assert "how many" in texts(fault_stack.say(conversation, "no"))
    assert "thank" in texts(fault_stack.say(conversation, "2"))
    assert_stored_once(
        fault_stack.database_url, customer, conversation,
        {"score": 2, "effort": 3, "contact_count": 2, "text": "The box was crushed.",
         "probe_text": "Pack it properly."},
        touchpoint="delivery", order_id="A-2020",
    )
    print(f"\n[figures] survey trigger while the action server is away: delivered on attempt {attempts}, "
          f"the survey started {started_after:.1f}s after the event; answers sent 6, stored 6, lost 0, duplicated 0")


def role(pid: int) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    if b"rasa_server.main" in command:
        return "rasa"
    return "actions" if b"actions" in command else "web"


def say(port: int, sender: str, text: str) -> list[dict]:
    reply = requests.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=150)
    reply.raise_for_status()
    return reply.json()


def test_siloscope_run_restarts_a_killed_action_server_and_the_conversation_completes(tmp_path: Path) -> None:
    config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    config["ports"] = ports
    (tmp_path / "siloscope.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    database_url = migrated(f"sqlite:///{tmp_path / 'run.db'}")  # servers never create one
    env = {
        **os.environ,
        "SILOSCOPE_CONFIG": str(tmp_path / "siloscope.yml"),
        "SILOSCOPE_VAR": str(tmp_path / "var"),
        "DATABASE_URL": database_url,
        "RASA_TOKEN": "fault-test-token",
        "PYTHONUNBUFFERED": "1",
        # Longer than the action server takes to boot on a loaded machine; the default is 45 s.
        "SILOSCOPE_ACTION_RETRY_SECONDS": "120",
        "SILOSCOPE_RASA_WORKERS": "1",  # the roles below know one Rasa process
    }
    log_path = tmp_path / "run.log"
    log = log_path.open("w+")
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "siloscope"), "run"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 300
        while "Press Ctrl-C" not in log_path.read_text():
            assert run.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "siloscope run did not come up"
            time.sleep(1)
        servers = {role(pid): pid for pid in children_of(run.pid)}
        assert set(servers) == {"rasa", "actions", "web"}, servers

        sender = f"fault-{uuid.uuid4().hex[:8]}"
        assert "which part" in texts(say(ports["rasa"], sender, "hi"))
        assert "satisfied" in texts(say(ports["rasa"], sender, "Delivery"))
        assert "wrong" in texts(say(ports["rasa"], sender, "1"))

        os.kill(servers["actions"], signal.SIGKILL)
        began = time.monotonic()
        taken = say(ports["rasa"], sender, "The courier left the parcel in the rain.")
        recovery = time.monotonic() - began
        assert "differently" in texts(taken), f"the answer sent while the action server was down: {taken}"

        assert "easy" in texts(say(ports["rasa"], sender, "Ring the bell and wait a minute."))
        assert "first time" in texts(say(ports["rasa"], sender, "1"))
        assert "how many" in texts(say(ports["rasa"], sender, "no"))
        assert "thank" in texts(say(ports["rasa"], sender, "3"))

        now = {role(pid): pid for pid in children_of(run.pid)}
        assert (now["rasa"], now["web"]) == (servers["rasa"], servers["web"]), "Rasa or the web service restarted"
        assert now["actions"] != servers["actions"] and alive(now["actions"])
        supervisor_log = log_path.read_text()
        assert "actions server exited with -9 (SIGKILL); restarting in 1.0s" in supervisor_log, supervisor_log[-3000:]
        assert "actions server is back after" in supervisor_log
        assert_stored_once(
            database_url, None, sender,
            {"score": 1, "effort": 1, "contact_count": 3, "text": "The courier left the parcel in the rain.",
             "probe_text": "Ring the bell and wait a minute."},
            touchpoint="delivery", order_id=None,
        )
        print(f"\n[figures] kill -9 action server under siloscope run: answers sent 7, stored 7, lost 0, "
              f"duplicated 0; the answer sent meanwhile was taken after {recovery:.1f}s")

        run.send_signal(signal.SIGINT)  # Ctrl-C still stops everything, the restarted server too
        assert run.wait(timeout=60) == 0
        stop_deadline = time.monotonic() + 30
        while any(alive(pid) for pid in now.values()) and time.monotonic() < stop_deadline:
            time.sleep(0.5)
        assert not [pid for pid in now.values() if alive(pid)], "a server outlived Ctrl-C"
    finally:
        if run.poll() is None:
            run.kill()
        log.close()

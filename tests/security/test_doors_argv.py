"""No secret on a command line: ``ps`` and ``/proc/<pid>/cmdline`` show every process's argv to every local user.

Attack (issue 12): Rasa was started as ``rasa run --auth-token <token>``, so any local account
could read the token and then drive Rasa's HTTP API (inject messages, read conversations).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.doors import session_processes

pytestmark = pytest.mark.e2e


def _server_pids(ports: dict[str, int]) -> dict[str, int]:
    """The process each server was started as, found by the ``--port N`` on its command line."""
    found = {}
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0") if proc.name.isdigit() else []
        except OSError:
            continue
        for name, port in ports.items():
            for i, arg in enumerate(argv[:-1]):
                if arg == b"--port" and argv[i + 1] == str(port).encode():
                    found[name] = int(proc.name)
    return found


def test_no_secret_appears_on_any_process_command_line(stack) -> None:
    config = stack.config
    servers = _server_pids({"actions": config.actions_port, "rasa": config.rasa_port, "web": config.web_port})
    assert set(servers) == {"actions", "rasa", "web"}, f"could not find every server process: {servers}"
    ours: dict[int, bytes] = {}
    for pid in servers.values():
        ours.update(session_processes(pid))  # each server and whatever it forked
    assert set(servers.values()) <= set(ours)

    configured = {value for key, value in config.env.items() if "SECRET" in key or "TOKEN" in key}
    secrets = {"rasa token": config.rasa_token, "actions secret": config.actions_token,
               **{f"configured {value[:4]}…": value for value in configured}}
    assert all(len(value) >= 8 for value in secrets.values())
    for pid, argv in ours.items():
        for name, value in secrets.items():
            assert value.encode() not in argv, f"the {name} is on the command line of pid {pid}: {argv!r}"

    # The two random secrets are on no command line of the whole machine either (a helper, a child...).
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes() if proc.name.isdigit() else b""
        except OSError:
            continue
        assert config.rasa_token.encode() not in argv and config.actions_token.encode() not in argv, proc.name

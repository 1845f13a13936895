"""How the secrets reach the servers: by environment, read by Rasa's and our own code, never in argv or a file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from bot.launcher import Stack, StackConfig, rasa_python
from bot.tokens import ACTIONS_TOKEN_ENV
from rasa_server import main as rasa_server

# What `rasa run --endpoints` does with the file, in the Rasa server's own environment.
READ_ACTION_ENDPOINT = """
import json, sys
from rasa.utils.endpoints import read_endpoint_config
endpoint = read_endpoint_config(sys.argv[1], "action_endpoint")
print(json.dumps({"url": endpoint.url, "headers": endpoint.headers}))
"""


def test_rasa_reads_the_action_secret_from_the_environment_not_from_the_file(tmp_path: Path) -> None:
    stack = Stack(StackConfig(actions_port=45123, run_dir=tmp_path / "run"))
    secret = stack.config.actions_token
    written = tmp_path / "run" / "endpoints.yml"
    assert len(secret) >= 32 and secret not in written.read_text(encoding="utf-8")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    done = subprocess.run([rasa_python(), "-c", READ_ACTION_ENDPOINT, str(written)], capture_output=True, text=True,
                          env={**os.environ, ACTIONS_TOKEN_ENV: secret}, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    endpoint = json.loads(done.stdout.splitlines()[-1])
    assert endpoint["url"] == "http://127.0.0.1:45123/webhook"
    assert endpoint["headers"] == {"Authorization": f"Bearer {secret}"}


def test_every_stack_gets_its_own_secrets_when_none_is_configured(tmp_path: Path) -> None:
    one, two = (Stack(StackConfig(run_dir=tmp_path / name)).config for name in ("a", "b"))
    assert one.actions_token and one.rasa_token and one.actions_token != two.actions_token
    assert all(one.actions_token not in arg and one.rasa_token not in arg
               for server in Stack(one).servers for arg in server.command)


@pytest.mark.parametrize("argv", [["--auth-token", "t0ken"], ["--auth-token=t0ken"]])
def test_the_rasa_entry_refuses_a_token_on_the_command_line(argv: list[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_TOKEN", "from-env")
    with pytest.raises(SystemExit, match="not as --auth-token"):
        rasa_server.main(["--enable-api", *argv])


def test_the_rasa_entry_refuses_to_start_rasa_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="RASA_TOKEN is not set"):
        rasa_server.main(["--enable-api"])


def test_the_action_secret_is_made_once_and_readable_only_by_its_owner(tmp_database: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import var_dir
    from bot.tokens import actions_token

    monkeypatch.delenv(ACTIONS_TOKEN_ENV, raising=False)
    first = actions_token()
    stored = var_dir() / "actions_token"
    assert len(first) >= 32 and stored.read_text(encoding="utf-8").strip() == first
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert actions_token() == first
    monkeypatch.setenv(ACTIONS_TOKEN_ENV, "configured-by-the-operator")
    assert actions_token() == "configured-by-the-operator"

"""deploy/ as Rasa reads it: the Rasa services' commands and the production endpoints, parsed by Rasa itself.

Runs in the Rasa server's environment (tests/rasa_server); the rest of deploy/ is checked in tests/deploy.
"""

from __future__ import annotations

import shlex

import pytest
import yaml

from bot.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_rasa_commands_parse_with_rasas_cli_and_name_files_that_exist() -> None:
    from rasa.__main__ import create_argument_parser

    parser = create_argument_parser()
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    for name in ("rasa-1", "rasa-2"):
        words = shlex.split(services[name]["command"])
        assert words[:3] == ["python", "-m", "rasa_server.main"]  # the token stays off the command line
        assert "--auth-token" not in words
        args = parser.parse_args(["run", *words[3:]])
        for option in ("credentials", "endpoints"):
            assert (PROJECT_ROOT / getattr(args, option)).exists(), f"{name}: {option} file missing"
        assert args.enable_api and args.port == 5005


def test_rasa_reads_the_production_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.utils import read_endpoints_from_path

    monkeypatch.setenv("POSTGRES_PASSWORD", "secret")
    monkeypatch.setenv("SILOSCOPE_ACTIONS_TOKEN", "actions-secret")
    endpoints = read_endpoints_from_path(DEPLOY / "endpoints.yml")
    assert endpoints.tracker_store.type == "SQL" and endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert endpoints.tracker_store.kwargs["password"] == "secret"
    assert endpoints.lock_store.type == "redis" and endpoints.lock_store.url == "redis"
    assert endpoints.action.url == "http://actions:5055/webhook"
    assert endpoints.action.headers == {"Authorization": "Bearer actions-secret"}

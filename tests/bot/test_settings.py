"""One typed settings object: every section checked once, every environment variable documented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import PROJECT_ROOT, Settings, SettingsError, get_settings, load_settings, reload_settings
from bot.settings.environment import NAMES, VARIABLES
from bot.settings.sections import OutboxConfig, Ports

CODE = ("bot", "actions", "analytics", "rasa_server", "servers", "deploy")
QUOTED = re.compile(r"[\"'`{]((?:SILOSCOPE_[A-Z_]+)|DATABASE_URL|RASA_TOKEN)[\"'`}:]")


def _read_by_the_code() -> set[str]:
    found: set[str] = set()
    for folder in CODE:
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".yml", ".example", ".md") and "static" not in path.parts:
                found |= set(QUOTED.findall(path.read_text(encoding="utf-8")))
    shipped = (PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8")
    found |= set(re.findall(r"(?:secret_env|url_env):\s*([A-Z_]+)", shipped))
    return found - {"SILOSCOPE_SECRET_ENV"}  # a Python constant's name, not a variable


def test_every_variable_the_code_reads_is_listed_and_documented() -> None:
    read = _read_by_the_code()
    assert {"SILOSCOPE_HOME", "SILOSCOPE_VAR", "SILOSCOPE_CONFIG", "SILOSCOPE_SILOS", "DATABASE_URL"} <= read
    assert read - NAMES == set(), "add these to bot/settings/environment.py and docs/configuration.md"
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (PROJECT_ROOT / "docs" / "configuration.md")
                                .read_text(encoding="utf-8"), re.M))
    assert documented == NAMES
    assert len(VARIABLES) == len(NAMES)


def test_the_shipped_file_loads_and_every_section_is_typed() -> None:
    settings = load_settings({"SILOSCOPE_CONFIG": str(PROJECT_ROOT / "siloscope.yml")})
    assert settings.ports == Ports(rasa=5005, actions=5055, web=8000)
    assert settings.outbox == OutboxConfig(max_attempts=8, backoff_seconds=30, backoff_max_seconds=3600,
                                           poll_seconds=5, timeout_seconds=10, lease_seconds=300)
    assert set(settings.webhooks.sources) == {"zendesk", "shopify", "stripe"}
    assert settings.widget.accent_color == "#2f6b46" and settings.chat.max_message_bytes == 8192
    assert settings.analytics.timezone == "UTC" and settings.privacy.retention_days == 365


def test_the_rasa_url_is_read_in_one_place_and_every_consumer_follows_it(tmp_path: Path) -> None:
    from bot.web.demo import rasa_port

    plain = Settings.from_mapping({"ports": {"rasa": 6006}})
    assert plain.webhooks.rasa.url == "http://localhost:6006" and rasa_port(plain) == 6006
    started = Settings.from_mapping({"ports": {"rasa": 6006}}, environ={"SILOSCOPE_RASA_URL": "http://127.0.0.1:7007/"})
    assert started.webhooks.rasa.url == "http://127.0.0.1:7007" and rasa_port(started) == 7007


@pytest.mark.parametrize(("raw", "environ", "message"), [
    ({"outbox": {"max_attempts": 0}}, {}, "siloscope.yml: outbox.max_attempts must be a whole number >= 1, not 0"),
    ({"widget": {"colour": "red"}}, {}, "unknown setting(s) widget.colour"),
    ({"alert": {}}, {}, "unknown section(s) alert"),
    ({"ports": {"web": 70000}}, {}, "ports.web must be a whole number from 1 to 65535, not 70000"),
    ({"conversation": {"max_reasks": "two"}}, {}, "conversation.max_reasks must be a whole number >= 0, not 'two'"),
    ({"chat": {"max_message_bytes": 100}}, {}, "chat.max_message_bytes must be at least conversation.max_text_length"),
    ({}, {"SILOSCOPE_TRUSTED_PROXIES": "yes"}, "SILOSCOPE_TRUSTED_PROXIES must be a whole number"),
    ({}, {"SILOSCOPE_RASA_URL": "rasa:5005"}, "must start with http:// or https://"),
])
def test_a_bad_value_is_refused_in_one_line_that_names_it(raw: dict, environ: dict, message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_mapping(raw, environ=environ)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_bad_file_stops_a_command_with_one_line_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "custom.yml"
    config.write_text("outbox:\n  max_attempts: 0\n", encoding="utf-8")
    monkeypatch.setenv("SILOSCOPE_CONFIG", str(config))
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        assert main(["report"]) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"siloscope report: {config}: outbox.max_attempts must be a whole number >= 1, not 0"
    finally:
        get_settings.cache_clear()


def test_settings_are_read_once_until_reloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///first.db")
    first = reload_settings()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///second.db")
    assert get_settings() is first and first.database_url == "sqlite:///first.db"
    try:
        assert reload_settings().database_url == "sqlite:///second.db"
    finally:
        get_settings.cache_clear()


def test_no_secret_is_held_in_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILOSCOPE_WEBHOOK_SECRET", "hush-hush-1234")
    monkeypatch.setenv("ZENDESK_WEBHOOK_SECRET", "zen-secret-5678")
    settings = load_settings({**os.environ, "SILOSCOPE_CONFIG": str(PROJECT_ROOT / "siloscope.yml")})
    assert "hush-hush" not in repr(settings) and "zen-secret" not in repr(settings)
    assert settings.webhooks.secret == "hush-hush-1234"  # read when used
    assert settings.webhooks.sources["zendesk"].secret == "zen-secret-5678"

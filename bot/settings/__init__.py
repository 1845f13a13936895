"""Where Siloscope finds its files, and every setting it has, as one typed object.

Everything that differs between deployments comes from the environment (``environment.py`` lists
every variable); everything a company tunes lives in YAML next to the code (``silos.yml``,
``siloscope.yml``). ``get_settings()`` reads both once per process and checks every value, so a
mistake stops a server at start-up in one line; ``reload_settings()`` reads them again (tests,
after changing the environment). Each consumer reads its own section: ``get_settings().outbox``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.privacy.files import private_dir
from bot.settings import parse
from bot.settings.parse import SettingsError
from bot.settings.sections import (
    AlertConfig,
    AnalyticsSettings,
    CaseSettings,
    ChatLimits,
    ConversationSettings,
    JourneySettings,
    OutboxConfig,
    Ports,
    PrivacyConfig,
    RasaProcesses,
    WebhookConfig,
    WidgetSettings,
)

PROJECT_ROOT = Path(os.environ.get("SILOSCOPE_HOME", Path(__file__).resolve().parent.parent.parent))

SECTIONS = ("conversation", "rasa", "ports", "webhooks", "outbox", "alerts", "widget", "chat", "analytics", "privacy",
            "journey", "cases")


def var_dir() -> Path:
    """The git-ignored folder for the default database, tokens and spooled data (owner-only, 0700)."""
    return private_dir(Path(os.environ.get("SILOSCOPE_VAR", PROJECT_ROOT / "var")))


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'siloscope.db'}"


def _whole_env(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip() or str(default)
    if not value.isdigit():
        raise SettingsError(f"{name} must be a whole number (0, 1, ...), not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Settings:
    database_url: str
    silos_file: Path
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    ports: Ports = field(default_factory=Ports)
    rasa: RasaProcesses = field(default_factory=RasaProcesses)
    webhooks: WebhookConfig = field(default_factory=lambda: parse.webhooks({}, f"http://localhost:{Ports.rasa}", None))
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    alerts: AlertConfig = field(default_factory=lambda: parse.alerts({}))
    widget: WidgetSettings = field(default_factory=WidgetSettings)
    chat: ChatLimits = field(default_factory=ChatLimits)
    analytics: AnalyticsSettings = field(default_factory=AnalyticsSettings)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    journey: JourneySettings = field(default_factory=JourneySettings)
    cases: CaseSettings = field(default_factory=lambda: parse.cases({}))
    rasa_url: str = ""  # SILOSCOPE_RASA_URL: where the launcher started Rasa; empty when it did not
    bind: str = "127.0.0.1"  # SILOSCOPE_BIND
    trusted_proxies: int = 0  # SILOSCOPE_TRUSTED_PROXIES
    config_file: Path | None = None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None, *, database_url: str = "sqlite://",
                     silos_file: Path | None = None, environ: Mapping[str, str] | None = None,
                     config_file: Path | None = None) -> Settings:
        """Settings from the content of a ``siloscope.yml`` and an environment (by default: none set)."""
        raw = raw if raw is not None else {}
        environ = environ if environ is not None else {}
        if not isinstance(raw, Mapping):
            raise SettingsError("siloscope.yml must be a mapping of sections")
        unknown = sorted(str(k) for k in set(raw) - set(SECTIONS))
        if unknown:
            raise SettingsError(f"siloscope.yml: unknown section(s) {', '.join(unknown)} "
                                f"(known: {', '.join(SECTIONS)})")
        conversation = parse.conversation(raw.get("conversation"))
        ports = parse.ports(raw.get("ports"))
        rasa_url = environ.get("SILOSCOPE_RASA_URL", "").strip()
        return cls(
            database_url=database_url,
            silos_file=silos_file if silos_file is not None else PROJECT_ROOT / "silos.yml",
            conversation=conversation,
            ports=ports,
            rasa=parse.rasa(raw.get("rasa"), environ.get("SILOSCOPE_RASA_WORKERS", "").strip() or None),
            webhooks=parse.webhooks(raw.get("webhooks"), f"http://localhost:{ports.rasa}", rasa_url or None),
            outbox=parse.outbox(raw.get("outbox")),
            alerts=parse.alerts(raw.get("alerts"), ports.web),
            widget=parse.widget(raw.get("widget"), environ.get("SILOSCOPE_SOCKET_URL", "").strip() or None),
            chat=parse.chat(raw.get("chat"), conversation),
            analytics=parse.analytics(raw.get("analytics")),
            privacy=parse.privacy(raw.get("privacy")),
            journey=parse.journey(raw.get("journey")),
            cases=parse.cases(raw.get("cases"), ports.web),
            rasa_url=rasa_url,
            bind=environ.get("SILOSCOPE_BIND", "").strip() or "127.0.0.1",
            trusted_proxies=_whole_env(environ, "SILOSCOPE_TRUSTED_PROXIES", 0),
            config_file=config_file,
        )


def _read_yaml(path: Path) -> Any:
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SettingsError(f"{where}: cannot be read ({getattr(exc, 'problem', None) or exc})") from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``siloscope.yml`` and the environment now; raises ``SettingsError`` naming the first bad value."""
    environ = os.environ if environ is None else environ
    config_file = Path(environ.get("SILOSCOPE_CONFIG", PROJECT_ROOT / "siloscope.yml"))
    try:
        return Settings.from_mapping(
            _read_yaml(config_file),
            database_url=environ.get("DATABASE_URL") or default_database_url(),
            silos_file=Path(environ.get("SILOSCOPE_SILOS", PROJECT_ROOT / "silos.yml")),
            environ=environ,
            config_file=config_file,
        )
    except SettingsError as exc:
        if config_file.name != "siloscope.yml" and str(exc).startswith("siloscope.yml:"):
            raise SettingsError(f"{config_file}{str(exc)[len('siloscope.yml'):]}") from None
        raise


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once (``reload_settings()`` reads them again)."""
    return load_settings()


def reload_settings() -> Settings:
    """Forget the settings read so far and read them again, e.g. after a test changed the environment."""
    get_settings.cache_clear()
    return get_settings()


__all__ = [
    "PROJECT_ROOT",
    "Settings",
    "SettingsError",
    "default_database_url",
    "get_settings",
    "load_settings",
    "reload_settings",
    "var_dir",
]

"""The ``webhooks:``, ``outbox:`` and ``alerts:`` sections of ``siloscope.yml``, validated once.

Secrets never live in the YAML: it names the environment variable that holds them
(``secret_env``, ``url_env``), so the file can be committed and shared. ``check`` reads all three
at start-up, so a mistake stops the web service with one clear line instead of failing later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from bot.channels.chat_text import QUOTE_MAX_CHARS_LIMIT, SLACK_SECTION_TEXT_MAX
from bot.errors import UsageError
from bot.settings import Settings, get_settings
from bot.tokens import rasa_token

SILOSCOPE_SECRET_ENV = "SILOSCOPE_WEBHOOK_SECRET"  # noqa: S105 - the name of the variable, not a secret
DESTINATION_TYPES = ("slack", "teams", "webhook")


@dataclass(frozen=True)
class SourceConfig:
    """A native tool adapter: where its signing secret is and how its events map to touchpoints."""

    name: str
    secret_env: str
    channel: str
    events: dict[str, str]

    @property
    def secret(self) -> str | None:
        return os.environ.get(self.secret_env) or None


@dataclass(frozen=True)
class RasaConfig:
    url: str
    intent: str
    output_channels: dict[str, str]
    timeout_seconds: float

    @property
    def token(self) -> str:
        """``RASA_TOKEN``, else the one ``siloscope run`` generated into var/ (so the CLI matches the server)."""
        return rasa_token()

    def output_channel(self, channel: str | None) -> str:
        """The Rasa output channel that reaches a customer on ``channel``."""
        return self.output_channels.get(channel or "", self.output_channels.get("default", "callback"))


@dataclass(frozen=True)
class WebhookConfig:
    max_body_bytes: int
    survey_window_hours: float
    signature_tolerance_seconds: int
    rasa: RasaConfig
    sources: dict[str, SourceConfig]

    @property
    def secret(self) -> str | None:
        return os.environ.get(SILOSCOPE_SECRET_ENV) or None


@dataclass(frozen=True)
class OutboxConfig:
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    poll_seconds: float
    timeout_seconds: float
    lease_seconds: float

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failure: doubling, capped."""
        return min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Destination:
    """One department channel. The URL usually comes from the environment (webhook URLs are secrets)."""

    name: str
    type: str
    url_value: str | None = None
    url_env: str | None = None
    secret_env: str | None = None

    @property
    def url(self) -> str | None:
        if self.url_env and os.environ.get(self.url_env):
            return os.environ[self.url_env]
        return self.url_value

    @property
    def secret(self) -> str | None:
        """The signing secret of a generic webhook: its own, else the Siloscope webhook secret."""
        own = os.environ.get(self.secret_env) if self.secret_env else None
        return own or os.environ.get(SILOSCOPE_SECRET_ENV) or None


@dataclass(frozen=True)
class Thresholds:
    """When a response is worth telling a department about."""

    score_at_or_below: int = 2
    effort_at_or_below: int = 3
    contact_count_at_least: int = 3
    sentiment_at_or_below: float = -0.25
    min_confidence: float = 0.35


@dataclass(frozen=True)
class AlertConfig:
    response_url: str  # with {id}: the dashboard page of one response
    quote_max_chars: int
    thresholds: Thresholds
    destinations: dict[str, Destination]
    routes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def destinations_for(self, silo: str) -> list[Destination]:
        """The channels a silo's alerts go to: its own route, else the ``default`` route."""
        names = self.routes.get(silo, self.routes.get("default", ()))
        return [self.destinations[name] for name in names]


def _section(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise UsageError(f"siloscope.yml: '{key}' must be a mapping")
    return value


def _number(section: dict[str, Any], where: str, key: str, default: float, minimum: float = 0) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise UsageError(f"siloscope.yml: {where}.{key} must be a number >= {minimum}")
    return value


def _quote_max_chars(section: dict[str, Any]) -> int:
    """The quote's length, bounded so that a Slack section can always hold it (Block Kit: 3,000 characters)."""
    value = int(_number(section, "alerts", "quote_max_chars", 200, 20))
    if value > QUOTE_MAX_CHARS_LIMIT:
        raise UsageError(
            f"siloscope.yml: alerts.quote_max_chars is {value}; the most is {QUOTE_MAX_CHARS_LIMIT}, because a "
            f"Slack section holds at most {SLACK_SECTION_TEXT_MAX:,} characters (Block Kit), the quote mark included"
        )
    return value


def webhook_config(settings: Settings | None = None) -> WebhookConfig:
    settings = settings or get_settings()
    section = _section(settings.raw, "webhooks")
    rasa = section.get("rasa") or {}
    default_rasa = f"http://localhost:{settings.ports.get('rasa', 5005)}"
    sources = {}
    for name, body in (section.get("sources") or {}).items():
        events = body.get("events") or {}
        if not isinstance(events, dict) or not body.get("secret_env"):
            raise UsageError(f"siloscope.yml: webhooks.sources.{name} needs secret_env and an events mapping")
        sources[name] = SourceConfig(
            name=name,
            secret_env=str(body["secret_env"]),
            channel=str(body.get("channel", "email")),
            events={str(k): str(v) for k, v in events.items()},
        )
    return WebhookConfig(
        max_body_bytes=int(_number(section, "webhooks", "max_body_bytes", 65536, 1)),
        survey_window_hours=_number(section, "webhooks", "survey_window_hours", 72),
        signature_tolerance_seconds=int(_number(section, "webhooks", "signature_tolerance_seconds", 300, 1)),
        rasa=RasaConfig(
            url=(os.environ.get("SILOSCOPE_RASA_URL") or rasa.get("url") or default_rasa).rstrip("/"),
            intent=str(rasa.get("intent", "touchpoint_completed")),
            output_channels={str(k): str(v) for k, v in (rasa.get("output_channels") or {}).items()},
            timeout_seconds=_number(rasa, "webhooks.rasa", "timeout_seconds", 90, 0.1),
        ),
        sources=sources,
    )


def outbox_config(settings: Settings | None = None) -> OutboxConfig:
    section = _section((settings or get_settings()).raw, "outbox")
    return OutboxConfig(
        max_attempts=int(_number(section, "outbox", "max_attempts", 8, 1)),
        backoff_seconds=_number(section, "outbox", "backoff_seconds", 30),
        backoff_max_seconds=_number(section, "outbox", "backoff_max_seconds", 3600),
        poll_seconds=_number(section, "outbox", "poll_seconds", 5, 0.05),
        timeout_seconds=_number(section, "outbox", "timeout_seconds", 10, 0.1),
        lease_seconds=_number(section, "outbox", "lease_seconds", 300, 1),
    )


def _response_url(section: dict[str, Any]) -> str:
    url = str(section.get("response_url", "http://localhost:8000/dashboard/responses/{id}"))
    if "{id}" not in url:
        raise UsageError("siloscope.yml: alerts.response_url must contain {id} (where the response number goes)")
    return url


def alert_config(settings: Settings | None = None) -> AlertConfig:
    section = _section((settings or get_settings()).raw, "alerts")
    destinations: dict[str, Destination] = {}
    for name, body in (section.get("destinations") or {}).items():
        kind = (body or {}).get("type")
        if kind not in DESTINATION_TYPES:
            raise UsageError(f"siloscope.yml: alerts.destinations.{name}.type must be one of {DESTINATION_TYPES}")
        if not body.get("url") and not body.get("url_env"):
            raise UsageError(f"siloscope.yml: alerts.destinations.{name} needs url or url_env")
        destinations[name] = Destination(
            name=name, type=kind, url_value=body.get("url"), url_env=body.get("url_env"),
            secret_env=body.get("secret_env"),
        )
    routes: dict[str, tuple[str, ...]] = {}
    for silo, names in (section.get("routes") or {}).items():
        names = [names] if isinstance(names, str) else list(names or [])
        unknown = [n for n in names if n not in destinations]
        if unknown:
            raise UsageError(f"siloscope.yml: alerts.routes.{silo} names unknown destination(s) {unknown}")
        routes[str(silo)] = tuple(names)
    raw_thresholds = section.get("thresholds") or {}
    defaults = Thresholds()
    thresholds = Thresholds(
        **{
            key: type(getattr(defaults, key))(_number(raw_thresholds, "alerts.thresholds", key, getattr(defaults, key),
                                                     minimum=-1))
            for key in Thresholds.__dataclass_fields__
        }
    )
    return AlertConfig(
        response_url=_response_url(section),
        quote_max_chars=_quote_max_chars(section),
        thresholds=thresholds,
        destinations=destinations,
        routes=routes,
    )


def check(settings: Settings | None = None) -> None:
    """Validate the three sections now; raises ``UsageError`` naming the first bad setting."""
    settings = settings or get_settings()
    webhook_config(settings)
    outbox_config(settings)
    alert_config(settings)

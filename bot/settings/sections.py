"""The sections of ``siloscope.yml`` as frozen, typed values: what every consumer reads.

Secrets never live here: a section names the environment variable that holds one
(``secret_env``, ``url_env``) and reads it when it is used, so a rotated secret needs no reload
and no settings object ever carries one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from statistics import NormalDist

SILOSCOPE_SECRET_ENV = "SILOSCOPE_WEBHOOK_SECRET"  # noqa: S105 - the name of the variable, not a secret
MAX_CONTEXT_TTL_SECONDS = 24 * 3600  # a signed page context lives at most a day


@dataclass(frozen=True)
class ConversationSettings:
    max_text_length: int = 2000
    max_reasks: int = 2
    probe_at_or_below: int = 2
    praise_at_or_above: int = 4
    language_min_words: int = 3
    # The optional "how likely are you to recommend us, 0-10?" question (Net Promoter Score), asked last.
    ask_nps: bool = False


@dataclass(frozen=True)
class RasaProcesses:
    """How many Rasa processes ``siloscope run`` starts: ``auto`` (one per core, as memory allows) or 1-32."""

    workers: str | int = "auto"


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8000


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
        from bot.tokens import rasa_token  # bot.tokens needs var_dir from this package

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
    max_attempts: int = 8
    backoff_seconds: float = 30
    backoff_max_seconds: float = 3600
    poll_seconds: float = 5
    timeout_seconds: float = 10
    lease_seconds: float = 300

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


@dataclass(frozen=True)
class WidgetSettings:
    """How the embedded widget reaches the bot and what it shows."""

    socket_url: str = ""  # empty: the page's own host on the Rasa port
    socket_path: str = "/socket.io/"
    title: str = "How did we do?"
    subtitle: str = ""
    input_hint: str = "Type your answer…"
    storage: str = "local"
    accent_color: str = ""
    channel: str = "web"
    demo_touchpoint: str = "delivery"
    context_ttl_seconds: int = 3600


@dataclass(frozen=True)
class ChatLimits:
    """How large a message may be at Rasa's doors."""

    max_message_bytes: int = 8192
    max_body_bytes: int = 16384
    max_sender_chars: int = 128


@dataclass(frozen=True)
class MetricSettings:
    """The tunable parts of the report's definitions."""

    dissatisfied_at_or_below: int = 2
    high_effort_at_or_below: int = 3
    weights: tuple[tuple[str, float], ...] = (
        ("dissatisfied_share", 0.4), ("high_effort_share", 0.2), ("negative_share", 0.2), ("repeat_rate", 0.2),
    )
    confidence: float = 0.95
    min_sample: int = 30

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(0.5 + self.confidence / 2)


@dataclass(frozen=True)
class AnalyticsSettings:
    timezone: str = "UTC"  # an IANA name; checked where reports are made (zoneinfo is slow to import)
    metrics: MetricSettings = field(default_factory=MetricSettings)


@dataclass(frozen=True)
class RedactionRules:
    """Which kinds of personal data, besides card numbers, are replaced by a tag."""

    emails: bool = True
    phones: bool = True
    ibans: bool = True
    addresses: bool = True


@dataclass(frozen=True)
class PrivacyConfig:
    redact: RedactionRules = field(default_factory=RedactionRules)
    # Free text older than this many days is erased by the retention sweep; None keeps it.
    retention_days: int | None = None
    # How often the web service runs the retention sweep.
    sweep_minutes: float = 60.0


@dataclass(frozen=True)
class JourneySettings:
    """How a customer's touchpoints are cut into purchase cycles (``analytics/cycles.py``)."""

    # A touchpoint without an order, this many days after the customer's previous one, starts a new cycle.
    cycle_gap_days: int = 30


@dataclass(frozen=True)
class CaseSettings:
    """Cases (``bot.cases``): where their dashboard page is, who owns one nobody else does, how long each may take."""

    case_url: str  # with {id}: the dashboard page of one case, linked from every alert
    default_owner: str = "customer_service"
    # hours from opening to due, per reason a case is opened for
    due_hours_asked_for_person: float = 4
    due_hours_alert_thresholds: float = 48

    def link(self, case_id: int) -> str:
        return self.case_url.replace("{id}", str(case_id))

"""Reading ``siloscope.yml`` into its typed sections, checking every value on the way.

A value that cannot be used raises ``SettingsError`` with one line naming the key, what it must be
and what it was, so a mistake stops a server at start-up instead of failing on the first request.
A misspelt key is an error too: silently ignored, it would leave the default in force.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from bot.channels.chat_text import QUOTE_MAX_CHARS_LIMIT, SLACK_SECTION_TEXT_MAX
from bot.errors import UsageError
from bot.settings.sections import (
    MAX_CONTEXT_TTL_SECONDS,
    AlertConfig,
    AnalyticsSettings,
    CaseSettings,
    ChatLimits,
    ConversationSettings,
    Destination,
    JourneySettings,
    MetricSettings,
    OutboxConfig,
    Ports,
    PrivacyConfig,
    RasaConfig,
    RasaProcesses,
    RedactionRules,
    SourceConfig,
    Thresholds,
    WebhookConfig,
    WidgetSettings,
)

DESTINATION_TYPES = ("slack", "teams", "webhook")
STORAGES = ("local", "session")


class SettingsError(UsageError, ValueError):
    """``siloscope.yml`` or a deployment variable cannot be used; the message says which and what to write."""


class Section:
    """One mapping of the file, with the checks every key goes through."""

    def __init__(self, raw: Any, where: str, known: set[str] | None = None) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise SettingsError(f"siloscope.yml: {where} must be a mapping of settings, not {raw!r}")
        if known is not None:
            unknown = sorted(str(k) for k in set(raw) - known)
            if unknown:
                raise SettingsError(f"siloscope.yml: unknown setting(s) {', '.join(f'{where}.{k}' for k in unknown)}"
                                    f" (known: {', '.join(sorted(known))})")
        self.raw: Mapping[str, Any] = raw
        self.where = where

    def fail(self, key: str, rule: str) -> SettingsError:
        """``rule`` completes "must ...": "be a number >= 0", "start with /"."""
        return SettingsError(f"siloscope.yml: {self.where}.{key} must {rule}, not {self.raw.get(key)!r}")

    def section(self, key: str, known: set[str] | None = None) -> Section:
        return Section(self.raw.get(key), f"{self.where}.{key}", known)

    def number(self, key: str, default: float, minimum: float = 0, maximum: float | None = None) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum or (
                maximum is not None and value > maximum):
            rule = f"be a number from {minimum} to {maximum}" if maximum is not None else f"be a number >= {minimum}"
            raise self.fail(key, rule)
        return float(value)

    def whole(self, key: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
                maximum is not None and value > maximum):
            rule = f"be a whole number from {minimum} to {maximum}" if maximum is not None else \
                f"be a whole number >= {minimum}"
            raise self.fail(key, rule)
        return value

    def text(self, key: str, default: str) -> str:
        value = self.raw.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, "be text")
        return value.strip()

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "be true or false")
        return value

    def names(self, key: str) -> dict[str, str]:
        """A mapping of names to names (``events``, ``output_channels``)."""
        found = self.raw.get(key) or {}
        if not isinstance(found, Mapping):
            raise self.fail(key, "be a mapping of names")
        return {str(k): str(v) for k, v in found.items()}


def _known(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def conversation(raw: Any) -> ConversationSettings:
    section = Section(raw, "conversation", _known(ConversationSettings))
    defaults = ConversationSettings()
    return ConversationSettings(
        max_text_length=section.whole("max_text_length", defaults.max_text_length, 1),
        max_reasks=section.whole("max_reasks", defaults.max_reasks, 0),
        probe_at_or_below=section.whole("probe_at_or_below", defaults.probe_at_or_below, 0, 5),
        praise_at_or_above=section.whole("praise_at_or_above", defaults.praise_at_or_above, 1, 6),
        language_min_words=section.whole("language_min_words", defaults.language_min_words, 0),
        ask_nps=section.flag("ask_nps", defaults.ask_nps),
    )


MAX_RASA_WORKERS = 32


def rasa(raw: Any, override: str | None) -> RasaProcesses:
    """The ``rasa`` section; ``override`` is $SILOSCOPE_RASA_WORKERS, checked by the same rule."""
    section = Section(raw, "rasa", _known(RasaProcesses))
    value: Any = override if override else section.raw.get("workers", "auto")
    if value == "auto":
        return RasaProcesses("auto")
    try:
        workers = int(str(value)) if not isinstance(value, bool) else 0
    except ValueError:
        workers = 0
    if not 1 <= workers <= MAX_RASA_WORKERS:
        where = "SILOSCOPE_RASA_WORKERS" if override else "siloscope.yml: rasa.workers"
        raise SettingsError(f"{where} must be 'auto' or a whole number from 1 to {MAX_RASA_WORKERS}, not {value!r}")
    return RasaProcesses(workers)


def ports(raw: Any) -> Ports:
    section = Section(raw, "ports", _known(Ports))
    defaults = Ports()
    return Ports(**{name: section.whole(name, getattr(defaults, name), 1, 65535) for name in _known(Ports)})


def webhooks(raw: Any, default_rasa_url: str, rasa_url_override: str | None) -> WebhookConfig:
    section = Section(raw, "webhooks", {"max_body_bytes", "survey_window_hours", "signature_tolerance_seconds",
                                        "rasa", "sources"})
    rasa = section.section("rasa", {"url", "intent", "timeout_seconds", "output_channels"})
    sources: dict[str, SourceConfig] = {}
    for name in section.section("sources").raw:
        body = section.section("sources").section(str(name), {"secret_env", "channel", "events"})
        if not body.raw.get("secret_env") or not isinstance(body.raw.get("events"), Mapping):
            raise SettingsError(f"siloscope.yml: webhooks.sources.{name} needs secret_env and an events mapping")
        sources[str(name)] = SourceConfig(name=str(name), secret_env=body.text("secret_env", ""),
                                          channel=body.text("channel", "email"), events=body.names("events"))
    url = rasa_url_override or rasa.text("url", "") or default_rasa_url
    if not re.match(r"https?://[^/\s]+", url):
        raise SettingsError(f"the Rasa URL (webhooks.rasa.url or SILOSCOPE_RASA_URL) must start with http:// or "
                            f"https://, not {url!r}")
    return WebhookConfig(
        max_body_bytes=section.whole("max_body_bytes", 65536, 1),
        survey_window_hours=section.number("survey_window_hours", 72),
        signature_tolerance_seconds=section.whole("signature_tolerance_seconds", 300, 1),
        rasa=RasaConfig(url=url.rstrip("/"), intent=rasa.text("intent", "touchpoint_completed"),
                        output_channels=rasa.names("output_channels"),
                        timeout_seconds=rasa.number("timeout_seconds", 90, 0.1)),
        sources=sources,
    )


def outbox(raw: Any) -> OutboxConfig:
    section = Section(raw, "outbox", _known(OutboxConfig))
    return OutboxConfig(
        max_attempts=section.whole("max_attempts", 8, 1),
        backoff_seconds=section.number("backoff_seconds", 30),
        backoff_max_seconds=section.number("backoff_max_seconds", 3600),
        poll_seconds=section.number("poll_seconds", 5, 0.05),
        timeout_seconds=section.number("timeout_seconds", 10, 0.1),
        lease_seconds=section.number("lease_seconds", 300, 1),
    )


def _quote_max_chars(section: Section) -> int:
    """The quote's length, bounded so that a Slack section can always hold it (Block Kit: 3,000 characters)."""
    value = section.whole("quote_max_chars", 200, 20)
    if value > QUOTE_MAX_CHARS_LIMIT:
        raise SettingsError(
            f"siloscope.yml: alerts.quote_max_chars is {value}; the most is {QUOTE_MAX_CHARS_LIMIT}, because a "
            f"Slack section holds at most {SLACK_SECTION_TEXT_MAX:,} characters (Block Kit), the quote mark included"
        )
    return value


def alerts(raw: Any, web_port: int = Ports.web) -> AlertConfig:
    section = Section(raw, "alerts", {"response_url", "quote_max_chars", "thresholds", "destinations", "routes"})
    destinations: dict[str, Destination] = {}
    for name in section.section("destinations").raw:
        body = section.section("destinations").section(str(name), {"type", "url", "url_env", "secret_env"})
        kind = body.raw.get("type")
        if kind not in DESTINATION_TYPES:
            raise SettingsError(f"siloscope.yml: alerts.destinations.{name}.type must be one of "
                                f"{', '.join(DESTINATION_TYPES)}, not {kind!r}")
        if not body.raw.get("url") and not body.raw.get("url_env"):
            raise SettingsError(f"siloscope.yml: alerts.destinations.{name} needs url or url_env")
        destinations[str(name)] = Destination(name=str(name), type=kind, url_value=body.text("url", "") or None,
                                              url_env=body.text("url_env", "") or None,
                                              secret_env=body.text("secret_env", "") or None)
    routes: dict[str, tuple[str, ...]] = {}
    for silo, names in section.section("routes").raw.items():
        chosen = [names] if isinstance(names, str) else list(names or [])
        unknown = [n for n in chosen if n not in destinations]
        if unknown:
            raise SettingsError(f"siloscope.yml: alerts.routes.{silo} names unknown destination(s) {unknown} "
                                f"(known: {', '.join(destinations)})")
        routes[str(silo)] = tuple(chosen)
    thresholds = section.section("thresholds", _known(Thresholds))
    defaults = Thresholds()
    response_url = section.text("response_url", f"http://localhost:{web_port}/dashboard/responses/{{id}}")
    if "{id}" not in response_url:
        raise SettingsError("siloscope.yml: alerts.response_url must contain {id} (where the response number goes)")
    return AlertConfig(
        response_url=response_url,
        quote_max_chars=_quote_max_chars(section),
        thresholds=Thresholds(
            score_at_or_below=thresholds.whole("score_at_or_below", defaults.score_at_or_below, 0, 5),
            effort_at_or_below=thresholds.whole("effort_at_or_below", defaults.effort_at_or_below, 0, 7),
            contact_count_at_least=thresholds.whole("contact_count_at_least", defaults.contact_count_at_least, 1),
            sentiment_at_or_below=thresholds.number("sentiment_at_or_below", defaults.sentiment_at_or_below, -1, 1),
            min_confidence=thresholds.number("min_confidence", defaults.min_confidence, 0, 1),
        ),
        destinations=destinations,
        routes=routes,
    )


def widget(raw: Any, socket_url_override: str | None) -> WidgetSettings:
    section = Section(raw, "widget", _known(WidgetSettings))
    defaults = WidgetSettings()
    values = {name: section.text(name, getattr(defaults, name))
              for name in _known(WidgetSettings) - {"context_ttl_seconds"}}
    result = WidgetSettings(
        **{**values, "socket_url": socket_url_override or values["socket_url"]},
        context_ttl_seconds=section.whole("context_ttl_seconds", defaults.context_ttl_seconds, 1,
                                            MAX_CONTEXT_TTL_SECONDS),
    )
    if result.storage not in STORAGES:
        raise section.fail("storage", f"be one of {', '.join(STORAGES)}")
    if result.socket_url and not re.match(r"https?://[^/\s]+", result.socket_url):
        raise SettingsError(f"the widget socket URL (widget.socket_url or SILOSCOPE_SOCKET_URL) must start with "
                            f"http:// or https://, not {result.socket_url!r}")
    if result.accent_color and not re.fullmatch(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?", result.accent_color):
        raise section.fail("accent_color", "be like #2f6b46")
    if not result.socket_path.startswith("/"):
        raise section.fail("socket_path", "start with /")
    return result


def chat(raw: Any, conversation_settings: ConversationSettings) -> ChatLimits:
    section = Section(raw, "chat", _known(ChatLimits))
    defaults = ChatLimits()
    limits = ChatLimits(**{name: section.whole(name, getattr(defaults, name), 1) for name in _known(ChatLimits)})
    if limits.max_body_bytes < limits.max_message_bytes:
        raise SettingsError("siloscope.yml: chat.max_body_bytes must be at least chat.max_message_bytes")
    if limits.max_message_bytes < conversation_settings.max_text_length:
        raise SettingsError("siloscope.yml: chat.max_message_bytes must be at least conversation.max_text_length")
    return limits


def analytics(raw: Any) -> AnalyticsSettings:
    section = Section(raw, "analytics", {"timezone", "dissatisfied_at_or_below", "high_effort_at_or_below",
                                         "friction_weights", "confidence", "min_sample"})
    defaults = MetricSettings()
    components = dict(defaults.weights)
    weights = section.section("friction_weights", set(components))
    merged = {name: weights.number(name, default) for name, default in components.items()}
    if not sum(merged.values()):
        raise SettingsError("siloscope.yml: analytics.friction_weights must not all be zero")
    metrics = MetricSettings(
        dissatisfied_at_or_below=section.whole("dissatisfied_at_or_below", defaults.dissatisfied_at_or_below, 1, 5),
        high_effort_at_or_below=section.whole("high_effort_at_or_below", defaults.high_effort_at_or_below, 1, 7),
        weights=tuple(merged.items()),
        confidence=section.number("confidence", defaults.confidence, 0.5, 0.999),
        min_sample=section.whole("min_sample", defaults.min_sample, 1),
    )
    return AnalyticsSettings(timezone=section.text("timezone", "UTC") or "UTC", metrics=metrics)


def privacy(raw: Any) -> PrivacyConfig:
    section = Section(raw, "privacy", {"redact", "retention_days", "sweep_minutes"})
    redact = section.section("redact", _known(RedactionRules) | {"cards"})
    if redact.raw.get("cards", True) is not True:
        raise SettingsError("siloscope.yml: privacy.redact.cards cannot be turned off: card numbers are never stored")
    days = section.raw.get("retention_days")
    return PrivacyConfig(
        redact=RedactionRules(**{name: redact.flag(name, True) for name in _known(RedactionRules)}),
        retention_days=None if days is None else section.whole("retention_days", 0, 1),
        sweep_minutes=section.number("sweep_minutes", 60, 0.01),
    )


def journey(raw: Any) -> JourneySettings:
    section = Section(raw, "journey", _known(JourneySettings))
    return JourneySettings(cycle_gap_days=section.whole("cycle_gap_days", JourneySettings.cycle_gap_days, 1, 3650))


def cases(raw: Any, web_port: int = Ports.web) -> CaseSettings:
    section = Section(raw, "cases", {"case_url", "default_owner", "due_hours"})
    due = section.section("due_hours", {"asked_for_person", "alert_thresholds"})
    defaults = CaseSettings(case_url="")
    case_url = section.text("case_url", f"http://localhost:{web_port}/dashboard/cases/{{id}}")
    if "{id}" not in case_url:
        raise SettingsError("siloscope.yml: cases.case_url must contain {id} (where the case number goes)")
    owner = section.text("default_owner", defaults.default_owner)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", owner):
        raise section.fail("default_owner", "be a silo name from silos.yml, like customer_service")
    return CaseSettings(
        case_url=case_url,
        default_owner=owner,
        due_hours_asked_for_person=due.number("asked_for_person", defaults.due_hours_asked_for_person, 0.01),
        due_hours_alert_thresholds=due.number("alert_thresholds", defaults.due_hours_alert_thresholds, 0.01),
    )

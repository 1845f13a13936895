"""The ``privacy:`` section of ``siloscope.yml``, validated once per settings object.

Card numbers are always redacted (PCI DSS forbids storing them); the other kinds of personal
data can be kept where a company has a reason to, e.g. an address it needs to act on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from bot.errors import UsageError
from bot.settings import Settings, get_settings


@dataclass(frozen=True)
class RedactionRules:
    """Which kinds of personal data, besides card numbers, are replaced by a tag."""

    emails: bool = True
    phones: bool = True
    ibans: bool = True
    addresses: bool = True


@dataclass(frozen=True)
class PrivacyConfig:
    redact: RedactionRules = RedactionRules()
    # Free text older than this many days is erased by the retention sweep; None keeps it.
    retention_days: int | None = None
    # How often the web service runs the retention sweep.
    sweep_minutes: float = 60.0


_cache: dict[int, tuple[Settings, PrivacyConfig]] = {}


def _parse(raw: Any) -> PrivacyConfig:
    section = raw.get("privacy") or {}
    if not isinstance(section, dict):
        raise UsageError("siloscope.yml: 'privacy' must be a mapping")
    unknown = sorted(set(section) - {"redact", "retention_days", "sweep_minutes"})
    if unknown:
        raise UsageError(f"siloscope.yml: unknown privacy setting(s) {unknown}")
    redact = section.get("redact") or {}
    known = {f.name for f in fields(RedactionRules)}
    if not isinstance(redact, dict) or set(redact) - known - {"cards"}:
        raise UsageError(f"siloscope.yml: privacy.redact takes only {sorted(known)} (true/false)")
    if redact.get("cards", True) is not True:
        raise UsageError("siloscope.yml: privacy.redact.cards cannot be turned off: card numbers are never stored")
    for key, value in redact.items():
        if not isinstance(value, bool):
            raise UsageError(f"siloscope.yml: privacy.redact.{key} must be true or false")
    days = section.get("retention_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise UsageError("siloscope.yml: privacy.retention_days must be a whole number of days >= 1, or empty")
    sweep = section.get("sweep_minutes", 60)
    if isinstance(sweep, bool) or not isinstance(sweep, (int, float)) or sweep <= 0:
        raise UsageError("siloscope.yml: privacy.sweep_minutes must be a number > 0")
    return PrivacyConfig(
        redact=RedactionRules(**{k: v for k, v in redact.items() if k in known}),
        retention_days=days,
        sweep_minutes=float(sweep),
    )


def privacy_config(settings: Settings | None = None) -> PrivacyConfig:
    """The parsed section; a bad value raises ``UsageError`` the first time it is read."""
    settings = settings or get_settings()
    cached = _cache.get(id(settings))
    if cached is None or cached[0] is not settings:
        cached = _cache[id(settings)] = (settings, _parse(settings.raw))
    return cached[1]

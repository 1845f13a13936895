"""Where Siloscope finds its files and deployment settings.

Everything that differs between deployments comes from the environment; everything a
company tunes lives in YAML next to the code (``silos.yml``, ``siloscope.yml``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.privacy.files import private_dir

PROJECT_ROOT = Path(os.environ.get("SILOSCOPE_HOME", Path(__file__).resolve().parent.parent))


def var_dir() -> Path:
    """The git-ignored folder for the default database, tokens and spooled data (owner-only, 0700)."""
    return private_dir(Path(os.environ.get("SILOSCOPE_VAR", PROJECT_ROOT / "var")))


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'siloscope.db'}"


@dataclass(frozen=True)
class ConversationSettings:
    max_text_length: int = 2000
    max_reasks: int = 2
    probe_at_or_below: int = 2
    praise_at_or_above: int = 4
    language_min_words: int = 3


@dataclass(frozen=True)
class Settings:
    database_url: str
    silos_file: Path
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    ports: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; call ``get_settings.cache_clear()`` after changing the env."""
    raw = _read_yaml(Path(os.environ.get("SILOSCOPE_CONFIG", PROJECT_ROOT / "siloscope.yml")))
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_database_url(),
        silos_file=Path(os.environ.get("SILOSCOPE_SILOS", PROJECT_ROOT / "silos.yml")),
        conversation=ConversationSettings(**raw.get("conversation", {})),
        ports={"rasa": 5005, "actions": 5055, "web": 8000, **raw.get("ports", {})},
        raw=raw,
    )

"""Secrets the product needs but nobody configured: made once, kept in var/, never a fixed default."""

from __future__ import annotations

import os
import secrets

from bot.privacy.files import private_file, write_private
from bot.settings import var_dir

ACTIONS_TOKEN_ENV = "SILOSCOPE_ACTIONS_TOKEN"  # noqa: S105 (the variable's name, not a secret)


def get_or_create_token(env_var: str, filename: str) -> str:
    """The token from ``env_var`` if set, else one generated once into ``var/<filename>`` (git-ignored)."""
    from_env = os.environ.get(env_var, "").strip()
    if from_env:
        return from_env
    path = var_dir() / filename
    if path.exists() and path.read_text(encoding="utf-8").strip():
        private_file(path)  # a token file an older version left world-readable
        return path.read_text(encoding="utf-8").strip()
    token = secrets.token_urlsafe(24)
    write_private(path, token + "\n")  # 0600 from the first byte, not chmod-ed after
    return token


def rasa_token() -> str:
    """The token protecting Rasa's HTTP API (conversations, triggers)."""
    return get_or_create_token("RASA_TOKEN", "rasa_token")


def actions_token() -> str:
    """The secret Rasa presents to the action server (``Authorization: Bearer``); nobody else has it."""
    return get_or_create_token(ACTIONS_TOKEN_ENV, "actions_token")

"""Secrets the product needs but nobody configured: made once, kept in var/, never a fixed default."""

from __future__ import annotations

import os
import secrets
import time

from bot.privacy.files import private_file
from bot.settings import var_dir

ACTIONS_TOKEN_ENV = "SILOSCOPE_ACTIONS_TOKEN"  # noqa: S105 (the variable's name, not a secret)


def get_or_create_token(env_var: str, filename: str, nbytes: int = 24) -> str:
    """The token from ``env_var`` if set, else one generated once into ``var/<filename>`` (git-ignored).

    The file is created owner-only in one step (never readable by others, not even for a moment),
    and exclusively, so servers starting together agree on one value.
    """
    from_env = os.environ.get(env_var, "").strip()
    if from_env:
        return from_env
    path = var_dir() / filename
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        private_file(path)  # a token file an older version left world-readable is narrowed
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(nbytes) + "\n")
    for _ in range(50):  # another process may have created the file a moment before writing it
        found = path.read_text(encoding="utf-8").strip()
        if found:
            return found
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it to have a new secret generated")


def rasa_token() -> str:
    """The token protecting Rasa's HTTP API (conversations, triggers)."""
    return get_or_create_token("RASA_TOKEN", "rasa_token")


def actions_token() -> str:
    """The secret Rasa presents to the action server (``Authorization: Bearer``); nobody else has it."""
    return get_or_create_token(ACTIONS_TOKEN_ENV, "actions_token")


def widget_secret() -> str:
    """The secret that signs page contexts for the website chat and the conversation ids we issue.

    Shared with the company's page server (which signs the context the widget passes on); the web
    service and Rasa read the same value.
    """
    return get_or_create_token("SILOSCOPE_WIDGET_SECRET", "widget_secret", nbytes=32)

"""Who runs a command, for the records that keep it (privacy audit, learnt examples)."""

from __future__ import annotations

import getpass


def actor(given: str | None) -> str:
    """``--by`` when given, else the login name; "unknown" in a bare container that has none."""
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "unknown"

"""Where Rasa keeps conversations: its tracker store and lock store, derived from the environment.

A conversation in Rasa's default in-memory store dies with the Rasa process: a customer who
answers after a restart would start a new survey without their context. So the launcher gives
Rasa a persistent tracker store, by default in the same SQL database as the feedback (Rasa adds
its own ``events`` table), or another one named by ``SILOSCOPE_TRACKER_STORE_URL`` (an SQL URL
or ``redis://``). ``SILOSCOPE_LOCK_STORE_URL=redis://...`` makes the lock store shared between
Rasa processes; one Rasa process is safe with the default in-memory lock store.

Passwords never go into the generated endpoints file: it names an environment variable instead
(Rasa substitutes ``${VAR}`` when it reads the file), and the launcher sets that variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url

from bot.errors import UsageError

TRACKER_STORE_URL = "SILOSCOPE_TRACKER_STORE_URL"
LOCK_STORE_URL = "SILOSCOPE_LOCK_STORE_URL"
IN_MEMORY = "memory"
REDIS_SCHEMES = ("redis", "rediss")


@dataclass(frozen=True)
class RasaStores:
    """Sections for Rasa's endpoints.yml, and the environment they refer to."""

    endpoints: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


def rasa_stores(environ: Mapping[str, str], database_url: str) -> RasaStores:
    """The tracker store (``SILOSCOPE_TRACKER_STORE_URL``, else ``database_url``) and lock store."""
    endpoints: dict[str, Any] = {}
    env: dict[str, str] = {}
    tracker_url = environ.get(TRACKER_STORE_URL) or database_url
    if tracker_url != IN_MEMORY:
        endpoints["tracker_store"] = _store(tracker_url, "SILOSCOPE_TRACKER_STORE_PASSWORD", env, redis_db=0)
    lock_url = environ.get(LOCK_STORE_URL)
    if lock_url and lock_url != IN_MEMORY:
        if _scheme(lock_url) not in REDIS_SCHEMES:
            raise UsageError(f"{LOCK_STORE_URL} must be a redis:// or rediss:// URL, not {_scheme(lock_url)!r}")
        endpoints["lock_store"] = _store(lock_url, "SILOSCOPE_LOCK_STORE_PASSWORD", env, redis_db=1)
    return RasaStores(endpoints, env)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


def _store(url: str, password_variable: str, env: dict[str, str], redis_db: int) -> dict[str, Any]:
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError, or ValueError for a bad port
        raise UsageError(f"cannot read the conversation store URL {_redacted(url)!r}: {exc}") from None
    if parsed.password:
        env[password_variable] = str(parsed.password)
    password = f"${{{password_variable}}}" if parsed.password else None
    if _scheme(url) in REDIS_SCHEMES:
        section = {
            "type": "redis",
            "url": parsed.host or "localhost",  # Rasa passes `url` as the host (and refuses `host`)
            "port": parsed.port or 6379,
            "db": int(parsed.database) if parsed.database else redis_db,
            "username": parsed.username,
            "password": password,
            "use_ssl": _scheme(url) == "rediss",
        }
    elif parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise UsageError("an in-memory SQLite database cannot keep conversations: use a file")
        section = {"type": "SQL", "dialect": "sqlite", "db": parsed.database}
    else:
        section = {
            "type": "SQL",
            "dialect": parsed.drivername,
            "url": parsed.host,
            "port": parsed.port,
            "db": parsed.database,
            "username": parsed.username,
            "password": password,
            "query": dict(parsed.query) or None,
        }
    return {key: value for key, value in section.items() if value not in (None, "")}


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]

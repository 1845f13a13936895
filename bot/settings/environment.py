"""Every environment variable Siloscope reads: one table, the source of docs/configuration.md's.

The deployment's non-secret values are read once into ``Settings`` (``bot.settings.load``).
Secrets are read where they are used (``bot.tokens``, a section's ``secret``), so none is ever
held in a settings object or its repr; a test checks that the code reads no variable missing here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    default: str
    secret: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable("SILOSCOPE_HOME", "the project folder: where siloscope.yml, silos.yml and var/ are found",
             "the folder holding bot/"),
    Variable("SILOSCOPE_VAR", "the owner-only folder for the default database, tokens, spool and model cache",
             "$SILOSCOPE_HOME/var"),
    Variable("SILOSCOPE_CONFIG", "the product settings file", "$SILOSCOPE_HOME/siloscope.yml"),
    Variable("SILOSCOPE_SILOS", "the organisation file (silos, touchpoints)", "$SILOSCOPE_HOME/silos.yml"),
    Variable("DATABASE_URL", "the SQLAlchemy URL of the feedback store (SQLite or PostgreSQL)",
             "sqlite:///$SILOSCOPE_VAR/siloscope.db"),
    Variable("SILOSCOPE_RASA_URL", "Rasa's HTTP API; overrides webhooks.rasa.url and the Rasa port the demo page "
             "uses (`siloscope run` sets it for the servers it starts)", "http://localhost:<ports.rasa>"),
    Variable("SILOSCOPE_SOCKET_URL", "where visitors' browsers reach Rasa's socket.io channel; overrides "
             "widget.socket_url", "widget.socket_url"),
    Variable("SILOSCOPE_BIND", "the interface `siloscope run` binds Rasa, the action server and the web service to "
             "(its --host default)", "127.0.0.1"),
    Variable("SILOSCOPE_TRUSTED_PROXIES", "how many proxies in front of the web service may set X-Forwarded-*",
             "0"),
    Variable("SILOSCOPE_TRACKER_STORE_URL", "Rasa's tracker store (an SQL URL or redis://), read by "
             "`siloscope run`", "DATABASE_URL"),
    Variable("SILOSCOPE_TRACKER_STORE_PASSWORD", "the password of that tracker store", "none", secret=True),
    Variable("SILOSCOPE_LOCK_STORE_URL", "a shared Rasa lock store (redis://) for several Rasa workers",
             "in-memory"),
    Variable("SILOSCOPE_LOCK_STORE_PASSWORD", "the password of that lock store", "none", secret=True),
    Variable("SILOSCOPE_ACTION_RETRY_SECONDS", "how long the Rasa server retries an unreachable action server",
             "45"),
    Variable("SILOSCOPE_RASA_PYTHON", "the Python of the Rasa server's own environment (Rasa 3.6 needs 3.10)",
             ".venv-rasa/bin/python"),
    Variable("SILOSCOPE_RASA_WORKERS", "how many Rasa processes `siloscope run` starts (overrides rasa.workers)",
             "rasa.workers: auto"),
    Variable("SILOSCOPE_RASA_WORKER", "set by `siloscope run` in each Rasa worker: its number, so that the "
             "socket.io session ids it issues route back to it (not for users)", "unset"),
    Variable("SILOSCOPE_SPOOL_REPLAY_SECONDS", "how often an action server replays spooled answers into the "
             "database by itself, after an outage (0 < seconds <= 3600)", "15"),
    Variable("RASA_TOKEN", "the token of Rasa's HTTP API", "generated once into var/rasa_token", secret=True),
    Variable("SILOSCOPE_ACTIONS_TOKEN", "the secret the Rasa server shows the action server",
             "generated once into var/actions_token", secret=True),
    Variable("SILOSCOPE_DASHBOARD_TOKEN", "the dashboard's access token",
             "generated once into var/dashboard_token", secret=True),
    Variable("SILOSCOPE_WIDGET_SECRET", "signs the page contexts the widget passes on",
             "generated once into var/widget_secret", secret=True),
    Variable("SILOSCOPE_WEBHOOK_SECRET", "signs native touchpoint events in and generic alert webhooks out",
             "none: /webhooks/touchpoint answers 503", secret=True),
    # Named by siloscope.yml (secret_env, url_env): rename them there.
    Variable("ZENDESK_WEBHOOK_SECRET", "Zendesk's signing secret (webhooks.sources.zendesk.secret_env)", "none",
             secret=True),
    Variable("SHOPIFY_WEBHOOK_SECRET", "Shopify's signing secret (webhooks.sources.shopify.secret_env)", "none",
             secret=True),
    Variable("STRIPE_WEBHOOK_SECRET", "Stripe's signing secret (webhooks.sources.stripe.secret_env)", "none",
             secret=True),
    Variable("SILOSCOPE_SLACK_WEBHOOK_URL", "the Slack incoming-webhook URL (alerts.destinations.slack.url_env)",
             "none: the destination is skipped", secret=True),
    Variable("SILOSCOPE_TEAMS_WEBHOOK_URL", "the Teams workflow URL (alerts.destinations.teams.url_env)",
             "none: the destination is skipped", secret=True),
    Variable("SILOSCOPE_ALERT_WEBHOOK_URL", "the generic alert webhook URL (alerts.destinations.helpdesk.url_env)",
             "none: the destination is skipped", secret=True),
    Variable("SILOSCOPE_ALERT_WEBHOOK_SECRET", "signs that generic alert webhook "
             "(alerts.destinations.helpdesk.secret_env)", "SILOSCOPE_WEBHOOK_SECRET", secret=True),
    Variable("SILOSCOPE_VERSION", "the image tag deploy/docker-compose.yml runs", "latest"),
)

NAMES = frozenset(v.name for v in VARIABLES)

"""Shared by the integration attack tests: the channel fixtures, and the tools' own validators.

The fixtures (local Slack/Teams/helpdesk/Rasa peers on 127.0.0.1, a scratch database, the web
service) are the channel tests' own, so these tests drive exactly the doors those do; a test
module takes them with ``peers, channel_env, sessions, web = CHANNEL_FIXTURES``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft6Validator
from slack_sdk.models.blocks import Block

from bot.settings import get_settings
from tests.bot.channels import conftest as channel_fixtures

SECRETS = channel_fixtures.SECRETS
CHANNEL_FIXTURES = (channel_fixtures.peers, channel_fixtures.channel_env, channel_fixtures.sessions,
                    channel_fixtures.web)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ADAPTIVE_CARD_SCHEMA = FIXTURES / "adaptive_cards" / "adaptive-card-1.4.0.schema.json"


def set_config(env: dict[str, str], section: str, **values: Any) -> None:
    """Change one section of the test's siloscope.yml (before a server or CLI reads it)."""
    path = Path(env["SILOSCOPE_CONFIG"])
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config[section].update(values)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    get_settings.cache_clear()


def slack_blocks_valid(body: dict[str, Any]) -> None:
    """Slack's own block model (slack_sdk) accepts every block, limits included, and loses nothing."""
    blocks = Block.parse_all(body["blocks"])
    assert len(blocks) == len(body["blocks"])
    for parsed, raw in zip(blocks, body["blocks"], strict=True):
        parsed.validate_json()  # raises SlackObjectFormationError (e.g. a section text over 3,000)
        assert parsed.to_dict() == raw


@lru_cache(maxsize=1)
def _card_validator() -> Draft6Validator:
    schema = json.loads(ADAPTIVE_CARD_SCHEMA.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def adaptive_card_errors(card: dict[str, Any]) -> list[str]:
    """What the official Adaptive Card 1.4 schema says is wrong with ``card`` (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _card_validator().iter_errors(card)]


def elements(node: Any) -> list[dict[str, Any]]:
    """Every JSON object in a card, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(elements(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(elements(value))
    return found

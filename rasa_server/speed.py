"""Rasa checks every action server answer against a JSON schema; this checks it with a validator built once.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every
custom action call. That function first validates the *schema* against its draft 2020-12
metaschema, every time, and that alone was a fifth of the Rasa process's time per turn (profiled
with py-spy: 82 % of ``RemoteAction.run`` in ``jsonschema``, ``check_schema`` most of it;
docs/reliability.md "Speed"). The schema never changes, so it is checked once and the same
validator is reused: the answer is still validated exactly as before, with the same error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_ORIGINAL = RemoteAction._validate_action_result
HELP = (". Failed to validate Action server response from API, make sure your response from the Action "
        "endpoint is valid. For more information about the format visit {docs}/custom-actions")


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """What ``jsonschema.validate`` does (best-matching error raised), without re-checking the schema."""
    from rasa.shared.constants import DOCS_BASE_URL

    error: ValidationError | None = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += HELP.format(docs=DOCS_BASE_URL)
        raise error
    return True


def install() -> None:
    """Validate action server answers with the cached validator (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def uninstall() -> None:
    RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[method-assign]

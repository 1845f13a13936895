"""Run actions as Rasa runs them (the helpers live in ``tests.support``).

The helpers come as the ``chat`` fixture (pytest runs with ``--import-mode=importlib``, so test
modules cannot import each other).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.database import stored_conversations, stored_customer, stored_responses
from tests.support.trackers import load_domain, make_tracker, responses, run, slots_set


@pytest.fixture
def domain() -> dict[str, Any]:
    """domain.yml as the action server receives it from Rasa."""
    return load_domain()


@pytest.fixture
def chat() -> SimpleNamespace:
    """The helpers above, for tests: ``chat.tracker(...)``, ``chat.run(action, tracker, domain)`` ..."""
    return SimpleNamespace(
        tracker=make_tracker,
        run=run,
        slots_set=slots_set,
        responses=responses,
        stored_responses=stored_responses,
        stored_conversations=stored_conversations,
        stored_customer=stored_customer,
    )

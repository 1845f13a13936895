"""The hand-computed store of ``friction_data`` as a fixture on the test's fresh database."""

from __future__ import annotations

import pytest

from tests.analytics.friction_data import write_friction_store


@pytest.fixture
def friction_store(tmp_database: str) -> list[int]:
    """Writes the fixture responses into a fresh database (the default one for the CLI) and returns their ids."""
    return write_friction_store(tmp_database)

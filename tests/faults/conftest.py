"""Fixtures of the fault suite (each harness module keeps its own; they are gathered here)."""

from tests.faults.spool_harness import database, writers  # noqa: F401

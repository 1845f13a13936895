"""Fixtures of the fault suite (each harness module keeps its own; they are gathered here, so that the
session-wide ones are one per session and not one per test module that imports them)."""

from tests.faults.restarts import fault_stack, fault_stack_running  # noqa: F401
from tests.faults.spool_harness import database, writers  # noqa: F401

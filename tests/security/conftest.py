"""The security room drives the real doors: the same stack (and browser) the end-to-end tests start."""

from __future__ import annotations

from tests.e2e.conftest import browser, stack  # noqa: F401  (fixtures reused as they are)

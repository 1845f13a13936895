"""The security room drives the real doors: the same stack the end-to-end tests start."""

from __future__ import annotations

from tests.e2e.conftest import stack  # noqa: F401  (the session's running product, reused as a fixture)

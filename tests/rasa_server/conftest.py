"""tests/rasa_server runs in the Rasa server's environment (.venv-rasa, Python 3.10), where Rasa is.

The core's environment has no Rasa, so there these files are not collected and the end of the
report says so; ``make unit`` runs them with ``.venv-rasa/bin/pytest --confcutdir=tests/rasa_server``.
"""

from __future__ import annotations

import importlib.util

import pytest

RASA_HERE = importlib.util.find_spec("rasa") is not None

if not RASA_HERE:
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RASA_HERE:
        terminalreporter.write_line("tests/rasa_server: not collected, Rasa is not in this environment "
                                    "(make unit runs them in .venv-rasa)")

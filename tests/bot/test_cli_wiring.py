"""The ``siloscope`` command imports a subcommand's module only when that subcommand runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "textblob", "sqlalchemy", "rasa_sdk", "rasa", "sanic", "numpy", "requests", "alembic",
         "analytics", "bot.commands", "bot.store", "bot.attribution", "bot.sentiment", "bot.web")

PROBE = """
import json, sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
heavy = sorted({name for name in sys.modules for top in HEAVY if name == top or name.startswith(top + ".")})
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _imported_by(*argv: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_help_imports_no_subcommand_and_no_heavy_library() -> None:
    found = _imported_by("--help")
    assert found["code"] == 0
    assert found["heavy"] == []


def test_the_probe_sees_a_subcommand_that_does_import_them() -> None:
    """The same probe on ``report --help`` finds SQLAlchemy, so an empty list above means something."""
    found = _imported_by("report", "--help")
    assert found["code"] == 0
    assert "sqlalchemy" in found["heavy"] and "bot.commands.report" in found["heavy"]


@pytest.mark.parametrize("command", [c.name for c in COMMANDS])
def test_every_listed_subcommand_has_a_module_that_configures_it(command: str) -> None:
    parser = build_parser([command])
    choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(choices) == [command]
    with pytest.raises(SystemExit) as shown:
        parser.parse_args([command, "--help"])
    assert shown.value.code == 0

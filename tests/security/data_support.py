"""Helpers for the customers'-data tests: the ``siloscope`` CLI in a subprocess on a scratch store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT


def cli_env(tmp_path: Path, **privacy: object) -> dict[str, str]:
    """The environment ``siloscope`` runs with: this worktree's code, a scratch database and var/.

    ``privacy`` overrides keys of siloscope.yml's ``privacy:`` section (a scratch copy of the file).
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'siloscope.db'}",
        "SILOSCOPE_VAR": str(tmp_path / "var"),
    }
    if privacy:
        config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
        config["privacy"] = {**config.get("privacy", {}), **privacy}
        path = tmp_path / "siloscope.yml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        env["SILOSCOPE_CONFIG"] = str(path)
    return env


def siloscope(env: dict[str, str], *args: str, stdin: int | None = subprocess.DEVNULL,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m bot.cli ARGS`` as a user runs it (stdin not a terminal unless given one)."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=PROJECT_ROOT, env=env, stdin=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False)


def database_dump(url: str, without: tuple[str, ...] = ()) -> str:
    """Every row of the SQLite database as SQL text (but the tables ``without``): what a stolen file shows."""
    if not url.startswith("sqlite:///"):
        pytest.skip("reads the SQLite file itself")
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        skipped = tuple(f'INSERT INTO "{table}"' for table in without)
        return "\n".join(line for line in connection.iterdump() if not line.startswith(skipped))
    finally:
        connection.close()

"""The core modules Rasa's environment loads are exactly those rasa_server/ names (rasa_server.CORE_MODULES).

Runs in the Rasa server's environment: a module that starts to import more of the core (which may need
Python 3.12 or SQLAlchemy 2) fails here, not in production.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from bot.settings import PROJECT_ROOT
from rasa_server import CORE_MODULES

LOAD_EVERY_DOOR = """
import json, sys
import rasa_server.callback, rasa_server.door, rasa_server.durability, rasa_server.main, rasa_server.rest
import rasa_server.nlu_certainty, rasa_server.socketio, rasa_server.speed, rasa_server.tracker_store_guard
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("bot", "actions", "analytics", "servers"))))
"""


def test_rasa_server_loads_only_the_core_modules_it_names() -> None:
    done = subprocess.run([sys.executable, "-c", LOAD_EVERY_DOOR], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == sorted(CORE_MODULES)


def test_the_named_modules_are_linted_for_the_rasa_environments_python() -> None:
    """ruff checks these files against Python 3.10, so no newer syntax slips into what Rasa imports."""
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    linted = set(re.findall(r'^"(bot/[^"]+)" = "py310"$', text, re.M))
    paths = {name.replace(".", "/") + ("/__init__.py" if (PROJECT_ROOT / name.replace(".", "/")).is_dir() else ".py")
             for name in CORE_MODULES}
    assert linted == paths
    assert '"rasa_server/**" = "py310"' in text

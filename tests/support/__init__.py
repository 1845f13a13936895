"""What the test rooms share, one module an idea; ``from tests.support import X`` keeps working for the old names.

- ``processes``: free ports, stopping a server, ``siloscope web`` in a subprocess.
- ``database``: a migrated scratch database, sessions and the counts and rows tests read back.
- ``trackers``: the tracker builder and the action runner of the action tests.
- ``servers``:  Debian's PostgreSQL and Redis on free ports.
- ``browser``:  Debian's chromium.
- ``stack``:    the real product (Rasa, action server, web service), one per test session (a pytest plugin).
"""

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.database import migrated
from tests.support.processes import WebService, free_port, stop_process

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "WebService", "free_port", "migrated", "stop_process"]

"""``rasa run`` with Siloscope's Rasa-side parts installed and the API token kept off the command line.

Run as ``python -m rasa_server.main <rasa run options>`` with ``RASA_TOKEN`` set; the launcher
starts Rasa this way.
- What runs inside Rasa (``rasa_server.durability``, ``rasa_server.lock_store``, ``rasa_server.tracker_store_guard``,
  ``rasa_server.speed``) is in place before the first message.
- ``rasa run --auth-token <token>`` would put the token in the process's argv, where ``ps`` and
  ``/proc/<pid>/cmdline`` show it to every local user. Rasa reads its token only from that option,
  so it is handed to Rasa's own command-line parser inside the process: the arguments the process
  was started with never contain it, and everything else is exactly ``rasa run``.
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "RASA_TOKEN"  # noqa: S105 (the variable's name, not a secret)


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in arguments):
        sys.exit(f"pass the token in ${TOKEN_ENV}, not as --auth-token (the command line is public)")
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        sys.exit(f"${TOKEN_ENV} is not set: Rasa's HTTP API would be open to anyone who reaches its port")
    from rasa.__main__ import main as rasa_main

    from rasa_server import durability, lock_store, speed, tracker_store_guard

    durability.install()
    lock_store.install()
    tracker_store_guard.install()
    speed.install()
    sys.argv = ["rasa", "run", *arguments, "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()

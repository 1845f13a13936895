"""``rasa run`` with the API token taken from ``RASA_TOKEN`` instead of the command line.

``rasa run --auth-token <token>`` puts the token in the process's argv, where ``ps`` and
``/proc/<pid>/cmdline`` show it to every local user. Rasa reads its token only from that option,
so this entry hands the option to Rasa's own command line inside the process: the arguments it
was started with (what ``ps`` shows) never contain the token, and everything else is exactly
``rasa run`` (same parser, logging, telemetry settings and server).

Run as ``python -m servers.rasa_server <rasa run options>`` with ``RASA_TOKEN`` set.
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

    sys.argv = ["rasa", "run", *arguments, "--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()

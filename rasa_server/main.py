"""The Rasa server with Siloscope's Rasa-side parts installed: ``python -m rasa_server.main run ...``.

It takes exactly the arguments of the ``rasa`` command; the launcher starts Rasa through it so
that what runs inside Rasa (``rasa_server.durability``) is in place before the first message.
"""

from __future__ import annotations

from rasa.__main__ import main as rasa_main

from rasa_server import durability


def main() -> None:
    durability.install()
    rasa_main()


if __name__ == "__main__":
    main()

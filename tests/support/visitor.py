"""A website visitor's socket.io connection to Rasa, for tests that drive the widget's door without a browser."""

from __future__ import annotations

import threading
import time

import socketio


class Visitor:
    """A browser's socket.io connection to Rasa, speaking the protocol the widget (rasa-webchat) speaks."""

    def __init__(self, rasa_url: str, metadata: dict | None = None) -> None:
        self.client = socketio.Client(reconnection=False)
        self.replies: list[dict] = []
        self.confirmed: list[str] = []
        self.metadata = metadata or {}
        self._changed = threading.Condition()
        self.client.on("bot_uttered", self._on_reply)
        self.client.on("session_confirm", self._on_confirm)
        self.client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)

    def _on_reply(self, data: dict) -> None:
        with self._changed:
            self.replies.append(data)
            self._changed.notify_all()

    def _on_confirm(self, session: str) -> None:
        with self._changed:
            self.confirmed.append(session)
            self._changed.notify_all()

    def _wait(self, done, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("socket.io: nothing arrived in time")
                self._changed.wait(left)

    def ask_session(self, session_id: str | None = None, timeout: float = 20) -> str:
        """``session_request`` (optionally for a session id of our choosing); the id the server confirms."""
        before = len(self.confirmed)
        self.client.emit("session_request", {"session_id": session_id})
        self._wait(lambda: len(self.confirmed) > before, timeout)
        return self.confirmed[-1]

    def send(self, text: str, session_id: str | None = None, wait: bool = True, timeout: float = 60) -> list[dict]:
        """One ``user_uttered``; with ``wait``, the bot's replies until they stop coming for a moment."""
        before = len(self.replies)
        session = session_id or (self.confirmed[-1] if self.confirmed else None)
        self.client.emit("user_uttered", {"message": text, "customData": self.metadata, "session_id": session})
        if not wait:
            return []
        self._wait(lambda: len(self.replies) > before, timeout)
        settled = len(self.replies)
        while True:
            time.sleep(1.0)
            if len(self.replies) == settled:
                return self.replies[before:]
            settled = len(self.replies)

    def close(self) -> None:
        self.client.disconnect()

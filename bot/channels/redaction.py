"""Quotes shaped for a chat channel: personal data out (``bot.privacy.redaction``), then cut short."""

from __future__ import annotations

from bot.privacy.redaction import redact


def short_quote(text: str | None, max_chars: int) -> str:
    """A redacted quote cut at a word boundary; redaction first, so a cut never leaves half a number."""
    quote = " ".join(redact(text or "").split())
    if len(quote) <= max_chars:
        return quote
    cut = quote[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"

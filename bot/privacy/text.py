"""A customer's words as we keep them: readable characters only, personal data out.

Everything a customer types reaches the store through here (``bot.feedback``), before it is
spooled, stored or analysed. Control characters are dropped because they do harm downstream:
NUL makes PostgreSQL refuse the row, ANSI escapes repaint the terminal of whoever runs
``siloscope export``, bidi overrides (U+202E...) make a dashboard quote read differently
from what was stored. Newlines, tabs-as-spaces, emoji (with their joiners, variation selectors
and flag tags) stay. The result is NFC, so the same words are always the same string.
"""

from __future__ import annotations

import re
import unicodedata

from bot.privacy.redaction import ALL, redact
from bot.settings.sections import RedactionRules

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-character escapes, 8-bit CSI.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TRANSLATION: dict[int, str | None] = {
    **{code: None for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]},
    **{ord(c): None for c in BIDI_CONTROLS},
    ord("\n"): "\n",
    ord("\t"): " ",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n",
    ord("\ufeff"): None,
}


def normalise(text: str) -> str:
    """NFC text without control characters, escape sequences or bidi overrides; newlines kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = ANSI.sub("", text)
    text = LONE_SURROGATE.sub("\ufffd", text)  # half an emoji from a broken client: not encodable
    return unicodedata.normalize("NFC", text.translate(_TRANSLATION))


def clean_customer_text(text: str, rules: RedactionRules = ALL) -> str:
    """What may be kept of a customer's text: normalised, then card numbers and the chosen kinds redacted."""
    return redact(normalise(text), rules)

"""Personal data out of quotes before they leave for a chat channel.

Alerts land in Slack or Teams, where many people read them and retention is out of our hands,
so e-mail addresses, phone numbers and payment card numbers are replaced by a tag. Card
numbers are found first and checked with Luhn, so an order number is not mistaken for one;
any other run of digits written like a phone number is treated as one (dates and short
bare numbers such as order numbers are kept, since they help the department act).
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# 13-19 digits, optionally in groups separated by single spaces or dashes.
CARD = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")
# An optional +country, then 7-15 digits with spaces, dots, dashes or brackets between them.
PHONE = re.compile(r"(?<![\w])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-/]?\(?\d{1,5}\)?){2,6}(?![\w])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group()


DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    if DATE.fullmatch(text.strip()):
        return text
    if text.isdigit():  # a bare run of digits is more often an order number than a phone
        return "[phone]" if 10 <= len(digits) <= 12 else text
    return "[phone]" if 7 <= len(digits) <= 15 else text


def redact(text: str) -> str:
    """The text with e-mails, card numbers and phone numbers replaced by ``[email]``, ``[card]``, ``[phone]``."""
    text = EMAIL.sub("[email]", text)
    text = CARD.sub(_card, text)
    return PHONE.sub(_phone, text)


def short_quote(text: str | None, max_chars: int) -> str:
    """A redacted quote cut at a word boundary; redaction first, so a cut never leaves half a number."""
    quote = " ".join(redact(text or "").split())
    if len(quote) <= max_chars:
        return quote
    cut = quote[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"

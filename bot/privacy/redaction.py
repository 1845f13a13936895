"""Personal data found in free text and replaced by a tag, keeping the words around it.

Used twice: on every customer text before it is stored or analysed (with the company's
``privacy.redact`` choices), and on quotes before they leave for a chat channel (everything,
since Slack and Teams retention is out of our hands). Tags are plain words in brackets
(``[card]``, ``[email]``, ``[phone]``, ``[iban]``, ``[address]``), so "charged twice on card
[card]" still reads as a billing complaint.

Order matters: e-mails first, then IBANs (checked with ISO 13616 mod 97) and card numbers
(checked with Luhn, so an order number is not mistaken for one) before phone numbers, which
would otherwise claim their digits. Dates and short bare numbers such as order numbers are
kept, since they help the department act. Addresses are a heuristic for the common English
and German forms ("221B Baker Street", "Hauptstraße 5", UK postcodes).
"""

from __future__ import annotations

import re

from bot.settings.sections import RedactionRules

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Two letters, two check digits, then 11-30 letters or digits, optionally grouped by spaces or dashes.
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
# 13-19 digits, optionally in groups separated by single spaces or dashes.
CARD = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")
# An optional +country, then 7-15 digits with spaces, dots, dashes or brackets between them.
PHONE = re.compile(r"(?<![\w])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-/]?\(?\d{1,5}\)?){2,6}(?![\w])")
DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_STREET_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|square|sq|terrace|"
    "close|crescent|gardens|parkway|highway|hwy"
)
ADDRESS = re.compile(
    # "221B Baker Street", "12, Long Acre Road": a house number, capitalised name words, a street type.
    rf"(?<![\w])\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'\-]*\s+){{1,4}}(?i:{_STREET_TYPES})\b"
    # "Hauptstraße 5", "Am Lindenweg 12a"
    r"|(?<![\w])[A-ZÄÖÜ][\wäöüß\-]*(?i:straße|strasse|str\.|weg|platz|gasse|allee)\s+\d{1,4}[a-z]?(?![\w])"
    # UK postcodes: "SW1A 1AA", "NW1 6XE"
    r"|(?<![\w])[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![\w])"
)

ALL = RedactionRules()


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _iban_ok(compact: str) -> bool:
    if not (15 <= len(compact) <= 34 and compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _iban(match: re.Match[str]) -> str:
    """The longest prefix of the run that is a valid IBAN (a word may follow without a gap)."""
    raw = match.group()
    for end in range(len(raw), 0, -1):
        if raw[end - 1].isalnum() and (end == len(raw) or raw[end] in " -"):
            if _iban_ok(re.sub(r"[ \-]", "", raw[:end]).upper()):
                return "[iban]" + raw[end:]
    return raw


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group()


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    if DATE.fullmatch(text.strip()):
        return text
    if text.isdigit():  # a bare run of digits is more often an order number than a phone
        return "[phone]" if 10 <= len(digits) <= 12 else text
    return "[phone]" if 7 <= len(digits) <= 15 else text


def redact(text: str, rules: RedactionRules = ALL) -> str:
    """The text with card numbers, and the kinds ``rules`` names, replaced by their tags."""
    if rules.emails:
        text = EMAIL.sub("[email]", text)
    if rules.ibans:
        text = IBAN.sub(_iban, text)
    text = CARD.sub(_card, text)
    if rules.phones:
        text = PHONE.sub(_phone, text)
    if rules.addresses:
        text = ADDRESS.sub("[address]", text)
    return text

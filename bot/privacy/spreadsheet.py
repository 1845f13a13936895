"""Cells that a spreadsheet shows as text, never runs as a formula (CSV injection).

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and DDE via ``|``), even in a .csv; tab and carriage return start one too. Customer
words and names from webhooks reach our CSVs, so every CSV the product writes passes its text
cells through ``safe_cell`` (OWASP's advice: a leading apostrophe). Numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """The value, with an apostrophe before a text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.lstrip(" ")[:1] in FORMULA_STARTS and value.strip():
        return "'" + value
    return value

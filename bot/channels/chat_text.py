"""Customers' words made inert for the chat apps that show alerts, and cut to fit their limits.

Slack reads mrkdwn in a message's ``text`` and in section blocks: ``<!here>``, ``<!channel>``,
``<@U…>`` and ``<!subteam^…>`` notify people, ``<https://x|Open in dashboard>`` shows a link under
any label. Slack's rule (https://api.slack.com/reference/surfaces/formatting#escaping) is to write
``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;``, ``&gt;``; with every ``<`` escaped no control
sequence can be formed. Slack has no escape for ``*bold*``, ``_italic_``, ``~strike~`` and
backtick code, so those characters become look-alikes (＊ ＿ ～ ｀) that it does not format.

Teams needs no escaping: the quote goes into an Adaptive Card ``TextRun``, which is never read
as Markdown (a ``TextBlock`` is, so ``[label](url)`` would be a link there).

A quote that does not fit (Block Kit holds 3,000 characters in a section's text) is cut between
whole characters of the customer's text, so an escape is never left half written (``&am``), and
at a word boundary, so a URL is kept whole or left out rather than cut into another address.
"""

from __future__ import annotations

from collections.abc import Mapping

SLACK_SECTION_TEXT_MAX = 3000  # Block Kit: a section block's text object
SLACK_QUOTE_PREFIX = "> "
ELLIPSIS = "…"
# The longest quote (alerts.quote_max_chars) that fits a Slack section with its quote mark.
QUOTE_MAX_CHARS_LIMIT = SLACK_SECTION_TEXT_MAX - len(SLACK_QUOTE_PREFIX)

_SLACK_CONTROL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SLACK_INERT = {**_SLACK_CONTROL, "*": "＊", "_": "＿", "~": "～", "`": "｀"}


def _render(text: str, table: Mapping[str, str]) -> str:
    return "".join(table.get(char, char) for char in text)


def slack_escape(text: str) -> str:
    """Our own words (silo names, reasons) for Slack: only its control characters escaped."""
    return _render(text, _SLACK_CONTROL)


def slack_inert(text: str) -> str:
    """A customer's words for Slack: no mention, link or formatting survives, every word stays readable."""
    return _render(text, _SLACK_INERT)


def _looks_like_url(word: str) -> bool:
    return "://" in word or word.lower().startswith("www.")


def fit(text: str, limit: int, table: Mapping[str, str]) -> str:
    """``text`` rendered with ``table``, at most ``limit`` characters long once rendered.

    The cut is made in the customer's text (never inside a rendered escape), at the last word
    boundary that fits; a single word longer than the limit is cut inside, unless it is a URL,
    which is left out.
    """
    words = " ".join(text.split())
    rendered = [table.get(char, char) for char in words]
    if sum(map(len, rendered)) <= limit:
        return "".join(rendered)
    budget = limit - len(ELLIPSIS)
    end = used = 0
    while end < len(rendered) and used + len(rendered[end]) <= budget:
        used += len(rendered[end])
        end += 1
    head = words[:end]
    if end < len(words) and words[end] != " ":  # the cut falls inside a word
        space = head.rfind(" ")
        if space > 0:
            head = head[:space]
        elif _looks_like_url(words.split(" ", 1)[0]):
            head = ""
    return _render(head.rstrip(" ,.;:"), table) + ELLIPSIS


def slack_quote(text: str) -> str:
    """A customer's words as inert mrkdwn that fits a section after ``SLACK_QUOTE_PREFIX``."""
    return fit(text, QUOTE_MAX_CHARS_LIMIT, _SLACK_INERT)

"""Errors that carry a message meant for the person at the keyboard.

Each door (CLI, HTTP) picks its exit code or status by the error's type, never by its text.
"""


class UsageError(Exception):
    """Bad input from a user: print the message, change nothing, exit 2."""


class NoFeedback(UsageError):
    """A valid request that matches no feedback: the store is empty, or the filters leave nothing.

    The CLI treats it like any usage error (exit 2, with a hint); the dashboard shows the hint with
    200, because the page and its filters are fine and only the data is missing.
    """

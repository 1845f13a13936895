"""Errors that carry a message meant for the person at the keyboard."""


class UsageError(Exception):
    """Bad input from a user: print the message, change nothing, exit 2."""

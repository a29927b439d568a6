"""Errors a user acts on: each message says what is wrong, where, and what to do."""


class ConfigError(ValueError):
    """A setting is malformed; the message names the variable and how to fix it."""

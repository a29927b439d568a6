"""Errors a user acts on: each message says what is wrong, where, and what to do."""

import dagster as dg


class ConfigError(ValueError):
    """A setting is malformed; the message names the variable and how to fix it."""


class PermanentError(dg.Failure):
    """A failure that a retry cannot mend (bad data, a missing upstream month): the step
    fails at once, whatever its retry policy."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message, allow_retries=False)


# Transient errors (a server restarting, a dropped connection) are retried with bounded
# backoff: 2 more attempts, 10 s then 20 s later.
TRANSIENT_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)

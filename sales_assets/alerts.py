"""Telling people when a run fails: a run-failure sensor that always logs the failure and,
when ``SALES_ALERT_WEBHOOK_URL`` is set, posts a short Slack-compatible JSON message to it.

The message holds the run, its months, the failed step and the first line of the error:
never the webhook URL (it is a credential) nor the warehouse password.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import sqlalchemy as sa

from sales_assets.resources.month_lock import run_months

WEBHOOK_VARIABLE = "SALES_ALERT_WEBHOOK_URL"
POST_TIMEOUT_S = 10
MAX_ERROR_CHARS = 300


def months_text(tags: Mapping[str, str]) -> str:
    """The months of a run, as the month lock reads them from its partition tags."""
    months = run_months(dict(tags))
    if not months:
        return "no month"
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"


def without_secrets(text: str, env: Mapping[str, str] | None = None) -> str:
    """The text with the warehouse password and the webhook URL masked."""
    env = os.environ if env is None else env
    secrets = [env.get(WEBHOOK_VARIABLE, "")]
    with contextlib.suppress(sa.exc.ArgumentError):
        secrets.append(sa.make_url(env.get("SALES_WAREHOUSE_URL", "")).password or "")
    for secret in filter(None, secrets):
        text = text.replace(str(secret), "***")
    return text


def failure_message(
    run_id: str, job: str, months: str, failed_steps: Sequence[str], error: str
) -> dict[str, Any]:
    """The alert: a Slack-compatible ``text`` plus the same facts as fields."""
    first_line = without_secrets((error.strip().splitlines() or ["no error message"])[0])
    first_line = first_line[:MAX_ERROR_CHARS]
    step = ", ".join(failed_steps) or "no step (the run failed before or after its steps)"
    return {
        "text": f"sales_assets: run {run_id[:8]} of {job} failed for {months} "
        f"at {step}: {first_line}",
        "run_id": run_id,
        "job": job,
        "months": months,
        "failed_steps": list(failed_steps),
        "error": first_line,
    }


def post_alert(url: str, message: Mapping[str, Any]) -> None:
    """POST the message as JSON; raises ``OSError`` with a message that omits the URL."""
    request = urllib.request.Request(
        url,
        data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_S) as response:
            response.read()
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        reason = getattr(error, "reason", None) or getattr(error, "code", None) or error
        raise OSError(
            f"the alert webhook ({WEBHOOK_VARIABLE}) refused or failed: {reason}"
        ) from None


@dg.run_failure_sensor(
    name="run_failure_alert",
    # Every job of this code location: runs launched from the CLI (`dg launch`) or the asset
    # graph run as Dagster's implicit asset job, not as sales_pipeline.
    default_status=dg.DefaultSensorStatus.RUNNING,  # launches nothing: on from the start
    description=f"Logs every failed run of this code location; posts it to ${WEBHOOK_VARIABLE} "
    "when set.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    failures = context.get_step_failure_events()
    steps = [event.step_key for event in failures if event.step_key]
    error = failures[0].event_specific_data.error if failures else None
    # After the retries the step's error says so; what went wrong is its cause.
    while error is not None and error.cause is not None and "max_retries" in error.message:
        error = error.cause
    text = error.message if error is not None else context.failure_event.message or ""
    message = failure_message(run.run_id, run.job_name, months_text(run.tags), steps, text)
    context.log.error(message["text"])
    url = os.environ.get(WEBHOOK_VARIABLE)
    if url:
        try:
            post_alert(url, message)
        except OSError as failed:  # the alert is logged above either way
            context.log.warning(str(failed))

"""Month-end freshness: the last complete month's results must be materialized by a day of
the next month (``SALES_RESULTS_DUE_DAY``, default 5, at 00:00 UTC).

Dagster's own time-partition freshness check expects the newest partition, which here is the
running month (it is a partition so that its files can be processed as they land); this one
expects the month just closed. ``freshness_schedule`` evaluates it every day once turned on.
"""

import datetime as dt
import os
from collections.abc import Mapping

import dagster as dg

from sales_assets.errors import ConfigError
from sales_assets.partitions import MONTH_KEY_FORMAT, first_month, previous_month

DUE_DAY_VARIABLE = "SALES_RESULTS_DUE_DAY"
DEFAULT_DUE_DAY = 5
FRESHNESS_CHECK = "results_of_last_complete_month"
RESULT_ASSETS = ("customer_monthly_sales", "sales_team_incentive")


def due_day(env: Mapping[str, str] | None = None) -> int:
    text = (os.environ if env is None else env).get(DUE_DAY_VARIABLE, "").strip()
    if not text:
        return DEFAULT_DUE_DAY
    if not text.isdigit() or not 1 <= int(text) <= 28:
        raise ConfigError(f"{DUE_DAY_VARIABLE}={text!r}: use a day of the month from 1 to 28.")
    return int(text)


def month_due(now: dt.datetime, day: int) -> str:
    """The latest month whose results are due at ``now``: the month before the running one
    from its due day on, the one before that until then."""
    closed = previous_month(now.strftime(MONTH_KEY_FORMAT))
    return closed if now.day >= day else previous_month(closed)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _freshness_check(asset: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=FRESHNESS_CHECK,
        description=f"The last complete month of {asset} is materialized by day "
        f"${DUE_DAY_VARIABLE} (default {DEFAULT_DUE_DAY}) of the next month, 00:00 UTC.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        day = due_day()
        month = month_due(utc_now(), day)
        metadata = {"month_due": month, "due_day": day}
        if month < first_month():
            return dg.AssetCheckResult(passed=True, metadata=metadata, description="nothing due")
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[month]), limit=1
        ).records
        passed = bool(records)
        return dg.AssetCheckResult(
            passed=passed,
            metadata=metadata,
            description=None
            if passed
            else f"{month} of {asset} was due by day {day} of the next month and is not "
            f"materialized: materialize {month} (its files under sales/{month}/).",
        )

    return _check


FRESHNESS_CHECKS = [_freshness_check(asset) for asset in RESULT_ASSETS]

freshness_job = dg.define_asset_job(
    "results_freshness",
    selection=dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    description="The month-end freshness checks of the result tables.",
)

freshness_schedule = dg.ScheduleDefinition(
    name="freshness_schedule",
    job=freshness_job,
    cron_schedule="0 7 * * *",
    execution_timezone="UTC",
    # Off until a deployment turns it on, like every schedule here: a daily run in the history.
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 07:00 UTC: are the last complete month's results in?",
)

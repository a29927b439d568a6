"""The month after: ``customer_monthly_sales`` for M+1 compares it with M.

That comparison reads ``customer_data_mart`` for M from the lake, outside Dagster's graph:
declared as a dependency with a -1 month offset, it would make Dagster 1.13 split a range
launched from the asset graph into two runs, the second also writing the month after the
range from a mart month that was never built (README, "The month before").

So a sensor keeps M+1 right instead: when a finished run has re-materialized the mart for M
and ``customer_monthly_sales`` for M+1 exists but is older, it runs
``customer_monthly_sales`` for M+1 (consecutive months in one run). The landing sensor
already runs M+1 with M; this covers a month re-run by hand, from the UI or the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dagster as dg

from sales_assets.jobs import sales_pipeline_job
from sales_assets.partitions import month_ranges, next_month, previous_month

MART = dg.AssetKey("customer_data_mart")
MONTHLY_SALES = dg.AssetKey("customer_monthly_sales")
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
EVENTS_PER_TICK = 500


@dataclass(frozen=True)
class MartEvent:
    """A materialization of one mart month."""

    storage_id: int
    month: str
    run_finished: bool


@dataclass(frozen=True)
class FollowingPlan:
    months: list[str]  # months whose customer_monthly_sales is older than the month before
    cursor: int  # the last mart event taken into account


def plan_following_months(
    cursor: int, events: Iterable[MartEvent], latest_monthly_sales: Callable[[str], int | None]
) -> FollowingPlan:
    """Which M+1 to re-run, given the mart events after ``cursor`` (in storage order) and
    the storage id of each month's latest ``customer_monthly_sales`` materialization.

    Stops at the first event of a run still going: that run may yet write M+1 itself (and
    holds its month lock)."""
    stale: set[str] = set()
    for event in events:
        if not event.run_finished:
            break
        following = next_month(event.month)
        latest = latest_monthly_sales(following)
        if latest is not None and latest < event.storage_id:
            stale.add(following)
        cursor = event.storage_id
    return FollowingPlan(sorted(stale), cursor)


def run_requests(plan: FollowingPlan) -> list[dg.RunRequest]:
    requests = []
    for first, last in month_ranges(plan.months):
        key = f"{first}..{last}:after-mart-event-{plan.cursor}"
        tags = {} if first == last else {RANGE_START_TAG: first, RANGE_END_TAG: last}
        requests.append(
            dg.RunRequest(
                run_key=key,
                partition_key=first if first == last else None,
                asset_selection=[MONTHLY_SALES],
                tags=tags,
            )
        )
    return requests


def _latest_storage_id(instance: dg.DagsterInstance, asset: dg.AssetKey, month: str) -> int | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[month]), limit=1
    ).records
    return records[0].storage_id if records else None


def _mart_events(instance: dg.DagsterInstance, cursor: int) -> list[MartEvent]:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=MART, after_storage_id=cursor),
        limit=EVENTS_PER_TICK,
        ascending=True,
    ).records
    finished: dict[str, bool] = {}

    def run_finished(run_id: str) -> bool:
        if run_id not in finished:
            run = instance.get_run_by_id(run_id)
            finished[run_id] = run is None or run.is_finished  # None: a runless report
        return finished[run_id]

    return [
        MartEvent(r.storage_id, r.partition_key, run_finished(r.run_id))
        for r in records
        if r.partition_key is not None
    ]


@dg.sensor(
    job=sales_pipeline_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Re-runs customer_monthly_sales for the month after a month whose customer_data_mart "
        "was re-materialized without it (its declining flags compare with that month). "
        "Launches only for months that were materialized before. RUNNING by default."
    ),
)
def following_month_sensor(context: dg.SensorEvaluationContext):
    instance = context.instance
    cursor = int(context.cursor) if context.cursor and context.cursor.isdigit() else 0
    plan = plan_following_months(
        cursor,
        _mart_events(instance, cursor),
        lambda month: _latest_storage_id(instance, MONTHLY_SALES, month),
    )
    requests = run_requests(plan)
    for month in plan.months:
        context.log.info(
            f"customer_monthly_sales {month} compares with {previous_month(month)}, whose "
            f"customer_data_mart was re-materialized after it: re-running {month}."
        )
    if requests:
        return dg.SensorResult(run_requests=requests, cursor=str(plan.cursor))
    return dg.SensorResult(
        skip_reason=dg.SkipReason("No month after a re-materialized month is out of date."),
        cursor=str(plan.cursor),
    )

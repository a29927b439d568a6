"""Before a run writes anything: its config is valid, and its months are its own.

One writer per month: a lock row per month in the warehouse, shared by every Dagster
instance that writes the same lake and warehouse.

A run takes the locks of all its months before it writes anything and gives them back when
it ends. A run that finds a month taken fails at once, naming the run that holds it. A lock
left by a run that died (``kill -9``) is taken over when its process is gone (same host),
when that run is known to be finished in this Dagster instance, or after
``stale_after_hours``.
"""

import datetime as dt
import os
import socket
from collections.abc import Sequence

import dagster as dg
import sqlalchemy as sa
from pydantic import PrivateAttr

from sales_assets import warehouse_schema as ws
from sales_assets.partitions import months_between
from sales_assets.resources.warehouse import Warehouse
from sales_assets.run_config import validate_run_config

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"


class MonthLockedError(RuntimeError):
    """Another run is writing a month this run needs."""


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(holder: str) -> bool:
    """Whether a lock holder ``host:pid`` is a process of this host that no longer runs."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine: only its run's state or the lock's age can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def run_months(tags: dict[str, str]) -> list[str]:
    """The months a run writes, from its partition tags (none for an unpartitioned run)."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return months_between(tags[RANGE_START_TAG], tags[RANGE_END_TAG])
    return [tags[PARTITION_TAG]] if tags.get(PARTITION_TAG) else []


class MonthLock(dg.ConfigurableResource):
    """Holds the run's months for as long as the run executes."""

    warehouse: dg.ResourceDependency[Warehouse]
    stale_after_hours: float = 6.0
    _held: list[str] = PrivateAttr(default_factory=list)
    _run_id: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.dagster_run
        if run is None:
            return
        # First thing of a run, before any step: refuse bad config while nothing is written.
        validate_run_config(run.run_config)
        finished = _finished_runs(context.instance) if context.instance is not None else None
        self.acquire(run.run_id, run_months(dict(run.tags)), finished)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.release()

    def acquire(self, run_id: str, months: Sequence[str], is_finished=None) -> None:
        """Take every month or none; raise naming the holder of a taken month."""
        if not months:  # a run of no month (a check run alone without one) writes none
            return
        try:
            self._acquire(run_id, months, is_finished)
        except sa.exc.IntegrityError:  # another run took a month between our read and write
            self._acquire(run_id, months, is_finished)

    def _acquire(self, run_id: str, months: Sequence[str], is_finished) -> None:
        table = ws.sales_month_lock
        self.warehouse.ensure_tables([table])
        now, holder = _now(), _this_process()
        stale_before = now - dt.timedelta(hours=self.stale_after_hours)
        engine = self.warehouse.engine()
        with engine.begin() as connection:
            held = {
                r.sales_month: r
                for r in connection.execute(
                    sa.select(table).where(table.c.sales_month.in_(list(months)))
                )
            }
            busy = [
                r
                for r in held.values()
                if r.run_id != run_id
                and r.acquired_at > stale_before
                and not _process_gone(r.holder)
                and not (is_finished and is_finished(r.run_id))
            ]
            if busy:
                raise MonthLockedError(
                    "; ".join(
                        f"{r.sales_month} is being written by run {r.run_id} since "
                        f"{r.acquired_at:%Y-%m-%d %H:%M} UTC"
                        for r in sorted(busy, key=lambda r: r.sales_month)
                    )
                    + ". Wait for that run to finish, then launch this one again."
                )
            connection.execute(table.delete().where(table.c.sales_month.in_(list(held))))
            connection.execute(
                table.insert(),
                [
                    {"sales_month": m, "run_id": run_id, "holder": holder, "acquired_at": now}
                    for m in months
                ],
            )
        self._held, self._run_id = list(months), run_id

    def release(self) -> None:
        if not self._held:
            return
        table = ws.sales_month_lock
        with self.warehouse.engine().begin() as connection:
            connection.execute(
                table.delete().where(
                    table.c.sales_month.in_(self._held), table.c.run_id == self._run_id
                )
            )
        self._held = []


def _finished_runs(instance: dg.DagsterInstance):
    """Whether a run of this instance has finished (a lock it left is stale)."""

    def is_finished(run_id: str) -> bool:
        run = instance.get_run_by_id(run_id)
        return run is not None and run.is_finished

    return is_finished

"""One writer per month, across processes and Dagster instances."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.resources.month_lock import MonthLock, MonthLockedError, run_months
from sales_assets.resources.warehouse import Warehouse


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    return Warehouse(url=f"sqlite:///{tmp_path}/warehouse.db")


def test_a_second_writer_of_a_month_fails_naming_the_first(warehouse):
    first, second = MonthLock(warehouse=warehouse), MonthLock(warehouse=warehouse)
    first.acquire("run-a", ["2024-01", "2024-02"])
    with pytest.raises(MonthLockedError, match="2024-02 is being written by run run-a since"):
        second.acquire("run-b", ["2024-02", "2024-03"])
    second.acquire("run-c", ["2024-03"])  # other months stay free
    first.release()
    second.acquire("run-b", ["2024-02"])
    held = {r["sales_month"]: r["run_id"] for r in warehouse.read_rows(ws.sales_month_lock)}
    assert held == {"2024-02": "run-b", "2024-03": "run-c"}


def test_a_lock_left_by_a_dead_run_is_taken_over(warehouse):
    MonthLock(warehouse=warehouse).acquire("killed", ["2024-01"])
    with pytest.raises(MonthLockedError):
        MonthLock(warehouse=warehouse).acquire("next", ["2024-01"])
    # Known to this Dagster instance as finished: stale at once.
    MonthLock(warehouse=warehouse).acquire("next", ["2024-01"], lambda run_id: True)
    # A process of this host that is gone: stale at once.
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with warehouse.engine().begin() as connection:
        connection.execute(
            sa.update(ws.sales_month_lock).values(holder=f"{socket.gethostname()}:{gone}")
        )
    MonthLock(warehouse=warehouse).acquire("after-kill", ["2024-01"])
    with pytest.raises(MonthLockedError):  # this process is alive: held
        MonthLock(warehouse=warehouse).acquire("other", ["2024-01"])
    with warehouse.engine().begin() as connection:
        connection.execute(sa.update(ws.sales_month_lock).values(holder="elsewhere:1"))
    # Another host, unknown here: stale once older than stale_after_hours.
    old = dt.datetime(2020, 1, 1)
    with warehouse.engine().begin() as connection:
        connection.execute(sa.update(ws.sales_month_lock).values(acquired_at=old))
    MonthLock(warehouse=warehouse, stale_after_hours=1).acquire("later", ["2024-01"])


def test_the_months_of_a_run_come_from_its_partition_tags():
    assert run_months(
        {
            "dagster/asset_partition_range_start": "2024-11",
            "dagster/asset_partition_range_end": "2025-01",
        }
    ) == ["2024-11", "2024-12", "2025-01"]
    assert run_months({"dagster/partition": "2024-05"}) == ["2024-05"]
    assert run_months({}) == []


def test_a_run_in_another_process_fails_before_writing_naming_the_holder(embedded):
    """Two processes: this one holds 2024-02; a pipeline run of it elsewhere must stop."""
    holder = MonthLock(warehouse=embedded.warehouse)
    holder.acquire("run-in-another-process", ["2024-02"])
    script = textwrap.dedent(
        """
        import dagster as dg
        from sales_assets.definitions import defs
        result = defs.resolve_job_def("sales_pipeline").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), partition_key="2024-02", raise_on_error=False
        )
        errors = [e.event_specific_data.error.to_string() for e in result.all_events
                  if e.is_failure]
        print("SUCCESS" if result.success else "FAILED", *errors)
        """
    )
    env = dict(os.environ, SALES_WAREHOUSE_URL=embedded.settings.warehouse_url)
    env |= {"SALES_LANDING_URI": embedded.settings.landing_uri}
    env |= {"SALES_LAKE_URI": embedded.settings.lake_uri, "SPARK_MASTER": "local[1]"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.stdout.startswith("FAILED"), done.stdout + done.stderr
    assert "2024-02 is being written by run run-in-another-process" in done.stdout
    assert not (embedded.root / "lake").exists()

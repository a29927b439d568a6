"""Benchmark: the whole graph over a month range on the embedded default, in one run.

Generates sample data (with faults) into a temporary folder, runs every asset once for the
range, and prints the wall time of each step and the throughput. Figures, not assertions.

Usage: python scripts/bench_pipeline.py [--months 12] [--rows-per-month 100000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows-per-month", type=int, default=100_000)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="sales_bench_"))
    os.environ.update(
        SALES_LANDING_URI=str(root / "landing"),
        SALES_LAKE_URI=str(root / "lake"),
        SALES_WAREHOUSE_URL=f"sqlite:///{root}/warehouse.db",
    )
    import dagster as dg

    from sales_assets import sample_data
    from sales_assets.config import Settings
    from sales_assets.definitions import build_definitions
    from sales_assets.resources.landing_zone import LandingZone
    from sales_assets.resources.warehouse import Warehouse

    settings = Settings.from_env()
    months = [
        f"2024-{m:02d}" if m <= 12 else f"2025-{m - 12:02d}" for m in range(1, args.months + 1)
    ]
    started = time.perf_counter()
    dims = sample_data.generate_dimensions(seed=1)
    sample_data.load_dimensions(Warehouse(url=settings.warehouse_url), dims)
    sample_data.generate_landing(
        LandingZone.from_settings(settings), months, args.rows_per_month, dims, seed=1
    )
    print(
        f"generated {len(months)} months x {args.rows_per_month:,} rows in "
        f"{time.perf_counter() - started:.1f}s under {root}"
    )

    job = build_definitions(settings).resolve_job_def("sales_pipeline")
    started = time.perf_counter()
    instance = dg.DagsterInstance.ephemeral()
    result = job.execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": months[0],
            "dagster/asset_partition_range_end": months[-1],
        },
    )
    wall = time.perf_counter() - started
    starts = {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value == "STEP_SUCCESS":
            print(f"  {event.step_key:<24} {entry.timestamp - starts[event.step_key]:7.1f}s")
    rows = len(months) * args.rows_per_month
    print(
        f"run {'succeeded' if result.success else 'FAILED'}: {wall:.1f}s wall for {rows:,} rows "
        f"({rows / wall:,.0f} rows/s, Spark start-up included)"
    )


if __name__ == "__main__":
    main()

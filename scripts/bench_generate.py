"""Time the sample-data generator: dimensions, their load into SQLite, and 1M sales rows.

usage: python scripts/bench_generate.py [--rows N] [--customers N]
Nothing is kept: the warehouse is a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from sales_assets import sample_data
from sales_assets.resources.warehouse import Warehouse

T = TypeVar("T")


def timed(label: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    print(f"{label:<44} {time.perf_counter() - started:6.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()

    dims = timed(
        f"generate_dimensions ({args.customers:,} customers)",
        lambda: sample_data.generate_dimensions(customers=args.customers, stores=20, products=500),
    )
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Warehouse(url=f"sqlite:///{folder}/bench.db")
        timed("load_dimensions (SQLite)", lambda: sample_data.load_dimensions(warehouse, dims))
        warehouse.dispose()
    content = timed(
        f"generate_month_csv ({args.rows:,} rows)",
        lambda: sample_data.generate_month_csv("2024-01", args.rows, dims),
    )
    files, manifest = timed(
        f"generate_month_files, faults ({args.rows:,} rows)",
        lambda: sample_data.generate_month_files("2024-01", args.rows, dims, faults=True),
    )
    size = sum(len(data) for data in files.values())
    print(f"CSV {len(content) / 1e6:.1f} MB; faulty month {len(files)} files, {size / 1e6:.1f} MB")
    print(f"expected accepted {manifest.accepted_rows:,}, rejected {manifest.rejected_count}")


if __name__ == "__main__":
    main()

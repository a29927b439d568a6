"""The floor under any one-month run on this machine: a fresh PySpark process, with the
pipeline's Spark settings (class archive, collector, memory, ``SPARK_MASTER``), that only
reads CSV files with Spark's own CSV source and writes them back as Parquet. No validation,
no Dagster.

    python benchmarks/spark_floor.py <csv file or folder> [--aggregate]

Prints the session start, the work and the total, in seconds, from the process's start.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.monotonic()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sales_assets

from pyspark.sql import SparkSession  # noqa: E402  (the clock starts before the imports)

from sales_assets.config import Settings  # noqa: E402
from sales_assets.resources.spark import spark_config  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="a CSV file, or a folder of them, with a header line")
    parser.add_argument(
        "--aggregate",
        action="store_true",
        help="then count rows per customer_id from the Parquet into an Arrow table",
    )
    args = parser.parse_args()
    spark = SparkSession.builder.config(map=spark_config(Settings.from_env())).getOrCreate()
    session_s = time.monotonic() - STARTED
    with tempfile.TemporaryDirectory() as out:
        rows = spark.read.option("header", True).csv(args.csv)
        rows.write.parquet(f"{out}/rows")
        if args.aggregate:
            # From the Parquet just written, as the pipeline's later steps read the lake: the
            # CSV is parsed once.
            spark.read.parquet(f"{out}/rows").groupBy("customer_id").count().toArrow()
        work_s = time.monotonic() - STARTED - session_s
        spark.stop()
    total_s = time.monotonic() - STARTED
    print(f"session start {session_s:.1f} s, work {work_s:.1f} s, total {total_s:.1f} s")


if __name__ == "__main__":
    main()

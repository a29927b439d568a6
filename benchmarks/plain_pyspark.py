"""Benchmark baseline: the monthly sales pipeline as a competent, hand-written PySpark script.

No Dagster, no ``sales_assets``: docs/data-contract.md approximated the quick way; only the two
data marts and the two result tables are written, as Parquet. Options: ``--help``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sqlite3
import time
from collections import Counter
from contextlib import closing
from decimal import Decimal
from functools import reduce

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

INT_FORM = r"^[+-]?[0-9]+$"
DECIMAL_FORM = r"^-?[0-9]+(\.[0-9]{1,2})?$"
# Mandatory columns in contract order: accepted form and Spark type (contract section 2).
TYPED: dict[str, tuple[str, str]] = {
    "customer_id": (INT_FORM, "int"),
    "store_id": (INT_FORM, "int"),
    "product_name": ("", "string"),  # any text
    "sales_date": (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "date"),
    "sales_person_id": (INT_FORM, "int"),
    "price": (DECIMAL_FORM, "decimal(10,2)"),
    "quantity": (INT_FORM, "int"),
    "total_cost": (DECIMAL_FORM, "decimal(12,2)"),
}
MANDATORY = tuple(TYPED)
RAW_SCHEMA = ", ".join(["sales_month string", "malformed boolean", *[f"{n} string" for n in TYPED]])
MONEY = "decimal(14,2)"
SPARK_CONF = {
    # 2g runs out of heap at 12 x 1M rows (multiLine CSV and whole-file hashing).
    "spark.driver.memory": os.environ.get("BASELINE_DRIVER_MEMORY", "4g"),
    "spark.sql.shuffle.partitions": "4",  # 2 cores; AQE coalesces further
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",  # a run replaces only its months
    "spark.ui.enabled": "false",
}
# Dimension columns the outputs need as Spark DDL, named as in the sales rows and data marts;
# the first one is the join key (contract section 3). Unknown keys are checked in this order.
DIMENSIONS = {
    "customer": "customer_id int, first_name string, last_name string, address string, "
    "pincode string, phone_number string",
    "store": "store_id int, store_manager_name string",
    "sales_team": "sales_person_id int, sales_person_first_name string, "
    "sales_person_last_name string, manager_id int, is_manager string, "
    "sales_person_address string, sales_person_pincode string",
    "product": "product_name string",
}
WAREHOUSE_NAMES = {"store_id": "id", "product_name": "trim(name)"}  # else without the prefix


def names(table: str) -> list[str]:
    return [column.split(" ")[0] for column in DIMENSIONS[table].split(", ")]


CUSTOMER_MART = [*names("customer"), "sales_date", "total_cost", "sales_month"]
TEAM_MART = [*names("sales_team")[:3], "store_manager_name", *names("sales_team")[3:]]
TEAM_MART += ["sales_date", "total_cost", "sales_month", "store_id"]  # partitions last


def month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def usable_header(prefix: bytes | None) -> tuple[str, ...] | None:
    """The first non-blank record, trimmed and lower-cased, if it has each mandatory column once."""
    text = (prefix or b"").decode("utf-8-sig", errors="replace")
    row = next((r for r in csv.reader(io.StringIO(text, newline="")) if r), [])
    header = tuple(name.strip(" ").lower() for name in row)
    return header if set(MANDATORY) <= set(header) and len(set(header)) == len(header) else None


def literal(path: str) -> str:
    return re.sub(r"([\\\[\]{}*?])", r"\\\1", path)  # Spark globs paths: names are literal


def select_files(
    spark: SparkSession, landing: str, months: list[str]
) -> tuple[dict[tuple[str, ...], list[str]], Counter[str]]:
    """Files to read grouped by header; and how many were processed, invalid, duplicate."""
    paths, status = [], Counter[str]()
    for month in months:
        folder = os.path.join(os.path.abspath(landing), "sales", month)
        if os.path.isdir(folder):  # regular files only, in code-point order of their names
            paths += sorted(e.path for e in os.scandir(folder) if e.is_file(follow_symlinks=False))
    named_csv = [p for p in paths if p.lower().endswith(".csv")]
    csv_paths = [p for p in named_csv if os.path.basename(p)[0] not in "._"]  # Spark hides others
    status.update(invalid=len(paths) - len(named_csv), skipped=len(named_csv) - len(csv_paths))
    facts: dict[str, tuple[str, tuple[str, ...] | None]] = {}
    if csv_paths:
        files = spark.read.format("binaryFile").load([literal(p) for p in csv_paths])
        utf8 = F.is_valid_utf8(F.col("content").cast("string"))  # else unreadable
        head = F.when(utf8, F.substring("content", 1, 65536))  # holds the header
        for path, sha256, prefix in files.select("path", F.sha2("content", 256), head).collect():
            facts[re.sub("^file:/+", "/", path)] = (sha256, usable_header(prefix))  # not encoded
    groups: dict[tuple[str, ...], list[str]] = {}
    processed: set[tuple[str, str]] = set()
    for path in csv_paths:
        sha256, header = facts.get(path, ("", None))  # Spark lists no empty file
        if (os.path.dirname(path), sha256) in processed:  # a later copy of a processed file
            status["duplicate"] += 1
        elif header is None:
            status["invalid"] += 1
        else:
            status["processed"] += 1
            processed.add((os.path.dirname(path), sha256))
            groups.setdefault(header, []).append(literal(path))
    return groups, status


def read_group(spark: SparkSession, header: tuple[str, ...], paths: list[str]) -> DataFrame:
    """Files sharing one header; every field a string trimmed of spaces, NULL when empty."""
    schema = ", ".join([f"_c{i} string" for i in range(len(header))] + ["_corrupt string"])
    frame = (
        spark.read.schema(schema)
        .options(header=True, multiLine=True, mode="PERMISSIVE", enforceSchema=True)
        .option("columnNameOfCorruptRecord", "_corrupt")  # field count differs from header
        .csv(paths)
    )
    return frame.select(
        F.regexp_extract("_metadata.file_path", r"/sales/([^/]+)/[^/]+$", 1).alias("sales_month"),
        F.col("_corrupt").isNotNull().alias("malformed"),
        *[F.nullif(F.trim(f"_c{header.index(n)}"), F.lit("")).alias(n) for n in MANDATORY],
    )


def read_dimension(spark: SparkSession, warehouse: str, table: str) -> DataFrame:
    columns = [c.split(" ") for c in DIMENSIONS[table].split(", ")]
    casts = ", ".join(
        f"CAST({WAREHOUSE_NAMES.get(c, c.removeprefix('sales_person_'))} AS "
        f"{'INTEGER' if t == 'int' else 'TEXT'})"
        for c, t in columns
    )
    with closing(sqlite3.connect(warehouse.removeprefix("sqlite:///"))) as connection:
        rows = connection.execute(f"SELECT DISTINCT {casts} FROM {table}").fetchall()
    return F.broadcast(spark.createDataFrame(rows, DIMENSIONS[table]))


def classify(raw: DataFrame, dims: dict[str, DataFrame]) -> DataFrame:
    """Typed rows with their dimension columns (left joins) and the first broken rule."""
    raws = [F.col(n).alias(f"raw_{n}") for n in MANDATORY]
    typed = [
        F.when(F.col(n).rlike(f), F.col(n).try_cast(t)).alias(n) for n, (f, t) in TYPED.items()
    ]
    joined = raw.select("sales_month", "malformed", *raws, *typed)
    for table in DIMENSIONS:
        known = dims[table].withColumn(f"_{table}", F.lit(True))
        joined = joined.join(known, names(table)[0], "left")
    gap = F.abs(F.col("total_cost") - F.col("price") * F.col("quantity").cast("decimal(10,0)"))
    rules: list[tuple[Column, str]] = [(F.col("malformed"), "malformed_row")]
    rules += [(F.col(f"raw_{n}").isNull(), f"null_{n}") for n in MANDATORY]
    rules += [(F.col(n).isNull(), f"invalid_{n}") for n in MANDATORY]
    rules += [
        (F.date_format("sales_date", "yyyy-MM") != F.col("sales_month"), "date_outside_month"),
        (F.col("price") < 0, "negative_price"),
        (F.col("quantity") <= 0, "non_positive_quantity"),
        (gap > F.lit(Decimal("0.01")), "total_cost_mismatch"),
    ]
    for table in DIMENSIONS:  # customer_id -> unknown_customer, ...
        rules.append((F.col(f"_{table}").isNull(), f"unknown_{names(table)[0].rsplit('_', 1)[0]}"))
    reason = F.coalesce(*[F.when(condition, F.lit(code)) for condition, code in rules])
    return joined.withColumn("reason", reason)


def write(frame: DataFrame, path: str, months: list[str], *partitions: str) -> int:
    """Replace the months of ``frame`` under ``path``; the rows now stored for ``months``."""
    frame.write.mode("overwrite").partitionBy(*partitions).parquet(path)
    return frame.sparkSession.read.parquet(path).filter(F.col("sales_month").isin(months)).count()


def full_name(first: str, last: str) -> Column:
    return F.when(F.col(first).isNotNull() | F.col(last).isNotNull(), F.concat_ws(" ", first, last))


def customer_monthly_sales(
    sales: DataFrame, customers: DataFrame, targets: list[str], compared: list[str]
) -> DataFrame:
    """Customers with sales in M or M-1 for each target month M; compared months have M-1."""
    total_cost = F.sum("total_cost").cast(MONEY)
    totals = sales.groupBy("customer_id", "sales_month").agg(total_cost.alias("total"))
    current = totals.select("customer_id", "sales_month", F.col("total").alias("now"))
    after = F.date_format(F.add_months(F.to_date("sales_month", "yyyy-MM"), 1), "yyyy-MM")
    before = totals.select("customer_id", after.alias("sales_month"), "total")
    zero = F.lit(Decimal("0.00")).cast(MONEY)
    total = F.coalesce("now", zero)
    previous = F.when(F.col("sales_month").isin(compared), F.coalesce("total", zero))
    return (
        current.join(before, ["customer_id", "sales_month"], "full_outer")
        .filter(F.col("sales_month").isin(targets))
        .join(customers, "customer_id", "left")
        .select(
            "customer_id",
            full_name("first_name", "last_name").alias("full_name"),
            "address",
            "phone_number",
            "sales_month",
            total.alias("total_sales"),
            previous.cast(MONEY).alias("previous_month_sales"),
            (total - previous).cast(MONEY).alias("sales_change"),
            (previous > total).alias("is_declining"),
        )
    )


def sales_team_incentive(accepted: DataFrame, team: DataFrame, rate: Decimal) -> DataFrame:
    """Sales per store, person and month; everyone ranked 1 in a store and month earns."""
    total_cost = F.sum("total_cost").cast(MONEY).alias("total_sales")
    totals = accepted.groupBy("store_id", "sales_person_id", "sales_month").agg(total_cost)
    by_store = Window.partitionBy("store_id", "sales_month").orderBy(F.desc("total_sales"))
    rank = F.rank().over(by_store)
    return totals.join(team, "sales_person_id", "left").select(
        "store_id",
        "sales_person_id",
        full_name("sales_person_first_name", "sales_person_last_name").alias("full_name"),
        "sales_month",
        "total_sales",
        rank.alias("sales_rank"),
        F.when(rank == 1, F.round(F.col("total_sales") * F.lit(rate), 2))  # decimal: half up
        .otherwise(F.lit(Decimal("0.00")))
        .cast(MONEY)
        .alias("incentive"),
    )


def main() -> None:
    started = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--landing", required=True, help="local folder holding sales/YYYY-MM/")
    parser.add_argument("--warehouse", required=True, help="SQLite file of the dimensions")
    parser.add_argument("--months", required=True, help="YYYY-MM or YYYY-MM..YYYY-MM")
    parser.add_argument("--out", required=True, help="output folder (Parquet)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--incentive-rate", type=Decimal, default=Decimal("0.01"))
    args = parser.parse_args()
    first, _, last = args.months.partition("..")
    months = [month_name(i) for i in range(month_index(first), month_index(last or first) + 1)]
    before_range, out = month_name(month_index(first) - 1), os.path.abspath(args.out)

    spark = SparkSession.builder.master(args.master).config(map=SPARK_CONF).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")  # not a warning for each reordered header
    dims = {table: read_dimension(spark, args.warehouse, table) for table in DIMENSIONS}
    groups, files = select_files(spark, args.landing, months)
    frames = [read_group(spark, header, paths) for header, paths in groups.items()]
    raw = reduce(DataFrame.unionByName, frames, spark.createDataFrame([], RAW_SCHEMA))
    classified = classify(raw, dims).persist(StorageLevel.MEMORY_AND_DISK)
    ok = F.col("reason").isNull()
    rows_read, rows_accepted, sold = classified.agg(
        F.count("*"), F.count_if(ok), F.collect_set(F.when(ok, F.col("sales_month")))
    ).first()
    accepted = classified.filter(ok)

    # M-1 of the first month counts when an earlier run wrote its customer data mart.
    sales, with_sales = accepted.select("customer_id", "sales_month", "total_cost"), set(sold)
    if os.path.isdir(earlier_path := f"{out}/customer_data_mart/sales_month={before_range}"):
        earlier = spark.read.parquet(earlier_path).select("customer_id", "total_cost")
        sales = sales.unionByName(earlier.withColumn("sales_month", F.lit(before_range)))
        with_sales |= {before_range} if earlier.take(1) else set()
    targets = [m for m in months if m in with_sales]
    compared = [m for m in targets if month_name(month_index(m) - 1) in with_sales]
    monthly = customer_monthly_sales(sales, dims["customer"], targets, compared)
    incentive = sales_team_incentive(accepted, dims["sales_team"], args.incentive_rate)
    outputs: dict[str, tuple[DataFrame, list[str]]] = {
        "customer_data_mart": (accepted.select(*CUSTOMER_MART), ["sales_month"]),
        "sales_team_data_mart": (accepted.select(*TEAM_MART), ["sales_month", "store_id"]),
        "customer_monthly_sales": (monthly, ["sales_month"]),
        "sales_team_incentive": (incentive, ["sales_month"]),
    }
    written = {name: write(df, f"{out}/{name}", months, *by) for name, (df, by) in outputs.items()}
    classified.unpersist()
    spark.stop()
    report = {
        "wall_seconds": round(time.monotonic() - started, 2),
        "files": dict(files),
        "rows_read": rows_read,
        "rows_accepted": rows_accepted,
        "rows_rejected": rows_read - rows_accepted,
        "outputs": written,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

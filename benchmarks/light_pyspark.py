"""Benchmark baseline: the script a competent engineer writes in an afternoon.

No Dagster, no ``sales_assets``, no audit, no quarantine, no hashing, no record numbers and no
intermediate lake tables: Spark's own CSV reader (header, ``multiLine``, ``PERMISSIVE`` with
a corrupt-record column) per file, the rules as filters, left joins on the dimensions, the
two data marts as Parquet laid out as the contract says (``sales_month=``, and ``store_id=``
below it for the sales team), and the two result tables written into the warehouse through
Spark's JDBC writer. benchmarks/plain_pyspark.py is the careful script; this is the light one.

usage: python benchmarks/light_pyspark.py --landing DIR --warehouse FILE.db
           --months 2024-01..2024-12 --out DIR
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sqlite3
import time
from contextlib import closing
from decimal import Decimal
from functools import reduce
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

started = time.monotonic()

TYPES = {
    "customer_id": "int",
    "store_id": "int",
    "product_name": "string",
    "sales_date": "date",
    "sales_person_id": "int",
    "price": "decimal(10,2)",
    "quantity": "int",
    "total_cost": "decimal(12,2)",
}
MONEY = "decimal(14,2)"
DRIVER = {"driver": "org.sqlite.JDBC"}
RESULT_TABLES = {
    "customer_monthly_sales": "customer_id INTEGER NOT NULL, full_name VARCHAR(101), "
    "address VARCHAR(255), phone_number VARCHAR(20), sales_month CHAR(7) NOT NULL, "
    "total_sales DECIMAL(14,2) NOT NULL, previous_month_sales DECIMAL(14,2), "
    "sales_change DECIMAL(14,2), is_declining BOOLEAN, PRIMARY KEY (customer_id, sales_month)",
    "sales_team_incentive": "store_id INTEGER NOT NULL, sales_person_id INTEGER NOT NULL, "
    "full_name VARCHAR(101), sales_month CHAR(7) NOT NULL, total_sales DECIMAL(14,2) NOT NULL, "
    "sales_rank INTEGER NOT NULL, incentive DECIMAL(14,2) NOT NULL, "
    "PRIMARY KEY (store_id, sales_person_id, sales_month)",
}
JARS = Path.home() / ".cache" / "sales_assets" / "jars"


def months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_before(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def read_file(spark: SparkSession, path: str, month: str) -> DataFrame | None:
    """One CSV file, its columns by name (their order is free); None when it is unusable."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    names = [name.strip().lower() for name in header.rstrip("\r\n").split(",")]
    if not set(TYPES) <= set(names) or len(set(names)) != len(names):
        print(f"skipped {path}: columns {names}")
        return None
    schema = ", ".join([*(f"`c{i}` string" for i in range(len(names))), "_corrupt string"])
    frame = (
        spark.read.schema(schema)
        .option("header", True)
        .option("multiLine", True)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", "_corrupt")
        .csv(path)
    )
    renamed = frame.select(
        *[F.col(f"c{i}").alias(n) for i, n in enumerate(names) if n in TYPES], "_corrupt"
    )
    return renamed.withColumn("sales_month", F.lit(month))


def read_landing(spark: SparkSession, landing: str, months: list[str]) -> DataFrame:
    frames = []
    for month in months:
        for path in sorted(glob.glob(f"{landing}/sales/{month}/*")):
            if path.lower().endswith(".csv") and os.path.getsize(path) > 0:
                frame = read_file(spark, path, month)
                if frame is not None:
                    frames.append(frame)
    return reduce(DataFrame.unionByName, frames)


def valid_sales(raw: DataFrame) -> DataFrame:
    """Trimmed and typed; rows that break a rule dropped."""
    typed = raw.select(
        "sales_month",
        "_corrupt",
        *[F.nullif(F.trim(F.col(n)), F.lit("")).try_cast(t).alias(n) for n, t in TYPES.items()],
    )
    computed = F.col("price") * F.col("quantity")
    return typed.filter(
        F.col("_corrupt").isNull()
        & reduce(Column.__and__, [F.col(n).isNotNull() for n in TYPES])
        & (F.col("price") >= 0)
        & (F.col("quantity") > 0)
        & (F.abs(F.col("total_cost") - computed) <= F.lit(Decimal("0.01")))
        & (F.date_format("sales_date", "yyyy-MM") == F.col("sales_month"))
    ).drop("_corrupt")


def full_name(first: str, last: str) -> Column:
    return F.concat_ws(" ", first, last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", required=True)
    parser.add_argument("--warehouse", required=True, help="SQLite file: dimensions, results")
    parser.add_argument("--months", required=True, help="YYYY-MM..YYYY-MM")
    parser.add_argument("--out", required=True, help="the data marts' folder")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--incentive-rate", type=Decimal, default=Decimal("0.01"))
    args = parser.parse_args()
    first, _, last = args.months.partition("..")
    months = months_between(first, last or first)

    spark = (
        SparkSession.builder.master(args.master)
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.jars", ",".join(glob.glob(str(JARS / "sqlite-jdbc-*.jar"))))
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "16")  # a laptop's cores, not a cluster's
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")  # not a warning for each reordered header
    url = f"jdbc:sqlite:{os.path.abspath(args.warehouse)}"

    def dimension(query: str) -> DataFrame:
        return spark.read.jdbc(url, f"({query}) AS t", properties=DRIVER)

    customers = dimension(
        "SELECT customer_id, first_name, last_name, address, pincode, phone_number FROM customer"
    ).cache()  # joined twice
    stores = dimension("SELECT id AS store_id, store_manager_name FROM store")
    products = dimension("SELECT name FROM product").select(F.trim("name").alias("product_name"))
    team = dimension(
        "SELECT id AS sales_person_id, first_name AS sales_person_first_name, "
        "last_name AS sales_person_last_name, manager_id, is_manager, "
        "address AS sales_person_address, pincode AS sales_person_pincode FROM sales_team"
    )

    sales = valid_sales(read_landing(spark, args.landing, months))
    enriched = (
        sales.join(F.broadcast(stores), "store_id", "left")
        .join(F.broadcast(products), "product_name", "left_semi")
        .join(F.broadcast(team), "sales_person_id", "left")
        .join(customers, "customer_id", "left")
        .filter(
            F.col("first_name").isNotNull()
            & F.col("store_manager_name").isNotNull()
            & F.col("sales_person_first_name").isNotNull()
        )
        .cache()
    )

    customer_mart = enriched.select(
        "customer_id",
        "first_name",
        "last_name",
        "address",
        "pincode",
        "phone_number",
        "sales_date",
        "total_cost",
        "sales_month",
    )
    customer_mart.write.mode("overwrite").partitionBy("sales_month").parquet(
        f"{args.out}/customer_data_mart"
    )
    enriched.select(
        "store_id",
        "sales_person_id",
        "sales_person_first_name",
        "sales_person_last_name",
        "store_manager_name",
        "manager_id",
        "is_manager",
        "sales_person_address",
        "sales_person_pincode",
        "sales_date",
        "total_cost",
        "sales_month",
    ).write.mode("overwrite").partitionBy("sales_month", "store_id").parquet(
        f"{args.out}/sales_team_data_mart"
    )

    totals = customer_mart.groupBy("customer_id", "sales_month").agg(
        F.sum("total_cost").cast(MONEY).alias("total_sales")
    )
    next_month = F.date_format(F.add_months(F.to_date("sales_month", "yyyy-MM"), 1), "yyyy-MM")
    before = totals.select(
        "customer_id", next_month.alias("sales_month"), F.col("total_sales").alias("previous")
    )
    zero = F.lit(Decimal("0.00")).cast(MONEY)
    with_sales = {row.sales_month for row in totals.select("sales_month").distinct().collect()}
    compared = [m for m in with_sales if month_before(m) in with_sales]
    total = F.coalesce("total_sales", zero)
    previous = F.when(F.col("sales_month").isin(compared), F.coalesce("previous", zero))
    monthly = (
        totals.join(before, ["customer_id", "sales_month"], "full_outer")
        .filter(F.col("sales_month").isin(list(with_sales)))
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
    by_store = Window.partitionBy("store_id", "sales_month").orderBy(F.desc("total_sales"))
    incentive = (
        enriched.groupBy("store_id", "sales_person_id", "sales_month")
        .agg(
            F.sum("total_cost").cast(MONEY).alias("total_sales"),
            F.first(full_name("sales_person_first_name", "sales_person_last_name")).alias(
                "full_name"
            ),
        )
        .withColumn("sales_rank", F.rank().over(by_store))
        .withColumn(
            "incentive",
            F.when(
                F.col("sales_rank") == 1,
                F.round(F.col("total_sales") * F.lit(args.incentive_rate), 2),
            )
            .otherwise(zero)
            .cast(MONEY),
        )
    )
    with closing(sqlite3.connect(args.warehouse)) as connection, connection:
        marks = ", ".join("?" * len(months))
        for table, columns in RESULT_TABLES.items():
            connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            connection.execute(f"DELETE FROM {table} WHERE sales_month IN ({marks})", months)
    for table, frame in (("customer_monthly_sales", monthly), ("sales_team_incentive", incentive)):
        frame.write.mode("append").jdbc(url, table, properties={**DRIVER, "numPartitions": "1"})
    counts = {
        "rows_accepted": enriched.count(),
        "customer_monthly_sales": spark.read.jdbc(
            url, "customer_monthly_sales", properties=DRIVER
        ).count(),
    }
    spark.stop()
    print(json.dumps({"wall_seconds": round(time.monotonic() - started, 2), **counts}))


if __name__ == "__main__":
    main()

"""Benchmark baseline: the monthly sales pipeline as a competent, hand-written PySpark script.

No Dagster, no ``sales_assets``: docs/data-contract.md approximated the quick way; only the two
data marts and the two result tables are written, as Parquet. Options: ``--help``.

Two ways to read the dimensions:
  --warehouse FILE.db   (the default way, as benchmarks/run.py runs it) Python's sqlite3 on the
                        driver, every dimension broadcast;
  --warehouse-url URL   (or $BASELINE_WAREHOUSE_URL, which keeps a password out of the command
                        line; sqlite:///path.db or mysql+pymysql://user:pw@host:port/db) Spark's
                        JDBC source in the executors, the customer table in parallel ranges of
                        its key, the small tables broadcast. ``--results-to-warehouse`` then also
                        writes the two result tables there through Spark's JDBC writer (the
                        months deleted first, then appended), instead of as Parquet.
At millions of rows a month, ``--file-facts python`` hashes the landed files and reads their
headers in Python workers, streamed (``spark``: each whole file is one binary row in the JVM).
"""

from __future__ import annotations

import argparse
import codecs
import csv
import glob
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import time
from collections import Counter
from contextlib import closing
from decimal import Decimal
from functools import reduce

import sqlalchemy as sa
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
# 2g runs out of heap at 12 x 1M rows (multiLine CSV and whole-file hashing).
DRIVER_MEMORY = os.environ.get("BASELINE_DRIVER_MEMORY", "4g")
SPARK_CONF = {
    "spark.driver.memory": DRIVER_MEMORY,
    "spark.sql.shuffle.partitions": "4",  # 2 cores; AQE coalesces further
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",  # a run replaces only its months
    "spark.ui.enabled": "false",
}
HEADER_PREFIX_BYTES = 65536  # the header is read from this much of a file
# Spark's JDBC source: a big table is read in ranges of its key of about this many rows.
ROWS_PER_READ_RANGE, MAX_READ_RANGES = 250_000, 64
FETCH_ROWS = WRITE_BATCH_ROWS = 10_000
# The result tables as the contract keys them (made when missing: Spark's JDBC writer cannot
# tell a missing SQLite table from another error).
MONEY_SQL = "DECIMAL(14,2)"
RESULT_TABLES = {
    "customer_monthly_sales": "customer_id INTEGER, full_name VARCHAR(101), "
    "address VARCHAR(255), phone_number VARCHAR(20), sales_month CHAR(7), "
    f"total_sales {MONEY_SQL} NOT NULL, previous_month_sales {MONEY_SQL}, "
    f"sales_change {MONEY_SQL}, is_declining BOOLEAN, PRIMARY KEY (customer_id, sales_month)",
    "sales_team_incentive": "store_id INTEGER, sales_person_id INTEGER, full_name VARCHAR(101), "
    f"sales_month CHAR(7), total_sales {MONEY_SQL} NOT NULL, sales_rank INTEGER NOT NULL, "
    f"incentive {MONEY_SQL} NOT NULL, PRIMARY KEY (store_id, sales_person_id, sales_month)",
}
JDBC_JARS = ("mariadb-java-client-*.jar", "sqlite-jdbc-*.jar")  # scripts/fetch_jars.sh
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


def streamed_fact(path: str) -> tuple[str, str, bytes | None]:
    """A file's path, sha256 and first bytes (None unless all of it is UTF-8), read in
    chunks: memory stays small whatever the file's size."""
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    prefix, utf8 = b"", True
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            prefix += chunk[: HEADER_PREFIX_BYTES - len(prefix)]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    return path, digest.hexdigest(), prefix if utf8 else None


def file_facts(
    spark: SparkSession, csv_paths: list[str], how: str
) -> dict[str, tuple[str, tuple[str, ...] | None]]:
    """Path -> (sha256, usable header or None), computed in the executors."""
    if not csv_paths:
        return {}
    if how == "python":  # one Python task per file, each streamed
        rdd = spark.sparkContext.parallelize(csv_paths, len(csv_paths)).map(streamed_fact)
        return {path: (sha256, usable_header(prefix)) for path, sha256, prefix in rdd.collect()}
    facts = {}
    files = spark.read.format("binaryFile").load([literal(p) for p in csv_paths])
    utf8 = F.is_valid_utf8(F.col("content").cast("string"))  # else unreadable
    head = F.when(utf8, F.substring("content", 1, HEADER_PREFIX_BYTES))  # holds the header
    for path, sha256, prefix in files.select("path", F.sha2("content", 256), head).collect():
        facts[re.sub("^file:/+", "/", path)] = (sha256, usable_header(prefix))  # not encoded
    return facts


def select_files(
    spark: SparkSession, landing: str, months: list[str], how: str = "spark"
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
    facts = file_facts(spark, csv_paths, how)
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


def jdbc_jars(folder: str | None = None) -> list[str]:
    """The JDBC driver jars scripts/fetch_jars.sh fetched."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    folder = folder or os.environ.get("SALES_SPARK_JARS_DIR") or f"{cache}/sales_assets/jars"
    found = [sorted(glob.glob(os.path.join(folder, pattern))) for pattern in JDBC_JARS]
    if not all(found):
        raise SystemExit(f"JDBC driver jars missing from {folder}: bash scripts/fetch_jars.sh")
    return [jars[-1] for jars in found]


def jdbc_options(warehouse_url: str) -> dict[str, str]:
    """Spark JDBC options (url, driver, credentials) of a SQLAlchemy warehouse URL."""
    url = sa.make_url(warehouse_url)
    if url.get_backend_name() == "sqlite":
        path = os.path.abspath(os.path.expanduser(url.database or ""))
        return {"url": f"jdbc:sqlite:{path}", "driver": "org.sqlite.JDBC", "busy_timeout": "60000"}
    if url.get_backend_name() in ("mysql", "mariadb"):
        return {  # MariaDB Connector/J; the jdbc:mysql scheme gives Spark's MySQL dialect
            "url": f"jdbc:mysql://{url.host or 'localhost'}:{url.port or 3306}/{url.database}"
            "?permitMysqlScheme",
            "driver": "org.mariadb.jdbc.Driver",
            "user": url.username or "",
            "password": str(url.password or ""),
        }
    raise SystemExit(f"--warehouse-url: sqlite:/// or mysql+pymysql:// only, not {url.drivername}")


def read_dimension_jdbc(spark: SparkSession, jdbc: dict[str, str], table: str) -> DataFrame:
    """A dimension read by Spark's JDBC source in the executors; the customer table in
    parallel ranges of its integer key, the small ones broadcast."""
    columns = [c.split(" ") for c in DIMENSIONS[table].split(", ")]
    exprs = {c: WAREHOUSE_NAMES.get(c, c.removeprefix("sales_person_")) for c, _ in columns}
    stored = {c: re.sub(r"^trim\((.*)\)$", r"\1", e) for c, e in exprs.items()}  # its columns
    fetched = ", ".join(f"{stored[c]} {'INT' if t == 'int' else 'STRING'}" for c, t in columns)
    options = {**jdbc, "dbtable": table, "fetchsize": str(FETCH_ROWS), "customSchema": fetched}
    if table == "customer":
        key = stored[columns[0][0]]
        bounds = f"SELECT MIN({key}) AS lo, MAX({key}) AS hi, COUNT(*) AS n FROM {table}"
        low, high, rows = spark.read.format("jdbc").options(**jdbc, query=bounds).load().first()
        ranges = min(MAX_READ_RANGES, math.ceil(int(rows or 0) / ROWS_PER_READ_RANGE))
        if ranges > 1 and int(high) > int(low):
            options |= {
                "partitionColumn": key,
                "lowerBound": str(int(low)),
                "upperBound": str(int(high) + 1),
                "numPartitions": str(ranges),
            }
    frame = spark.read.format("jdbc").options(**options).load()
    frame = frame.select(*[F.expr(exprs[c]).cast(t).alias(c) for c, t in columns])
    if table == "product":  # names equal once trimmed: one row each (keys elsewhere are unique)
        frame = frame.distinct()
    return frame if table == "customer" else F.broadcast(frame)


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


def write_to_warehouse(
    frame: DataFrame, jdbc: dict[str, str], warehouse_url: str, table: str, months: list[str]
) -> int:
    """Replace the months of ``frame`` in a warehouse table: delete them, then append
    through Spark's JDBC writer (one connection on SQLite, one writer at a time); the rows
    now stored for ``months``."""
    engine = sa.create_engine(warehouse_url)
    month_list = ", ".join(f"'{m}'" for m in months)  # YYYY-MM, made above
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {table} ({RESULT_TABLES[table]})")
        connection.exec_driver_sql(f"DELETE FROM {table} WHERE sales_month IN ({month_list})")
    sqlite = jdbc["driver"] == "org.sqlite.JDBC"
    frame.write.format("jdbc").mode("append").options(
        **jdbc,
        dbtable=table,
        batchsize=str(WRITE_BATCH_ROWS),
        numPartitions="1" if sqlite else "8",
    ).save()
    with engine.connect() as connection:
        query = f"SELECT COUNT(*) FROM {table} WHERE sales_month IN ({month_list})"
        written = connection.exec_driver_sql(query).scalar_one()
    engine.dispose()
    return written


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
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--warehouse", help="SQLite file of the dimensions (read by sqlite3)")
    where.add_argument(
        "--warehouse-url",
        default=os.environ.get("BASELINE_WAREHOUSE_URL"),
        help="SQLAlchemy URL of the warehouse, read by Spark's JDBC source "
        "(default $BASELINE_WAREHOUSE_URL)",
    )
    parser.add_argument("--months", required=True, help="YYYY-MM or YYYY-MM..YYYY-MM")
    parser.add_argument("--out", required=True, help="output folder (Parquet)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--incentive-rate", type=Decimal, default=Decimal("0.01"))
    parser.add_argument(
        "--driver-memory", default=DRIVER_MEMORY, help="default $BASELINE_DRIVER_MEMORY or 4g"
    )
    parser.add_argument("--shuffle-partitions", default=SPARK_CONF["spark.sql.shuffle.partitions"])
    parser.add_argument(
        "--file-facts",
        choices=["spark", "python"],
        default="spark",
        help="hash files and read headers as binary rows in the JVM, or streamed in Python",
    )
    parser.add_argument(
        "--results-to-warehouse",
        action="store_true",
        help="write the two result tables to --warehouse-url through Spark's JDBC writer",
    )
    parser.add_argument("--jars", help="JDBC driver jars, comma list (default: the fetched ones)")
    args = parser.parse_args()
    if args.warehouse is None and args.warehouse_url is None:
        parser.error("give --warehouse or --warehouse-url (or $BASELINE_WAREHOUSE_URL)")
    if args.warehouse is not None:
        args.warehouse_url = None  # the option wins over the environment
    if args.results_to_warehouse and args.warehouse_url is None:
        parser.error("--results-to-warehouse needs --warehouse-url")
    first, _, last = args.months.partition("..")
    months = [month_name(i) for i in range(month_index(first), month_index(last or first) + 1)]
    before_range, out = month_name(month_index(first) - 1), os.path.abspath(args.out)

    conf = {
        **SPARK_CONF,
        "spark.driver.memory": args.driver_memory,
        "spark.sql.shuffle.partitions": str(args.shuffle_partitions),
    }
    jdbc = jdbc_options(args.warehouse_url) if args.warehouse_url else None
    if jdbc:
        conf["spark.jars"] = args.jars or ",".join(jdbc_jars())
    spark = SparkSession.builder.master(args.master).config(map=conf).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")  # not a warning for each reordered header
    dims = {
        table: read_dimension_jdbc(spark, jdbc, table)
        if jdbc
        else read_dimension(spark, args.warehouse, table)
        for table in DIMENSIONS
    }
    groups, files = select_files(spark, args.landing, months, args.file_facts)
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
    to_warehouse = RESULT_TABLES if args.results_to_warehouse else ()
    written = {
        name: write_to_warehouse(frame, jdbc, args.warehouse_url, name, months)
        if jdbc and name in to_warehouse
        else write(frame, f"{out}/{name}", months, *by)
        for name, (frame, by) in outputs.items()
    }
    classified.unpersist()
    spark.stop()
    report = {
        "wall_seconds": round(time.monotonic() - started, 2),
        "files": dict(files),
        "rows_read": rows_read,
        "rows_accepted": rows_accepted,
        "rows_rejected": rows_read - rows_accepted,
        "outputs": written,
        "dimensions": "Spark JDBC source" if jdbc else "sqlite3 on the driver",
        "results": "warehouse, Spark JDBC writer" if to_warehouse else "Parquet",
        "driver_memory": args.driver_memory,
        "file_facts": args.file_facts,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

"""Warehouse tables to and from Spark through Spark's JDBC source: the rows travel between
the database and the executors, never through the driver.

- Reads: one table, only the columns asked for, split on its integer key into ranges read
  in parallel when it is big.
- Writes: the frame goes into a staging table of the months written (Spark's JDBC writer,
  one connection per task; one task on SQLite, which has one writer), then one transaction
  on the server deletes the months and inserts them from staging; staging is dropped. A
  failure at any point leaves the live months as they were.

The password travels as a JDBC property, never in the JDBC URL; Spark redacts it from the
plans it shows (``spark.redaction.regex``), and messages here name the URL without it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url

MARIADB_DRIVER = "org.mariadb.jdbc.Driver"
SQLITE_DRIVER = "org.sqlite.JDBC"
# A big table is read in ranges of its key of about this many rows, at most this many
# at once from the server (each range is one Spark task and one connection).
ROWS_PER_READ_RANGE = 250_000
MAX_READ_RANGES = 64
MAX_WRITE_CONNECTIONS = 8
FETCH_ROWS = 10_000  # rows per round trip; the driver streams instead of buffering a table
WRITE_BATCH_ROWS = 10_000
SQLITE_BUSY_TIMEOUT_MS = 60_000  # wait for another writer instead of failing at once


@dataclass(frozen=True)
class JdbcTarget:
    """Where Spark's JDBC source connects. ``url`` holds no password: ``secret_options``
    does, and only Spark's reader and writer get it."""

    url: str
    driver: str
    one_writer: bool  # SQLite: a single writing connection at a time
    shown: str  # the SQLAlchemy URL without its password, for messages
    secret_options: dict[str, str] = field(repr=False)

    def options(self) -> dict[str, str]:
        return {"url": self.url, "driver": self.driver, **self.secret_options}


def jdbc_target(warehouse_url: str) -> JdbcTarget:
    """The JDBC URL and properties of a SQLAlchemy warehouse URL (SQLite or MySQL)."""
    url = sa.make_url(warehouse_url)
    backend = url.get_backend_name()
    shown = describe_url(warehouse_url)
    if backend == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise WarehouseError(
                f"{shown} is not a SQLite file Spark can open: set SALES_WAREHOUSE_URL to "
                "sqlite:///path/to.db."
            )
        path = Path(database).expanduser().resolve()
        return JdbcTarget(
            url=f"jdbc:sqlite:{path}",
            driver=SQLITE_DRIVER,
            one_writer=True,
            shown=shown,
            secret_options={"busy_timeout": str(SQLITE_BUSY_TIMEOUT_MS)},
        )
    if backend in ("mysql", "mariadb"):
        # MariaDB Connector/J (LGPL) speaks to MySQL and MariaDB alike; the jdbc:mysql scheme
        # makes Spark use its MySQL dialect (back-quoted names, MySQL types).
        host = url.host or "localhost"
        secrets = {"user": url.username or ""}
        if url.password is not None:
            secrets["password"] = str(url.password)
        return JdbcTarget(
            url=f"jdbc:mysql://{host}:{url.port or 3306}/{url.database or ''}?permitMysqlScheme",
            driver=MARIADB_DRIVER,
            one_writer=False,
            shown=shown,
            secret_options=secrets,
        )
    raise WarehouseError(
        f"{shown}: Spark reads and writes the warehouse through JDBC, which this project "
        "supports for sqlite:/// and mysql+pymysql:// URLs only."
    )


def _spark_type(column: sa.Column) -> T.DataType:
    kind = column.type
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return T.DecimalType(kind.precision or 38, kind.scale or 0)
    if isinstance(kind, sa.BigInteger):
        return T.LongType()
    if isinstance(kind, sa.Integer):
        return T.IntegerType()
    if isinstance(kind, sa.Date):
        return T.DateType()
    if isinstance(kind, sa.Boolean):
        return T.BooleanType()
    return T.StringType()


def _fetched_as(column: sa.Column) -> str:
    """How the JDBC reader fetches a column: integers as integers, everything else as text,
    typed in Spark afterwards. One rule for both databases: SQLite keeps money as REAL and
    dates as text, MySQL as DECIMAL and DATE, and the text of either casts exactly."""
    spark_type = _spark_type(column)
    if isinstance(spark_type, T.IntegerType | T.LongType):
        return spark_type.simpleString().upper()
    return "STRING"


def _failed(target: JdbcTarget, action: str, error: Exception) -> WarehouseError:
    first_line = (str(error).strip().splitlines() or [""])[0][:300]
    return WarehouseError(
        f"Warehouse {action} through Spark's JDBC source failed on {target.shown}: "
        f"{first_line}. Check SALES_WAREHOUSE_URL, that the server is up, and that the JDBC "
        "drivers were fetched (bash scripts/fetch_jars.sh)."
    )


def _read_ranges(warehouse: Warehouse, table: sa.Table, key: sa.Column) -> dict[str, Any]:
    """The key range options of a big table; none for a small one (one task reads it)."""
    bounds = sa.select(sa.func.min(key), sa.func.max(key), sa.func.count())
    with warehouse.guarded(f"read of {table.name}"), warehouse.engine().connect() as connection:
        low, high, rows = connection.execute(bounds.select_from(table)).one()
    ranges = min(MAX_READ_RANGES, math.ceil(rows / ROWS_PER_READ_RANGE))
    if ranges <= 1 or low is None or high <= low:
        return {}
    return {
        "partitionColumn": key.name,
        "lowerBound": str(low),
        "upperBound": str(high + 1),
        "numPartitions": str(ranges),
    }


def read_table(
    warehouse: Warehouse,
    spark: SparkSession,
    table: sa.Table,
    columns: Sequence[str] | None = None,
) -> DataFrame:
    """A table (or some of its columns) as a Spark frame read by the executors, typed as
    the warehouse schema types it."""
    target = jdbc_target(warehouse.url)
    selected = [table.c[name] for name in columns] if columns else list(table.columns)
    integer_keys = [
        c for c in table.primary_key.columns if isinstance(_spark_type(c), T.IntegerType)
    ]
    options = {
        **target.options(),
        "dbtable": table.name,
        "fetchsize": str(FETCH_ROWS),
        "customSchema": ", ".join(f"{c.name} {_fetched_as(c)}" for c in selected),
    }
    if len(integer_keys) == 1:
        options |= _read_ranges(warehouse, table, integer_keys[0])
    try:
        frame = spark.read.format("jdbc").options(**options).load()
    except Exception as error:  # Spark raises py4j and PySpark errors alike
        raise _failed(target, f"read of {table.name}", error) from None
    return frame.select(*[F.col(c.name).cast(_spark_type(c)).alias(c.name) for c in selected])


def staging_table(table: sa.Table, months: Sequence[str]) -> sa.Table:
    """The staging table of a write of ``months``: its name depends on the months only, so
    a run killed mid-write leaves one that the next write of those months replaces (one
    writer per month: no two runs share it)."""
    digest = hashlib.sha1(",".join(sorted(months)).encode()).hexdigest()[:12]
    return sa.Table(
        f"{table.name}__staging_{digest}",
        sa.MetaData(),
        *[sa.Column(c.name, c.type) for c in table.columns],
    )


def replace_months_from_frame(
    warehouse: Warehouse, table: sa.Table, months: Sequence[str], frame: DataFrame
) -> int:
    """Replace the rows of ``months`` with the frame's, written by the executors; the
    number of rows inserted back."""
    target = jdbc_target(warehouse.url)
    staging = staging_table(table, months)
    warehouse.ensure_tables([table])
    engine = warehouse.engine()
    with warehouse.guarded(f"staging of {table.name}"):
        staging.drop(engine, checkfirst=True)
        staging.create(engine)
    try:
        rows = frame.select(*[F.col(c.name).cast(_spark_type(c)) for c in table.columns])
        writer = (
            rows.write.format("jdbc")
            .mode("append")
            .options(
                **target.options(),
                dbtable=staging.name,
                batchsize=str(WRITE_BATCH_ROWS),
                numPartitions="1" if target.one_writer else str(MAX_WRITE_CONNECTIONS),
            )
        )
        try:
            writer.save()
        except Exception as error:
            raise _failed(target, f"write of {table.name}", error) from None
        names = [c.name for c in table.columns]
        with warehouse.guarded(f"write of {table.name}"), engine.begin() as connection:
            connection.execute(table.delete().where(table.c.sales_month.in_(list(months))))
            inserted = connection.execute(
                table.insert().from_select(names, sa.select(*[staging.c[n] for n in names]))
            ).rowcount
    finally:
        with warehouse.guarded(f"clean-up of {staging.name}"):
            staging.drop(engine, checkfirst=True)
    return inserted

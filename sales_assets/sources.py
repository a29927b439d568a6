"""The sources of the asset graph: what the pipeline reads and never makes.

- ``landing_zone``: the landed sales files, one partition per month folder ``sales/YYYY-MM/``.
  An external asset: nothing materializes it. The landing sensor (``automation.py``) records
  an observation of a month whenever the month's files change: files present, bytes, last
  modified time and a fingerprint.
- ``customer``, ``store``, ``product``, ``sales_team``: the warehouse dimension tables, loaded
  by others. ``warehouse_dimensions`` observes them (row count and a data version) through
  the ``observe_dimensions`` job; ``observe_dimensions_schedule`` runs it every hour once
  turned on. It is STOPPED by default: each observation is one small query per table, but an
  hourly run is still a run in the run history, so the deployment chooses to turn it on.

Nothing here reads a file or a table row by row.
"""

import hashlib
from collections.abc import Iterator

import dagster as dg
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.warehouse import Warehouse

SOURCES_GROUP = "sources"
LANDING_ZONE_KEY = dg.AssetKey("landing_zone")
DIMENSION_TABLES: dict[dg.AssetKey, sa.Table] = {
    dg.AssetKey(table.name): table for table in ws.DIMENSION_TABLES
}
DIMENSION_KEYS: list[dg.AssetKey] = list(DIMENSION_TABLES)
MISSING_DATA_VERSION = "missing"
CONTENT_BATCH_ROWS = 50_000

landing_zone = dg.AssetSpec(
    LANDING_ZONE_KEY,
    partitions_def=monthly_partitions,
    group_name=SOURCES_GROUP,
    kinds={"csv"},
    description=(
        "Raw sales files dropped into `{SALES_LANDING_URI}/sales/YYYY-MM/`, one partition per "
        "month folder. External: the landing sensor observes a month when its files change "
        "and launches the pipeline for it."
    ),
)


def _key_column(table: sa.Table) -> sa.Column:
    return next(iter(table.primary_key.columns))


def _column_schema(table: sa.Table) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(column.name, str(column.type)) for column in table.columns]
    )


def _dimension_spec(key: dg.AssetKey, table: sa.Table) -> dg.AssetSpec:
    return dg.AssetSpec(
        key,
        group_name=SOURCES_GROUP,
        description=(
            f"The `{table.name}` dimension table of the warehouse, loaded outside the pipeline "
            f"and read by it (key `{_key_column(table).name}`). Observed: row count and a "
            "data version."
        ),
        metadata={"dagster/table_name": table.name, "dagster/column_schema": _column_schema(table)},
    )


def content_version(warehouse: Warehouse, table: sa.Table) -> str:
    """A digest of every row: it changes when any value changes, and only then. MySQL
    computes it on the server (``CHECKSUM TABLE``: no row leaves it); SQLite, a local file,
    is streamed in key order in batches (the process holds one batch)."""
    if warehouse.engine().dialect.name == "mysql":
        with warehouse.guarded(f"checksum of {table.name}"), warehouse.engine().connect() as c:
            checksum = c.exec_driver_sql(f"CHECKSUM TABLE `{table.name}`").one()[1]
        return f"checksum={checksum}"
    digest = hashlib.sha256()
    query = sa.select(table).order_by(*table.primary_key.columns)
    with warehouse.guarded(f"read of {table.name}"), warehouse.engine().connect() as connection:
        result = connection.execution_options(yield_per=CONTENT_BATCH_ROWS).execute(query)
        for batch in result.partitions():
            for row in batch:
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
    return digest.hexdigest()[:16]


def observe_dimension(warehouse: Warehouse, table: sa.Table) -> dg.ObserveResult:
    """The row count, the key range, and a data version from the table's content (every
    row read once, streamed: a few seconds a million rows). An unchanged table keeps its
    version, so its consumers are not shown stale; any added, removed or updated row moves
    it. A missing table is observed, with 0 rows and ``missing`` as its version, not failed.
    """
    key = dg.AssetKey(table.name)
    if not warehouse.has_table(table):
        return dg.ObserveResult(
            asset_key=key,
            data_version=dg.DataVersion(MISSING_DATA_VERSION),
            metadata={
                "dagster/row_count": 0,
                "dagster/table_name": table.name,
                "missing": dg.MetadataValue.bool(True),
                "status": f"table {table.name} does not exist in the warehouse: load it first",
            },
        )
    column = _key_column(table)
    query = sa.select(
        sa.func.count().label("rows"),
        sa.func.min(column).label("min_key"),
        sa.func.max(column).label("max_key"),
    ).select_from(table)
    (found,) = warehouse.select(query, table.name)
    rows, min_key, max_key = int(found["rows"]), found["min_key"], found["max_key"]
    return dg.ObserveResult(
        asset_key=key,
        data_version=dg.DataVersion(content_version(warehouse, table)),
        metadata={
            "dagster/row_count": rows,
            "dagster/table_name": table.name,
            "missing": dg.MetadataValue.bool(False),
            f"min_{column.name}": dg.MetadataValue.text(str(min_key)),
            f"max_{column.name}": dg.MetadataValue.text(str(max_key)),
        },
    )


@dg.multi_observable_source_asset(
    specs=[_dimension_spec(key, table) for key, table in DIMENSION_TABLES.items()],
    name="warehouse_dimensions",
    description="Observe the warehouse dimension tables: row count and data version of each.",
    can_subset=True,
)
def warehouse_dimensions(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.ObserveResult]:
    for key, table in DIMENSION_TABLES.items():
        if key in context.selected_asset_keys:
            yield observe_dimension(warehouse, table)


SOURCE_ASSETS = [landing_zone, warehouse_dimensions]

observe_dimensions_job = dg.define_asset_job(
    "observe_dimensions",
    selection=dg.AssetSelection.assets(*DIMENSION_KEYS),
    description="Observe the four warehouse dimension tables: row counts and data versions.",
)

observe_dimensions_schedule = dg.ScheduleDefinition(
    name="observe_dimensions_schedule",
    job=observe_dimensions_job,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    # STOPPED until a deployment turns it on (see the module docstring).
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every hour: observe the warehouse dimension tables.",
)

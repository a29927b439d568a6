"""Warehouse IO manager: a month's rows replaced in one transaction (or appended, for audit).

Accepts a Spark DataFrame (results: written by the executors through Spark's JDBC writer,
see ``resources.warehouse_jdbc``) or rows already on the driver (the per-file audit, one row
per landed file).
"""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
from pyspark.sql import DataFrame

from sales_assets import storage
from sales_assets.month_metadata import add_month_metadata, warehouse_month_metadata
from sales_assets.resources import warehouse_jdbc
from sales_assets.resources.warehouse import Warehouse

WRITE_MODE_KEY = "write_mode"  # asset metadata
REPLACE_MONTHS = "replace_months"
APPEND = "append"
# History tables (the audit): a run's rows for the files it wrote replace that run's earlier
# rows for those files (a retry of the step), and keep every other run's.
REPLACE_RUN_FILES = "replace_run_files"


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Writes result assets into their tables of the data contract."""

    warehouse: dg.ResourceDependency[Warehouse]

    def handle_output(
        self, context: dg.OutputContext, obj: DataFrame | Iterable[Mapping[str, Any]]
    ) -> None:
        table = storage.warehouse_table(context.asset_key)
        months = list(context.asset_partition_keys)
        mode = (context.definition_metadata or {}).get(WRITE_MODE_KEY, REPLACE_MONTHS)
        appended = None
        if isinstance(obj, DataFrame):
            warehouse_jdbc.replace_months_from_frame(self.warehouse, table, months, obj)
        elif mode in (APPEND, REPLACE_RUN_FILES):
            # Appended rows are few (one per landed file) and counted per month after writing.
            appended = list(obj)
            if mode == APPEND:
                self.warehouse.append(table, appended)
            else:
                self.warehouse.replace_run_files(table, context.run_id, appended)
        else:
            self.warehouse.replace_months(table, months, obj)
        add_month_metadata(
            context, warehouse_month_metadata(self.warehouse, table, months, appended)
        )

    def load_input(self, context: dg.InputContext) -> list[dict[str, Any]]:
        # Result tables grow with customers: no asset reads them through the driver.
        table = storage.warehouse_table(context.asset_key)
        raise dg.Failure(
            f"The warehouse table {table.name} is an end result and is not loaded as an "
            "asset input: read it with SQL, or with Spark through "
            "sales_assets.resources.warehouse_jdbc.read_table."
        )

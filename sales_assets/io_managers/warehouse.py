"""Warehouse IO manager: a month's rows replaced in one transaction (or appended, for audit).

Accepts a Spark DataFrame (results: streamed partition by partition) or rows already on the
driver (the per-file audit). Writes go through the ``Warehouse`` resource.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
import pyarrow as pa
from pyspark.sql import DataFrame

from sales_assets import storage
from sales_assets.month_metadata import add_month_metadata, warehouse_month_metadata
from sales_assets.resources.warehouse import Warehouse

WRITE_MODE_KEY = "write_mode"  # asset metadata
REPLACE_MONTHS = "replace_months"
APPEND = "append"


def _rows(
    obj: DataFrame | Iterable[Mapping[str, Any]], columns: list[str]
) -> Iterable[Any] | pa.Table:
    if not isinstance(obj, DataFrame):
        return obj
    # Results are aggregates (customers x months at most), written from the driver: one
    # Arrow table, read column by column (no Row object per row).
    return obj.select(*columns).toArrow()


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Writes result assets into their tables of the data contract."""

    warehouse: dg.ResourceDependency[Warehouse]

    def handle_output(
        self, context: dg.OutputContext, obj: DataFrame | Iterable[Mapping[str, Any]]
    ) -> None:
        table = storage.warehouse_table(context.asset_key)
        months = list(context.asset_partition_keys)
        mode = (context.definition_metadata or {}).get(WRITE_MODE_KEY, REPLACE_MONTHS)
        if mode == APPEND:
            # Appended rows are few (one per landed file) and counted per month after writing.
            appended = list(_rows(obj, [c.name for c in table.columns]))
            self.warehouse.append(table, appended)
        else:
            appended = None
            self.warehouse.replace_months(
                table, months, _rows(obj, [c.name for c in table.columns])
            )
        add_month_metadata(
            context, warehouse_month_metadata(self.warehouse, table, months, appended)
        )

    def load_input(self, context: dg.InputContext) -> list[dict[str, Any]]:
        table = storage.warehouse_table(context.asset_key)
        return self.warehouse.read_rows(table, list(context.asset_partition_keys))

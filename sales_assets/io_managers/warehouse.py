"""Warehouse IO manager: a month's rows replaced in one transaction (or appended, for audit)."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from pyspark.sql import DataFrame

from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse

WRITE_MODE_KEY = "write_mode"
REPLACE_MONTHS = "replace_months"
APPEND = "append"


def _rows(frame: DataFrame, columns: list[str]) -> Iterator[dict[str, Any]]:
    # Results are aggregates (customers x months at most): streamed partition by partition.
    for row in frame.select(*columns).toLocalIterator(prefetchPartitions=True):
        yield row.asDict()


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Writes Spark DataFrames of result assets into their SPEC tables."""

    warehouse: dg.ResourceDependency[Warehouse]

    def handle_output(self, context: dg.OutputContext, obj: DataFrame) -> None:
        table = ws.RESULT_TABLES[context.asset_key.path[-1]]
        months = list(context.asset_partition_keys)
        mode = (context.definition_metadata or {}).get(WRITE_MODE_KEY, REPLACE_MONTHS)
        written = self.warehouse.replace_months(
            table,
            months,
            _rows(obj, [c.name for c in table.columns]),
            delete_first=mode == REPLACE_MONTHS,
        )
        context.add_output_metadata(
            {"table": table.name, "rows_written": written, "sales_months": ", ".join(months)}
        )

    def load_input(self, context: dg.InputContext) -> list[dict[str, Any]]:
        table = ws.RESULT_TABLES[context.asset_key.path[-1]]
        return self.warehouse.read_rows(table, list(context.asset_partition_keys))

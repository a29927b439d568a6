"""Column schemas of every asset, shown in the Dagster UI (``dagster/column_schema``).

Derived from the contracts themselves (Spark schemas of the lake, SQLAlchemy tables of the
warehouse), so the UI cannot drift from what is stored.
"""

from __future__ import annotations

import dagster as dg

from sales_assets import warehouse_schema as ws
from sales_assets.transforms.schemas import LAKE_SCHEMAS


def column_schema(asset_name: str) -> dg.TableSchema | None:
    if asset_name in LAKE_SCHEMAS:
        return dg.TableSchema(
            columns=[
                dg.TableColumn(field.name, field.dataType.simpleString())
                for field in LAKE_SCHEMAS[asset_name].fields
            ]
        )
    if asset_name in ws.RESULT_TABLES:
        return dg.TableSchema(
            columns=[
                dg.TableColumn(column.name, str(column.type).lower())
                for column in ws.RESULT_TABLES[asset_name].columns
            ]
        )
    return None


def with_column_schema(spec: dg.AssetSpec) -> dg.AssetSpec:
    schema = column_schema(spec.key.path[-1])
    if schema is None:
        return spec
    return spec.merge_attributes(metadata={"dagster/column_schema": schema})

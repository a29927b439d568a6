"""The four dimension tables of the warehouse as Spark DataFrames."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession

from sales_assets import warehouse_schema as ws
from sales_assets.errors import PermanentError
from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url


@dataclass(frozen=True)
class Dimensions:
    customers: DataFrame
    stores: DataFrame
    sales_team: DataFrame
    products: DataFrame


# The join key of each dimension (SPEC section 3): all that validation needs (and the
# product's id, to name the rows of an ambiguous name).
KEY_COLUMNS = {
    "customer": ["customer_id"],
    "store": ["id"],
    "product": ["id", "name"],
    "sales_team": ["id"],
}
MAX_NAMED_CONFLICTS = 20


class AmbiguousDimensionKeyError(PermanentError):
    """A join key matches several dimension rows: enrichment would multiply sales."""


def ambiguous_product_names(products: pa.Table) -> list[tuple[str | None, list[int]]]:
    """Product names that match several product rows once trimmed as the join trims them
    (``enrichment.product_join_key``: spaces only), each with its ids in order. Checked in
    Arrow on the driver, where the small table already is: no Spark job for it."""
    keyed = pa.table(
        {"product_name": pc.utf8_trim(products["name"], characters=" "), "id": products["id"]}
    )
    groups = keyed.group_by("product_name").aggregate([("id", "list")])
    groups = groups.filter(pc.greater(pc.list_value_length(groups["id_list"]), 1))
    named = zip(groups["product_name"].to_pylist(), groups["id_list"].to_pylist(), strict=True)
    return sorted(
        ((name, sorted(ids)) for name, ids in named), key=lambda c: (c[0] is None, c[0] or "")
    )


def read_dimensions(
    warehouse: Warehouse, spark: SparkSession, keys_only: bool = False
) -> Dimensions:
    """Read through Arrow; the frames are small enough to broadcast. ``keys_only`` reads
    just the join keys (a million customers: an int column instead of seven)."""
    arrows, frames = {}, {}
    for table in ws.DIMENSION_TABLES:
        if not warehouse.has_table(table):  # an unreachable server fails here, as itself
            raise WarehouseError(
                f"The dimension table {table.name!r} is missing from "
                f"{describe_url(warehouse.url)}: load the dimension tables before the pipeline "
                "runs (sales-assets generate loads sample dimensions)."
            )
        arrows[table.name] = warehouse.read_arrow(
            table, KEY_COLUMNS[table.name] if keys_only else None
        )
        frames[table.name] = spark.createDataFrame(arrows[table.name])
    # Other keys are primary keys: unique by the database. Product names are not, once trimmed.
    conflicts = ambiguous_product_names(arrows["product"])[:MAX_NAMED_CONFLICTS]
    if conflicts:
        named = "; ".join(f"{name!r} (ids {', '.join(map(str, ids))})" for name, ids in conflicts)
        raise AmbiguousDimensionKeyError(
            f"Product names in {describe_url(warehouse.url)} that are equal after trimming "
            f"spaces match several product rows: {named}. Sales would be counted once per "
            "row; make the names unique in the product table, then re-run. Nothing was written."
        )
    return Dimensions(
        customers=frames["customer"],
        stores=frames["store"],
        sales_team=frames["sales_team"],
        products=frames["product"],
    )

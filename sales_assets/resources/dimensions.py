"""The four dimension tables of the warehouse as Spark DataFrames."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sales_assets import warehouse_schema as ws
from sales_assets.errors import PermanentError
from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url
from sales_assets.resources.warehouse_jdbc import read_table
from sales_assets.transforms.enrichment import product_join_key


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
# What enrichment reads of each (SPEC section 4's enriched columns, and the keys).
ENRICHMENT_COLUMNS = {
    "customer": [c.name for c in ws.customer.columns],
    "store": ["id", "address", "store_pincode", "store_manager_name", "store_opening_date"],
    "product": ["id", "name", "current_price", "old_price"],
    "sales_team": [c.name for c in ws.sales_team.columns],
}
MAX_NAMED_CONFLICTS = 20


class AmbiguousDimensionKeyError(PermanentError):
    """A join key matches several dimension rows: enrichment would multiply sales."""


def ambiguous_product_names(
    products: DataFrame, limit: int = MAX_NAMED_CONFLICTS
) -> list[tuple[str | None, list[int]]]:
    """Product names that match several product rows once trimmed as the join trims them
    (``enrichment.product_join_key``), each with its ids in order; the first ``limit`` by
    name. Grouped in Spark: only the conflicts reach the driver."""
    conflicts = (
        products.groupBy(product_join_key().alias("product_name"))
        .agg(F.sort_array(F.collect_list("id")).alias("ids"))
        .filter(F.size("ids") > 1)
        .orderBy(F.col("product_name").asc_nulls_last())
        .limit(limit)
    )
    return [(row["product_name"], list(row["ids"])) for row in conflicts.collect()]


def read_dimensions(
    warehouse: Warehouse, spark: SparkSession, keys_only: bool = False
) -> Dimensions:
    """Each dimension read by Spark's JDBC source in the executors (big tables in parallel
    key ranges). ``keys_only`` reads just the join keys (millions of customers: one int
    column instead of seven)."""
    frames = {}
    for table in ws.DIMENSION_TABLES:
        if not warehouse.has_table(table):  # an unreachable server fails here, as itself
            raise WarehouseError(
                f"The dimension table {table.name!r} is missing from "
                f"{describe_url(warehouse.url)}: load the dimension tables before the pipeline "
                "runs (sales-assets generate loads sample dimensions)."
            )
        columns = (KEY_COLUMNS if keys_only else ENRICHMENT_COLUMNS)[table.name]
        frames[table.name] = read_table(warehouse, spark, table, columns)
    # Other keys are primary keys: unique by the database. Product names are not, once trimmed.
    conflicts = ambiguous_product_names(frames["product"])
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

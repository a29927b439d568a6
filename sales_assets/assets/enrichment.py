"""Stage 2: accepted sales enriched with the warehouse dimensions."""

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import DataFrame

from sales_assets.errors import TRANSIENT_RETRY_POLICY
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.dimensions import read_dimensions
from sales_assets.resources.warehouse import Warehouse
from sales_assets.sources import DIMENSION_KEYS
from sales_assets.storage import LAKE_IO_MANAGER
from sales_assets.transforms.enrichment import enrich_sales

CODE_VERSION = "1"  # bump when what an asset computes changes


@dg.asset(
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY_POLICY,
    io_manager_key=LAKE_IO_MANAGER,
    deps=DIMENSION_KEYS,
    group_name="enrichment",
    code_version=CODE_VERSION,
)
def enriched_sales(
    validated_sales: DataFrame, pyspark: LazyPySparkResource, warehouse: Warehouse
) -> DataFrame:
    """Validated sales joined with customer, store, product and sales_team (left joins)."""
    dims = read_dimensions(warehouse, pyspark.spark_session)
    return enrich_sales(
        validated_sales, dims.customers, dims.stores, dims.sales_team, dims.products
    )

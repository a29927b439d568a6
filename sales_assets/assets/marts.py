"""Stage 3: the customer and sales-team data marts, Parquet partitioned by month."""

import dagster as dg
from pyspark.sql import DataFrame

from sales_assets.errors import TRANSIENT_RETRY_POLICY
from sales_assets.io_managers.lake import PARTITION_BY_KEY
from sales_assets.partitions import monthly_partitions
from sales_assets.storage import LAKE_IO_MANAGER
from sales_assets.transforms import marts

CODE_VERSION = "1"  # bump when what an asset computes changes


@dg.asset(
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY_POLICY,
    io_manager_key=LAKE_IO_MANAGER,
    group_name="marts",
    code_version=CODE_VERSION,
)
def customer_data_mart(enriched_sales: DataFrame) -> DataFrame:
    """One row per accepted sale with the customer's contact details."""
    return marts.customer_data_mart(enriched_sales)


@dg.asset(
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY_POLICY,
    io_manager_key=LAKE_IO_MANAGER,
    metadata={PARTITION_BY_KEY: ["store_id"]},
    group_name="marts",
    code_version=CODE_VERSION,
)
def sales_team_data_mart(enriched_sales: DataFrame) -> DataFrame:
    """One row per accepted sale with the sales person and store manager; split by store."""
    return marts.sales_team_data_mart(enriched_sales)

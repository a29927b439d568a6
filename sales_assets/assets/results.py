"""Stage 4: business results in the warehouse (SPEC section 5), each guarded by checks."""

from collections.abc import Iterator
from decimal import Decimal

import dagster as dg
from pyspark.sql import DataFrame

from sales_assets import checks, storage
from sales_assets.errors import TRANSIENT_RETRY_POLICY
from sales_assets.partitions import monthly_partitions, previous_month
from sales_assets.resources.lake import Lake
from sales_assets.resources.warehouse import Warehouse
from sales_assets.run_config import IncentiveConfig
from sales_assets.storage import WAREHOUSE_IO_MANAGER
from sales_assets.transforms import results

CODE_VERSION = "1"  # bump when what an asset computes changes
MART = dg.AssetKey("customer_data_mart")


@dg.asset(
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY_POLICY,
    io_manager_key=WAREHOUSE_IO_MANAGER,
    check_specs=[checks.key_unique_spec("customer_monthly_sales")],
    group_name="results",
    code_version=CODE_VERSION,
)
def customer_monthly_sales(
    context: dg.AssetExecutionContext,
    customer_data_mart: DataFrame,
    lake: Lake,
    warehouse: Warehouse,
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """Monthly sales per customer against the month before; flags declining customers.

    The month before the run's first month is read from the lake directly (a month never
    written reads as no sales there). Declaring it as a time-window input instead would make
    Dagster schedule the month after a requested range too, in a second run.
    """
    months = list(context.partition_keys)
    before = lake.read(
        MART, storage.lake_schema(MART), [previous_month(months[0])], allow_missing=True
    )
    # Read four times by the comparison: aggregated once, kept for the write.
    totals = results.customer_month_totals(customer_data_mart.unionByName(before)).persist()
    yield dg.Output(results.customer_monthly_sales(totals, months))
    totals.unpersist()
    yield from checks.key_unique_result(warehouse, "customer_monthly_sales", months).events(context)


@dg.asset(
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY_POLICY,
    io_manager_key=WAREHOUSE_IO_MANAGER,
    check_specs=[
        checks.key_unique_spec("sales_team_incentive"),
        checks.INCENTIVE_RULE_SPEC,
    ],
    group_name="results",
    code_version=CODE_VERSION,
)
def sales_team_incentive(
    context: dg.AssetExecutionContext,
    config: IncentiveConfig,
    sales_team_data_mart: DataFrame,
    warehouse: Warehouse,
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """Sales per sales person per store and month; rank 1 of each store earns the incentive."""
    months = list(context.partition_keys)
    rate = Decimal(str(config.incentive_rate))
    context.add_asset_metadata({"incentive_rate": float(rate)})  # every month of the run
    yield dg.Output(results.sales_team_incentive(sales_team_data_mart, rate))
    yield from checks.key_unique_result(warehouse, "sales_team_incentive", months).events(context)
    yield from checks.incentive_rule_result(warehouse, months, rate).events(context)

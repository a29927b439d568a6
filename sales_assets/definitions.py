"""The one Definitions object: assets, checks, resources and jobs, chosen from the environment."""

from __future__ import annotations

import os

import dagster as dg

from sales_assets.assets import enrichment, landing, marts, results
from sales_assets.config import WAREHOUSE_URL_VARIABLE, Settings
from sales_assets.io_managers.lake import LakeIOManager
from sales_assets.io_managers.warehouse import WarehouseIOManager
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.spark import spark_resource
from sales_assets.resources.warehouse import Warehouse
from sales_assets.storage import (
    LAKE_IO_MANAGER,
    WAREHOUSE_IO_MANAGER,
    verify_storage_contracts,
    with_column_schema,
)

sales_pipeline_job = dg.define_asset_job(
    "sales_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=monthly_partitions,
    description="Every stage for the selected months: validate, enrich, marts, results.",
)


def build_resources(settings: Settings) -> dict[str, object]:
    """Resources for one deployment; the only place that knows which backends are used."""
    pyspark = spark_resource(settings)
    # The URL may hold a password: when it comes from the environment, Dagster keeps it as
    # an EnvVar reference, so the UI and run config show the variable's name, not its value.
    warehouse = Warehouse(
        url=dg.EnvVar(WAREHOUSE_URL_VARIABLE)
        if os.environ.get(WAREHOUSE_URL_VARIABLE)
        else settings.warehouse_url
    )
    return {
        "pyspark": pyspark,
        "landing_zone": LandingZone.from_settings(settings),
        "warehouse": warehouse,
        LAKE_IO_MANAGER: LakeIOManager(lake_uri=settings.lake_uri, pyspark=pyspark),
        WAREHOUSE_IO_MANAGER: WarehouseIOManager(warehouse=warehouse),
    }


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    assets = dg.load_assets_from_modules([landing, enrichment, marts, results])
    verify_storage_contracts(assets)  # a stored asset without a contract fails here, not mid-run
    return dg.Definitions(
        assets=dg.map_asset_specs(with_column_schema, assets),
        jobs=[sales_pipeline_job],
        resources=build_resources(settings),
        # One process and one Spark session per run: a JVM per step would cost more than
        # the steps themselves.
        executor=dg.in_process_executor,
    )


defs = build_definitions()

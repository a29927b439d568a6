"""The one Definitions object: sources, assets, checks, jobs, automation and resources, with
the backends chosen from the environment."""

import os
import warnings

import dagster as dg

# Dagster marks some APIs used here (single-run backfills, partitioned checks) beta or
# preview; its warnings are about Dagster's own stability, not something a user can act on.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

from sales_assets import (  # noqa: E402
    alerts,
    automation,
    checks,
    following_month,
    freshness,
    sources,
)
from sales_assets.assets import enrichment, landing, marts, results  # noqa: E402
from sales_assets.config import WAREHOUSE_URL_VARIABLE, Settings  # noqa: E402
from sales_assets.io_managers.lake import LakeIOManager  # noqa: E402
from sales_assets.io_managers.warehouse import WarehouseIOManager  # noqa: E402
from sales_assets.jobs import sales_pipeline_job  # noqa: E402
from sales_assets.resources.lake import Lake  # noqa: E402
from sales_assets.resources.landing_zone import LandingZone  # noqa: E402
from sales_assets.resources.month_lock import MonthLock  # noqa: E402
from sales_assets.resources.spark import spark_resource  # noqa: E402
from sales_assets.resources.warehouse import Warehouse  # noqa: E402
from sales_assets.storage import (  # noqa: E402
    LAKE_IO_MANAGER,
    WAREHOUSE_IO_MANAGER,
    verify_storage_contracts,
    with_column_schema,
)

OWNERS = ["team:data-engineering"]


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
    lake = Lake(
        lake_uri=settings.lake_uri, pyspark=pyspark, month_lock=MonthLock(warehouse=warehouse)
    )
    return {
        "pyspark": pyspark,
        "lake": lake,
        "landing_zone": LandingZone.from_settings(settings),
        "warehouse": warehouse,
        LAKE_IO_MANAGER: LakeIOManager(lake=lake),
        WAREHOUSE_IO_MANAGER: WarehouseIOManager(warehouse=warehouse),
    }


def storage_kinds(settings: Settings) -> dict[str, set[str]]:
    """The icons of each kind of asset, as deployed: where it is stored and how."""

    def store(uri: str) -> str:
        return "s3" if uri.startswith("s3a://") else "file"

    warehouse = "mysql" if settings.warehouse_url.startswith("mysql") else "sqlite"
    return {
        LAKE_IO_MANAGER: {"spark", "parquet", store(settings.lake_uri)},
        WAREHOUSE_IO_MANAGER: {"spark", warehouse},
        sources.LANDING_ZONE_KEY.to_user_string(): {"csv", store(settings.landing_uri)},
        **{key.to_user_string(): {warehouse} for key in sources.DIMENSION_KEYS},
    }


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    assets = dg.load_assets_from_modules([landing, enrichment, marts, results])
    verify_storage_contracts(assets)  # a stored asset without a contract fails here, not mid-run
    kinds = storage_kinds(settings)

    def stored_by(key: dg.AssetKey) -> str:
        """The IO manager of a pipeline asset, else the source's own name."""
        owner = next((a for a in assets if key in a.keys), None)
        return owner.get_io_manager_key_for_asset_key(key) if owner else key.to_user_string()

    def describe(spec: dg.AssetSpec) -> dg.AssetSpec:
        spec = with_column_schema(spec)
        return spec.merge_attributes(kinds=kinds.get(stored_by(spec.key), set()), owners=OWNERS)

    return dg.Definitions(
        assets=dg.map_asset_specs(describe, [*sources.SOURCE_ASSETS, *assets]),
        asset_checks=[*checks.MANDATORY_CHECKS, *freshness.FRESHNESS_CHECKS],
        jobs=[sales_pipeline_job, sources.observe_dimensions_job, freshness.freshness_job],
        sensors=[
            *automation.SENSORS,
            following_month.following_month_sensor,
            alerts.run_failure_alert,
        ],
        schedules=[*automation.SCHEDULES, freshness.freshness_schedule],
        resources=build_resources(settings),
        # One process and one Spark session per run: a JVM per step would cost more than
        # the steps themselves.
        executor=dg.in_process_executor,
    )


defs = build_definitions()

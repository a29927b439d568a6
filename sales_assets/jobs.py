"""Jobs: the whole pipeline for the selected months (one run, one Spark session, a range)."""

import dagster as dg

from sales_assets.partitions import monthly_partitions

PIPELINE_GROUPS = ("landing", "enrichment", "marts", "results")

sales_pipeline_job = dg.define_asset_job(
    "sales_pipeline",
    selection=dg.AssetSelection.groups(*PIPELINE_GROUPS),
    partitions_def=monthly_partitions,
    description="Every stage for the selected months: validate, enrich, marts, results.",
)

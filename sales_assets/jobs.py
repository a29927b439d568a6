"""Jobs: the whole pipeline for the selected months (one run, one Spark session, a range)."""

import dagster as dg

from sales_assets.freshness import FRESHNESS_CHECKS
from sales_assets.partitions import monthly_partitions

PIPELINE_GROUPS = ("landing", "enrichment", "marts", "results")

sales_pipeline_job = dg.define_asset_job(
    "sales_pipeline",
    # The month-end freshness checks have a schedule of their own: a run of old months is
    # no reason to ask whether the month just closed is in.
    selection=dg.AssetSelection.groups(*PIPELINE_GROUPS)
    - dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    partitions_def=monthly_partitions,
    description="Every stage for the selected months: validate, enrich, marts, results.",
)

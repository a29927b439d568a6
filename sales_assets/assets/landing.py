"""Stage 1: validate the month's landed files into accepted rows, rejected rows and an audit."""

import datetime as dt
from collections.abc import Iterator

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark import StorageLevel

from sales_assets import checks, storage
from sales_assets.errors import TRANSIENT_RETRY_POLICY
from sales_assets.io_managers.warehouse import REPLACE_RUN_FILES, WRITE_MODE_KEY
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.dimensions import read_dimensions
from sales_assets.resources.lake import Lake
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse
from sales_assets.sources import DIMENSION_KEYS, LANDING_ZONE_KEY
from sales_assets.storage import LAKE_IO_MANAGER, WAREHOUSE_IO_MANAGER
from sales_assets.transforms import contract as c
from sales_assets.transforms import file_decisions as fd
from sales_assets.transforms.landing_frames import (
    VERDICT_COLUMNS,
    file_summaries,
    parse_landing_files,
    rows_of_files,
    stats_of_files,
)
from sales_assets.transforms.row_rules import (
    accepted_sales,
    classify_sales,
    for_outputs,
    rejected_sales,
)

CODE_VERSION = "1"  # bump when what the step computes changes
VALIDATED = dg.AssetKey("validated_sales")
REJECTED = dg.AssetKey("rejected_sales")


@dg.multi_asset(
    outs={
        "validated_sales": dg.AssetOut(
            io_manager_key=LAKE_IO_MANAGER,
            is_required=False,  # not published when the blocking check fails
            code_version=CODE_VERSION,
            description="Accepted sales rows, typed, with source_file, line_number and "
            "additional_columns.",
        ),
        "rejected_sales": dg.AssetOut(
            io_manager_key=LAKE_IO_MANAGER,
            is_required=False,
            code_version=CODE_VERSION,
            description="Rows of valid files that break a rule: raw values and one reason.",
        ),
        "sales_file_audit": dg.AssetOut(
            io_manager_key=WAREHOUSE_IO_MANAGER,
            is_required=False,
            code_version=CODE_VERSION,
            metadata={WRITE_MODE_KEY: REPLACE_RUN_FILES},
            description="One row per landed file per run: processed, invalid or duplicate.",
        ),
    },
    deps=[LANDING_ZONE_KEY, *DIMENSION_KEYS],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY_POLICY,
    check_specs=[checks.MANDATORY_SPEC, checks.CONSERVATION_SPEC, checks.LANDING_FOLDERS_SPEC],
    group_name="landing",
)
def landed_sales(
    context: dg.AssetExecutionContext,
    pyspark: LazyPySparkResource,
    landing_zone: LandingZone,
    lake: Lake,
    warehouse: Warehouse,
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """Validate every file of the run's months (see docs/data-contract.md).

    Write-audit-publish: accepted and rejected rows are staged, the blocking check reads the
    staged months, and only when it passes are the months published, the audit written and
    the invalid files quarantined; when it fails, the live months stay as they were.
    """
    months = list(context.partition_keys)
    spark = pyspark.spark_session
    processed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    landed = landing_zone.land(spark, months)
    dims = read_dimensions(warehouse, spark, keys_only=True)
    # One cached pass: parse, type and judge every record. The per-file verdict rows ride
    # along (their typing is meaningless and they are filtered out below).
    judged = for_outputs(
        classify_sales(
            parse_landing_files(landed.to_parse, landed.open_file),
            dims.customers,
            dims.stores,
            dims.sales_team,
            dims.products,
            carry=VERDICT_COLUMNS,
        )
    ).persist(StorageLevel.DISK_ONLY)  # read 3 times; on the heap it would crowd the writers
    summaries = file_summaries(judged).collect()  # one small row per parsed file
    verdicts = fd.verdicts_by_month(summaries, landed.first_of, landed.judged_unparsed)
    decisions = fd.decide_months(months, verdicts)
    processed = fd.processed_keys(decisions)
    classified = rows_of_files(judged, processed)
    stats = stats_of_files(summaries, set(processed))

    run_id = context.run_id
    staged = {
        "validated_sales": lake.stage(VALIDATED, accepted_sales(classified), months, run_id),
        "rejected_sales": lake.stage(REJECTED, rejected_sales(classified), months, run_id),
    }
    mandatory = checks.mandatory_columns_result(
        lake.read_staged(staged["validated_sales"], storage.lake_schema(VALIDATED)), months
    )
    conservation = checks.conservation_result(months, decisions, stats)
    folders = checks.landing_folders_result(landing_zone.month_folders()[1], months)
    judged.unpersist()
    published = mandatory.passed  # the blocking check decides: publish everything or nothing
    for name, months_staged in staged.items():
        if published:
            yield dg.Output(months_staged, name)
        else:
            lake.discard(months_staged)
    if published:
        yield dg.Output(fd.audit_rows(decisions, stats, processed_at, run_id), "sales_file_audit")
    for check in (mandatory, conservation, folders):
        yield from check.events(context)
    if not published:
        return  # the failed blocking check fails the step
    for decision in (d for d in decisions if d.status == c.STATUS_INVALID):
        where = landing_zone.quarantine(landed.file(decision.key), decision.content_sha256)
        context.log.info(
            f"Quarantined {decision.sales_month}/{decision.name} ({decision.reason}) as {where}"
        )

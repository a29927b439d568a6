"""Stage 1: validate the month's landed files into accepted rows, rejected rows and an audit."""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import reduce

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sales_assets.partitions import monthly_partitions
from sales_assets.resources.dimensions import read_dimensions
from sales_assets.resources.landing_zone import LandedFile, LandingZone, spark_skips
from sales_assets.resources.warehouse import Warehouse
from sales_assets.transforms import contract as c
from sales_assets.transforms.landing import (
    RECORD_TYPE_FILE,
    RECORD_TYPE_ROW,
    accepted_sales,
    classify_sales,
    parse_landing_files,
    rejected_sales,
)
from sales_assets.transforms.landing_parser import (
    FileDecision,
    FileVerdict,
    decide_files,
    first_with_same_bytes,
)
from sales_assets.transforms.schemas import PARSED_LANDING_SCHEMA

MANDATORY_CHECK = "mandatory_columns_not_null"
VERDICT_COLUMNS = ("record_type", "content_sha256", "invalid_reason", "rows_read")
CONSERVATION_CHECK = "rows_read_equal_accepted_plus_rejected"


def _landed_files(landing_zone: LandingZone, months: list[str]) -> list[LandedFile]:
    return [landed for month in months for landed in landing_zone.month_files(month)]


def _hadoop_glob_escaped(path: str) -> str:
    # Spark reads a path as a Hadoop glob: a file named "sales [1].csv" must match itself.
    return re.sub(r"([\\\[\]{}*?])", r"\\\1", path)


def _files_frame(
    spark: SparkSession, csv_files: list[LandedFile], landing_zone: LandingZone
) -> DataFrame:
    """``(sales_month, source_file, content)`` of the files to parse. Spark reads them in the
    executors; the rare names Spark refuses to read (leading "." or "_") come through the
    driver instead, so no landed file goes unjudged."""
    by_spark = [f for f in csv_files if not spark_skips(f.name)]
    by_driver = [f for f in csv_files if spark_skips(f.name)]
    frames = []
    if by_spark:
        path_parts = F.split(F.col("path"), "/")
        frames.append(
            spark.read.format("binaryFile")
            .load([_hadoop_glob_escaped(f.spark_path) for f in by_spark])
            .select(
                F.element_at(path_parts, -2).alias("sales_month"),
                F.element_at(path_parts, -1).alias("source_file"),
                "content",
            )
        )
    if by_driver:
        frames.append(
            spark.createDataFrame(
                [(f.sales_month, f.name, landing_zone.read_bytes(f)) for f in by_driver],
                "sales_month string, source_file string, content binary",
            )
        )
    return reduce(DataFrame.unionByName, frames)


def _parse_unique(
    spark: SparkSession, csv_files: list[LandedFile], landing_zone: LandingZone
) -> tuple[DataFrame, dict[tuple[str, str], tuple[str, str]]]:
    """Parse each distinct content once, in the executors (lazy), and map every file to the
    first file by name with its bytes, whose verdict it shares."""
    if not csv_files:
        return spark.createDataFrame([], PARSED_LANDING_SCHEMA), {}
    files = _files_frame(spark, csv_files, landing_zone)
    hashes = files.select("sales_month", "source_file", F.sha2("content", 256)).collect()
    first_of = first_with_same_bytes([tuple(r) for r in hashes])  # one small row per file
    firsts = spark.createDataFrame(
        sorted(set(first_of.values())), "sales_month string, source_file string"
    )
    parsed = parse_landing_files(
        files.join(F.broadcast(firsts), ["sales_month", "source_file"], "left_semi")
    )
    return parsed, first_of


def _verdicts(
    classified: DataFrame, first_of: dict[tuple[str, str], tuple[str, str]]
) -> dict[str, list[FileVerdict]]:
    """Every parsed file's verdict, by month; a byte copy shares its first's verdict."""
    verdict_rows = (
        classified.filter(F.col("record_type") == RECORD_TYPE_FILE)
        .select("sales_month", "source_file", "content_sha256", "invalid_reason", "rows_read")
        .collect()  # one small row per distinct file
    )
    by_file = {(r.sales_month, r.source_file): r for r in verdict_rows}
    by_month: dict[str, list[FileVerdict]] = defaultdict(list)
    for (month, name), first in first_of.items():
        r = by_file[first]
        by_month[month].append(FileVerdict(name, r.content_sha256, r.invalid_reason, r.rows_read))
    return by_month


def _decide(
    months: list[str],
    files: list[LandedFile],
    by_month: dict[str, list[FileVerdict]],
    landing_zone: LandingZone,
) -> list[FileDecision]:
    """Add the files judged without parsing, then apply the per-month file rules."""
    for landed in files:
        if not landed.needs_parsing:  # judged by name or size; Spark skips 0-byte files
            reason = c.REASON_EMPTY if landed.name.lower().endswith(".csv") else c.REASON_NOT_CSV
            by_month[landed.sales_month].append(
                FileVerdict(landed.name, landing_zone.sha256(landed), reason)
            )
    return [d for month in months for d in decide_files(month, by_month[month])]


def _file_stats(classified: DataFrame) -> dict[tuple[str, str], dict]:
    """Per file: rows classified and rows accepted (one small row per file)."""
    aggregates = [
        F.count(F.lit(1)).alias("rows"),
        F.count_if(F.col("reason").isNull()).alias("rows_accepted"),
    ]
    rows = classified.groupBy("sales_month", "source_file").agg(*aggregates).collect()
    return {(r.sales_month, r.source_file): r.asDict() for r in rows}


def _audit_rows(
    decisions: list[FileDecision], stats: dict[tuple[str, str], dict], processed_at: dt.datetime
) -> list[dict]:
    rows = []
    for d in decisions:
        s = stats.get((d.sales_month, d.name), {"rows": 0, "rows_accepted": 0})
        processed = d.status == c.STATUS_PROCESSED
        rows.append(
            {
                "file": d.name,
                "sales_month": d.sales_month,
                "status": d.status,
                "reason": d.reason,
                "rows_read": d.rows_read if processed else None,
                "rows_accepted": s["rows_accepted"] if processed else None,
                "rows_rejected": s["rows"] - s["rows_accepted"] if processed else None,
                "content_sha256": d.content_sha256,
                "processed_at": processed_at,
            }
        )
    return rows


def _audit_frame(spark: SparkSession, rows: list[dict]) -> DataFrame:
    schema = T.StructType(
        [
            T.StructField("file", T.StringType()),
            T.StructField("sales_month", T.StringType()),
            T.StructField("status", T.StringType()),
            T.StructField("reason", T.StringType()),
            T.StructField("rows_read", T.LongType()),
            T.StructField("rows_accepted", T.LongType()),
            T.StructField("rows_rejected", T.LongType()),
            T.StructField("content_sha256", T.StringType()),
            T.StructField("processed_at", T.TimestampNTZType()),
        ]
    )
    return spark.createDataFrame([tuple(r[f.name] for f in schema.fields) for r in rows], schema)


@dg.multi_asset(
    outs={
        "validated_sales": dg.AssetOut(
            io_manager_key="lake_io_manager",
            description="Accepted sales rows, typed, with source_file, line_number and "
            "additional_columns (SPEC section 2).",
        ),
        "rejected_sales": dg.AssetOut(
            io_manager_key="lake_io_manager",
            description="Rows of valid files that break a rule: raw values and one reason.",
        ),
        "sales_file_audit": dg.AssetOut(
            io_manager_key="warehouse_io_manager",
            metadata={"write_mode": "append"},
            description="One row per landed file per run: processed, invalid or duplicate.",
        ),
    },
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[
        dg.AssetCheckSpec(
            MANDATORY_CHECK,
            asset="validated_sales",
            blocking=True,
            description="Every mandatory column is present and non-null in accepted rows.",
        ),
        dg.AssetCheckSpec(
            CONSERVATION_CHECK,
            asset="rejected_sales",
            description="For every month: rows read = rows accepted + rows rejected.",
        ),
    ],
    group_name="landing",
)
def landed_sales(
    context: dg.AssetExecutionContext,
    pyspark: LazyPySparkResource,
    landing_zone: LandingZone,
    warehouse: Warehouse,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Validate every file of the run's months (SPEC section 2)."""
    months = list(context.partition_keys)
    spark = pyspark.spark_session
    processed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    files = _landed_files(landing_zone, months)
    csv_files = [f for f in files if f.needs_parsing]
    parsed, first_of = _parse_unique(spark, csv_files, landing_zone)
    dims = read_dimensions(warehouse, spark, keys_only=True)
    # One pass: parse, type and judge every record, cached. The per-file verdict rows ride
    # along (their typing is meaningless and they are filtered out below).
    everything = classify_sales(
        parsed, dims.customers, dims.stores, dims.sales_team, dims.products, carry=VERDICT_COLUMNS
    ).persist(StorageLevel.MEMORY_AND_DISK)
    decisions = _decide(months, files, _verdicts(everything, first_of), landing_zone)
    processed = spark.createDataFrame(
        [(d.sales_month, d.name) for d in decisions if d.status == c.STATUS_PROCESSED],
        "sales_month string, source_file string",
    )
    classified = everything.filter(F.col("record_type") == RECORD_TYPE_ROW).join(
        F.broadcast(processed), ["sales_month", "source_file"], "left_semi"
    )
    stats = _file_stats(classified)

    audit = _audit_rows(decisions, stats, processed_at)
    accepted_total = sum(s["rows_accepted"] for s in stats.values())
    rows_total = sum(s["rows"] for s in stats.values())
    validated = accepted_sales(classified)
    yield dg.Output(
        validated,
        "validated_sales",
        metadata={"rows_accepted": accepted_total},
    )
    yield dg.Output(
        rejected_sales(classified),
        "rejected_sales",
        metadata={"rows_rejected": rows_total - accepted_total},
    )
    yield dg.Output(
        _audit_frame(spark, audit),
        "sales_file_audit",
        metadata={
            "files": len(audit),
            "invalid_files": sum(d.status == c.STATUS_INVALID for d in decisions),
            "duplicate_files": sum(d.status == c.STATUS_DUPLICATE for d in decisions),
        },
    )
    yield _mandatory_check(validated)
    yield _conservation_check(months, decisions, stats)

    for d in decisions:
        if d.status == c.STATUS_INVALID:
            landed = next(f for f in files if (f.sales_month, f.name) == (d.sales_month, d.name))
            context.log.info(f"Quarantined {d.sales_month}/{d.name}: {d.reason}")
            landing_zone.quarantine(landed)
    everything.unpersist()


def _mandatory_check(validated: DataFrame) -> dg.AssetCheckResult:
    """Mandatory columns present and non-null in what is written (one aggregate pass)."""
    missing = [n for n in c.MANDATORY_COLUMNS if n not in validated.columns]
    present = [n for n in c.MANDATORY_COLUMNS if n in validated.columns]
    counts = validated.agg(*[F.count_if(F.col(n).isNull()).alias(n) for n in present]).first()
    bad = {n: counts[n] for n in present if counts[n]} | {n: "missing" for n in missing}
    return dg.AssetCheckResult(
        asset_key="validated_sales",
        check_name=MANDATORY_CHECK,
        passed=not bad,
        metadata={"null_values": str(bad) if bad else "none"},
        description=None if not bad else f"NULLs in accepted rows: {bad}",
    )


def _conservation_check(
    months: list[str], decisions: list[FileDecision], stats: dict[tuple[str, str], dict]
) -> dg.AssetCheckResult:
    mismatches = {}
    for month in months:
        read = sum(d.rows_read for d in decisions if d.sales_month == month)
        classified = sum(s["rows"] for (m, _), s in stats.items() if m == month)
        if read != classified:
            mismatches[month] = f"read {read}, accepted + rejected {classified}"
    return dg.AssetCheckResult(
        asset_key="rejected_sales",
        check_name=CONSERVATION_CHECK,
        passed=not mismatches,
        metadata={"mismatches": str(mismatches) if mismatches else "none"},
    )

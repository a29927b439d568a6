"""Every asset check: its spec (declared on the asset) and how it is computed.

Checks read what was stored, for the run's months only, and report one result per month
(see monthly_checks.py).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import dagster as dg
import sqlalchemy as sa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sales_assets import storage
from sales_assets import warehouse_schema as ws
from sales_assets.monthly_checks import MonthlyCheck, Verdict, same_for_every_month
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.lake import Lake
from sales_assets.resources.warehouse import Warehouse
from sales_assets.transforms import contract as c
from sales_assets.transforms.file_decisions import FileDecision, FileKey, FileStats

MANDATORY_CHECK = "mandatory_columns_not_null"
CONSERVATION_CHECK = "rows_read_equal_accepted_plus_rejected"
KEY_UNIQUE_CHECK = "primary_key_unique"
INCENTIVE_RULE_CHECK = "incentive_rule"
CENT = Decimal("0.01")

# --- landing: validated and rejected sales ------------------------------------------------
MANDATORY_SPEC = dg.AssetCheckSpec(
    MANDATORY_CHECK,
    asset="validated_sales",
    blocking=True,
    partitions_def=monthly_partitions,
    description="Every mandatory column is present and non-null in accepted rows.",
)
CONSERVATION_SPEC = dg.AssetCheckSpec(
    CONSERVATION_CHECK,
    asset="rejected_sales",
    partitions_def=monthly_partitions,
    description="For every month: rows read = rows accepted + rows rejected.",
)


LANDING_FOLDERS_CHECK = "landing_folders_are_months"
LANDING_FOLDERS_SPEC = dg.AssetCheckSpec(
    LANDING_FOLDERS_CHECK,
    asset="validated_sales",
    partitions_def=monthly_partitions,
    description="Every folder under the landing zone's sales/ is a month (YYYY-MM); others "
    "belong to no partition and are never read.",
)


def landing_folders_result(not_months: Sequence[str], months: Sequence[str]) -> MonthlyCheck:
    """Names under ``sales/`` that are not a month folder, reported (not blocking) in each
    month of the run: they belong to none."""
    verdict = Verdict(
        passed=not not_months,
        metadata={"not_month_folders": ", ".join(not_months) or "none"},
        description=(
            f"Not read, not a month: {', '.join(not_months)}. Move their files into "
            "sales/YYYY-MM/ folders."
            if not_months
            else None
        ),
    )
    return MonthlyCheck(
        "validated_sales",
        LANDING_FOLDERS_CHECK,
        same_for_every_month(verdict, months),
        severity=dg.AssetCheckSeverity.WARN,
    )


def mandatory_columns_result(
    frame: DataFrame,
    months: Sequence[str],
    asset: str = "validated_sales",
    columns: Sequence[str] = c.MANDATORY_COLUMNS,
    blocking: bool = True,
) -> MonthlyCheck:
    """Mandatory columns present and non-null, month by month (one aggregate pass)."""
    missing = [n for n in columns if n not in frame.columns]
    present = [n for n in columns if n in frame.columns]
    counts = frame.groupBy("sales_month").agg(
        *[F.count_if(F.col(n).isNull()).alias(n) for n in present]
    )
    nulls = {
        row["sales_month"]: {n: row[n] for n in present if row[n]}
        for row in counts.collect()  # one small row per month
    }
    return _mandatory_result(asset, months, nulls, missing, blocking)


def _mandatory_result(
    asset: str,
    months: Sequence[str],
    nulls: Mapping[str, Mapping[str, int]],
    missing: list[str],
    blocking: bool,
) -> MonthlyCheck:
    def verdict(month: str) -> Verdict:
        found = {column: count for column, count in nulls.get(month, {}).items() if count}
        problems = [f"NULL {found}"] if found else []
        if missing:
            problems.insert(0, f"columns missing: {', '.join(missing)}")
        return Verdict(
            passed=not problems,
            metadata={
                "null_values": dg.MetadataValue.json(found),
                "missing_columns": ", ".join(missing) or "none",
            },
            description="; ".join(problems) or None,
        )

    return MonthlyCheck(asset, MANDATORY_CHECK, {m: verdict(m) for m in months}, blocking)


def conservation_result(
    months: Sequence[str], decisions: Sequence[FileDecision], stats: Mapping[FileKey, FileStats]
) -> MonthlyCheck:
    """Rows the parser read against rows the row rules classified, month by month."""

    def verdict(month: str) -> Verdict:
        read = sum(d.rows_read for d in decisions if d.sales_month == month)
        classified = sum(s.rows for (m, _), s in stats.items() if m == month)
        return Verdict(
            passed=read == classified,
            metadata={"rows_read": read, "rows_accepted_plus_rejected": classified},
            description=None
            if read == classified
            else f"read {read}, accepted + rejected {classified}",
        )

    return MonthlyCheck("rejected_sales", CONSERVATION_CHECK, {m: verdict(m) for m in months})


# --- every other stage: mandatory columns of what was stored -------------------------------
# Columns that must never be NULL in each stage (the keys and measures the next stage needs).
MANDATORY_COLUMNS_OF: dict[str, tuple[str, ...]] = {
    "enriched_sales": c.MANDATORY_COLUMNS,
    "customer_data_mart": ("customer_id", "sales_date", "total_cost"),
    "sales_team_data_mart": ("store_id", "sales_person_id", "sales_date", "total_cost"),
    "customer_monthly_sales": ("customer_id", "sales_month", "total_sales"),
    "sales_team_incentive": (
        "store_id",
        "sales_person_id",
        "sales_month",
        "total_sales",
        "sales_rank",
        "incentive",
    ),
}


def _run_months(context: dg.AssetCheckExecutionContext) -> list[str] | None:
    """The months of the run; None when the check runs alone without a partition."""
    partitioned = context.has_partition_key or context.has_partition_key_range
    return list(context.partition_keys) if partitioned else None


def _lake_mandatory_check(asset: str, columns: tuple[str, ...]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=MANDATORY_CHECK,
        blocking=True,
        partitions_def=monthly_partitions,
        description=f"{', '.join(columns)} present and non-null in the stored months.",
    )
    def _check(context: dg.AssetCheckExecutionContext, lake: Lake):
        key = dg.AssetKey(asset)
        months = _run_months(context) or lake.stored_months(key)
        frame = lake.read(key, storage.lake_schema(key), months)
        yield from mandatory_columns_result(frame, months, asset, columns).events(context)

    return _check


def _warehouse_mandatory_check(asset: str, columns: tuple[str, ...]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=MANDATORY_CHECK,
        partitions_def=monthly_partitions,
        description=f"{', '.join(columns)} non-null in the stored months.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
        table = storage.warehouse_table(dg.AssetKey(asset))
        months = _run_months(context)
        nulls = warehouse.null_counts_by_month(table, columns, months)
        yield from _mandatory_result(asset, months or sorted(nulls), nulls, [], False).events(
            context
        )

    return _check


MANDATORY_CHECKS = [
    (_lake_mandatory_check if asset in storage.LAKE_SCHEMAS else _warehouse_mandatory_check)(
        asset, columns
    )
    for asset, columns in MANDATORY_COLUMNS_OF.items()
]


# --- results: warehouse tables --------------------------------------------------------------
INCENTIVE_RULE_SPEC = dg.AssetCheckSpec(
    INCENTIVE_RULE_CHECK,
    asset="sales_team_incentive",
    partitions_def=monthly_partitions,
    description="sales_rank is RANK() per store and month; rank 1 earns ROUND(total*rate, 2), "
    "everyone else 0.",
)


def key_unique_spec(table_name: str) -> dg.AssetCheckSpec:
    table = storage.warehouse_table(dg.AssetKey(table_name))
    keys = ", ".join(column.name for column in table.primary_key.columns)
    return dg.AssetCheckSpec(
        KEY_UNIQUE_CHECK,
        asset=table_name,
        partitions_def=monthly_partitions,
        description=f"({keys}) is unique in the table.",
    )


def key_unique_result(warehouse: Warehouse, table_name: str, months: Sequence[str]) -> MonthlyCheck:
    table = storage.warehouse_table(dg.AssetKey(table_name))
    keys = list(table.primary_key.columns)
    duplicates = (
        sa.select(*keys)
        .where(table.c.sales_month.in_(list(months)))
        .group_by(*keys)
        .having(sa.func.count() > 1)
        .subquery()
    )
    per_month = sa.select(duplicates.c.sales_month, sa.func.count().label("keys")).group_by(
        duplicates.c.sales_month
    )
    counts = {row["sales_month"]: row["keys"] for row in warehouse.select(per_month, table.name)}

    def verdict(month: str) -> Verdict:
        count = counts.get(month, 0)
        return Verdict(
            passed=count == 0,
            metadata={"duplicate_keys": count},
            description=f"{count} keys stored more than once" if count else None,
        )

    return MonthlyCheck(table_name, KEY_UNIQUE_CHECK, {m: verdict(m) for m in months})


def incentive_violations(rows: Sequence[dict[str, Any]], rate: Decimal) -> list[str]:
    """Rows of ``sales_team_incentive`` that break the rank or incentive rule."""
    by_store: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_store[(row["store_id"], row["sales_month"])].append(row)
    problems = []
    for (store_id, month), group in by_store.items():
        for row in group:
            expected_rank = 1 + sum(other["total_sales"] > row["total_sales"] for other in group)
            expected_incentive = (
                (row["total_sales"] * rate).quantize(CENT, ROUND_HALF_UP)
                if expected_rank == 1
                else Decimal("0.00")
            )
            where = f"store {store_id}, {month}, sales person {row['sales_person_id']}"
            if row["sales_rank"] != expected_rank:
                problems.append(f"{where}: rank {row['sales_rank']}, expected {expected_rank}")
            if Decimal(row["incentive"]) != expected_incentive:
                problems.append(
                    f"{where}: incentive {row['incentive']}, expected {expected_incentive}"
                )
    return problems


def incentive_rule_result(
    warehouse: Warehouse, months: Sequence[str], rate: Decimal
) -> MonthlyCheck:
    # One row per (store, sales person, month): small enough to check in Python, exactly.
    rows = warehouse.read_rows(ws.sales_team_incentive, list(months))

    def verdict(month: str) -> Verdict:
        of_month = [row for row in rows if row["sales_month"] == month]
        problems = incentive_violations(of_month, rate)
        return Verdict(
            passed=not problems,
            metadata={"rows_checked": len(of_month), "violations": len(problems)},
            description="; ".join(problems[:20]) or None,
        )

    return MonthlyCheck(
        "sales_team_incentive", INCENTIVE_RULE_CHECK, {m: verdict(m) for m in months}
    )

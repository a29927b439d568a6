"""What the UI shows for each month of each stored asset.

Figures are read back from storage month by month after a write, so a range run gives every
month its own numbers, never the run's total: ``dagster/row_count``, where it is stored, and
a few business figures per asset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import dagster as dg
import sqlalchemy as sa
from pyspark.sql import SparkSession

from sales_assets import storage
from sales_assets import warehouse_schema as ws
from sales_assets.resources import lake
from sales_assets.resources.warehouse import Warehouse
from sales_assets.transforms.contract import STATUS_DUPLICATE, STATUS_INVALID, STATUS_PROCESSED

FILE_STATUSES = (STATUS_PROCESSED, STATUS_INVALID, STATUS_DUPLICATE)
MonthMetadata = dict[str, dict[str, Any]]  # month -> metadata of that month's materialization
Row = Mapping[str, Any]

# A lake asset whose rows are also counted by the value of one column.
LAKE_BREAKDOWNS = {"rejected_sales": "reason"}


def lake_month_metadata(
    spark: SparkSession, asset_key: dg.AssetKey, asset_root: str, months: Sequence[str]
) -> MonthMetadata:
    name = asset_key.path[-1]
    breakdown = LAKE_BREAKDOWNS.get(name)
    counts = lake.month_row_counts(
        spark, asset_root, storage.lake_schema(asset_key), months, breakdown
    )
    metadata: MonthMetadata = {}
    for month in months:
        by_value = counts[month]
        metadata[month] = {
            "dagster/row_count": sum(by_value.values()),
            "dagster/uri": lake.month_path(asset_root, month),
            "dagster/table_name": f"lake.{name}",
        }
        if breakdown:
            metadata[month][f"rows_by_{breakdown}"] = dg.MetadataValue.json(
                dict(sorted(by_value.items()))
            )
    return metadata


def _money(value: Any) -> dg.MetadataValue:
    # Display only (the stored values stay exact DECIMAL); a number so the UI can plot it.
    return dg.MetadataValue.float(float(Decimal(value or 0)))


def _customer_summary(warehouse: Warehouse, months: Sequence[str]) -> MonthMetadata:
    t = ws.customer_monthly_sales
    query = (
        sa.select(
            t.c.sales_month,
            sa.func.sum(t.c.total_sales).label("total_sales"),
            sa.func.sum(sa.case((t.c.is_declining.is_(sa.true()), 1), else_=0)).label("declining"),
        )
        .where(t.c.sales_month.in_(list(months)))
        .group_by(t.c.sales_month)
    )
    rows = {r["sales_month"]: r for r in warehouse.select(query, t.name)}
    return {
        m: {
            "total_sales": _money(rows.get(m, {}).get("total_sales")),
            "declining_customers": int(rows.get(m, {}).get("declining") or 0),
        }
        for m in months
    }


def _performers_markdown(rows: Sequence[Row]) -> str:
    lines = ["| store | sales person | name | total sales | incentive |", "|---|---|---|---|---|"]
    lines += [
        f"| {r['store_id']} | {r['sales_person_id']} | {r['full_name'] or ''} | "
        f"{Decimal(r['total_sales']):,.2f} | {Decimal(r['incentive']):,.2f} |"
        for r in rows
    ]
    return "\n".join(lines)


def _incentive_summary(warehouse: Warehouse, months: Sequence[str]) -> MonthMetadata:
    t = ws.sales_team_incentive
    top = warehouse.select(
        sa.select(t)
        .where(t.c.sales_month.in_(list(months)), t.c.sales_rank == 1)
        .order_by(t.c.sales_month, t.c.store_id, t.c.sales_person_id),
        t.name,
    )
    totals = {
        r["sales_month"]: r
        for r in warehouse.select(
            sa.select(
                t.c.sales_month,
                sa.func.sum(t.c.total_sales).label("total_sales"),
                sa.func.sum(t.c.incentive).label("incentives"),
            )
            .where(t.c.sales_month.in_(list(months)))
            .group_by(t.c.sales_month),
            t.name,
        )
    }
    return {
        m: {
            "total_sales": _money(totals.get(m, {}).get("total_sales")),
            "incentives_paid": _money(totals.get(m, {}).get("incentives")),
            "top_performers": dg.MetadataValue.md(
                _performers_markdown([r for r in top if r["sales_month"] == m])
            ),
        }
        for m in months
    }


# Business figures per warehouse table, read back with SQL after a write.
WAREHOUSE_SUMMARIES: dict[str, Callable[[Warehouse, Sequence[str]], MonthMetadata]] = {
    ws.customer_monthly_sales.name: _customer_summary,
    ws.sales_team_incentive.name: _incentive_summary,
}


def _audit_summary(rows: Sequence[Row], months: Sequence[str]) -> MonthMetadata:
    statuses = Counter((r["sales_month"], r["status"]) for r in rows)
    return {m: {f"files_{s}": statuses[(m, s)] for s in FILE_STATUSES} for m in months}


# Figures of the rows a write appended (the audit keeps history: SQL would count every run).
APPENDED_SUMMARIES: dict[str, Callable[[Sequence[Row], Sequence[str]], MonthMetadata]] = {
    ws.sales_file_audit.name: _audit_summary,
}


def warehouse_month_metadata(
    warehouse: Warehouse,
    table: sa.Table,
    months: Sequence[str],
    appended_rows: Sequence[Row] | None = None,
) -> MonthMetadata:
    """Per month: the rows stored (for an appended table, the rows this write added)."""
    if appended_rows is not None:
        counts = Counter(r["sales_month"] for r in appended_rows)
        appended_summary = APPENDED_SUMMARIES.get(table.name)
        extra = appended_summary(appended_rows, months) if appended_summary else {}
    else:
        counts = Counter(warehouse.count_by_month(table, months))
        summary = WAREHOUSE_SUMMARIES.get(table.name)
        extra = summary(warehouse, months) if summary else {}
    database = warehouse.database_name()
    return {
        m: {
            "dagster/row_count": counts[m],
            "dagster/table_name": f"{database}.{table.name}" if database else table.name,
            **extra.get(m, {}),
        }
        for m in months
    }


def add_month_metadata(context: dg.OutputContext, metadata: MonthMetadata) -> None:
    """Attach each month's figures to that month's materialization only."""
    for month, entries in metadata.items():
        context.step_context.add_asset_metadata(
            entries, asset_key=context.asset_key, partition_key=month
        )

"""Asset checks on the warehouse results: they read what was stored, for the run's months."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import dagster as dg
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse

KEY_UNIQUE_CHECK = "primary_key_unique"
INCENTIVE_RULE_CHECK = "incentive_rule"
CENT = Decimal("0.01")

INCENTIVE_RULE_SPEC = dg.AssetCheckSpec(
    INCENTIVE_RULE_CHECK,
    asset="sales_team_incentive",
    description="sales_rank is RANK() per store and month; rank 1 earns ROUND(total*rate, 2), "
    "everyone else 0.",
)


def key_unique_spec(table_name: str) -> dg.AssetCheckSpec:
    keys = ", ".join(c.name for c in ws.RESULT_TABLES[table_name].primary_key.columns)
    return dg.AssetCheckSpec(
        KEY_UNIQUE_CHECK, asset=table_name, description=f"({keys}) is unique in the table."
    )


def key_unique_result(
    warehouse: Warehouse, table_name: str, months: Sequence[str]
) -> dg.AssetCheckResult:
    table = ws.RESULT_TABLES[table_name]
    keys = list(table.primary_key.columns)
    duplicates = (
        sa.select(*keys)
        .where(table.c.sales_month.in_(list(months)))
        .group_by(*keys)
        .having(sa.func.count() > 1)
        .subquery()
    )
    with warehouse.engine().connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(duplicates)).scalar_one()
    return dg.AssetCheckResult(
        asset_key=table_name,
        check_name=KEY_UNIQUE_CHECK,
        passed=count == 0,
        metadata={"duplicate_keys": count},
    )


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
) -> dg.AssetCheckResult:
    # One row per (store, sales person, month): small enough to check in Python, exactly.
    rows = warehouse.read_rows(ws.sales_team_incentive, list(months))
    problems = incentive_violations(rows, rate)
    return dg.AssetCheckResult(
        asset_key="sales_team_incentive",
        check_name=INCENTIVE_RULE_CHECK,
        passed=not problems,
        metadata={"rows_checked": len(rows), "violations": len(problems)},
        description="; ".join(problems[:20]) or None,
    )

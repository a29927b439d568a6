"""Plain-text monthly report from the warehouse result tables (SPEC section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url

Row = dict[str, Any]

# (column, heading) of each report table
PERFORMER_COLUMNS = (
    ("store_id", "store"),
    ("sales_person_id", "sales person"),
    ("full_name", "name"),
    ("total_sales", "total sales"),
    ("incentive", "incentive"),
)
DECLINING_COLUMNS = (
    ("customer_id", "customer"),
    ("full_name", "name"),
    ("phone_number", "phone"),
    ("previous_month_sales", "previous month"),
    ("total_sales", "this month"),
    ("sales_change", "change"),
)


def _select(warehouse: Warehouse, table: sa.Table, query: sa.Select) -> list[Row]:
    """Rows of ``query`` on ``table``; a missing table is reported as 'not materialized yet'
    (the usual cause), other failures as the warehouse wraps them."""
    if not warehouse.has_table(table):
        raise WarehouseError(
            f"Table {table.name!r} does not exist in {describe_url(warehouse.url)}: "
            f"materialize the {table.name} asset for the month first."
        )
    return warehouse.select(query, table.name)


def top_performers(warehouse: Warehouse, month: str) -> list[Row]:
    """The rank-1 sales person(s) of every store in ``month`` (ties give several)."""
    t = ws.sales_team_incentive
    query = (
        sa.select(t.c.store_id, t.c.sales_person_id, t.c.full_name, t.c.total_sales, t.c.incentive)
        .where(t.c.sales_month == month, t.c.sales_rank == 1)
        .order_by(t.c.store_id, t.c.sales_person_id)
    )
    return _select(warehouse, t, query)


def declining_customers(warehouse: Warehouse, month: str, limit: int = 10) -> list[Row]:
    """Customers who bought less in ``month`` than the month before, biggest drop first."""
    t = ws.customer_monthly_sales
    query = (
        sa.select(
            t.c.customer_id,
            t.c.full_name,
            t.c.phone_number,
            t.c.previous_month_sales,
            t.c.total_sales,
            t.c.sales_change,
        )
        .where(t.c.sales_month == month, t.c.is_declining.is_(sa.true()))
        .order_by(t.c.sales_change, t.c.customer_id)
        .limit(limit)
    )
    return _select(warehouse, t, query)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)):,.2f}"  # money: exact cents, thousands separated
    return str(value)


def format_table(columns: Sequence[tuple[str, str]], rows: Sequence[Row]) -> str:
    """Aligned columns with a rule under the headings; numbers right-aligned."""
    if not rows:
        return "  (none)"
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    headings = [heading for _, heading in columns]
    widths = [max(len(text) for text in column) for column in zip(headings, *cells, strict=True)]
    numeric = [
        all(
            isinstance(row.get(key), int | float | Decimal)
            for row in rows
            if row.get(key) is not None
        )
        for key, _ in columns
    ]

    def line(texts: Sequence[str]) -> str:
        parts = [
            text.rjust(width) if right else text.ljust(width)
            for text, width, right in zip(texts, widths, numeric, strict=True)
        ]
        return "  " + "  ".join(parts).rstrip()

    rule = ["-" * width for width in widths]
    return "\n".join([line(headings), line(rule), *(line(row) for row in cells)])


def format_report(
    month: str, performers: Sequence[Row], decliners: Sequence[Row], limit: int | None = None
) -> str:
    """The month's report: top performer per store, then declining customers."""
    title = f"Sales report for {month}"
    declining_title = "Declining customers (biggest drop first"
    declining_title += f", top {limit})" if limit is not None else ")"
    return "\n".join(
        [
            title,
            "=" * len(title),
            "",
            "Top performer per store (incentive goes to rank 1)",
            format_table(PERFORMER_COLUMNS, performers),
            "",
            declining_title,
            format_table(DECLINING_COLUMNS, decliners),
        ]
    )

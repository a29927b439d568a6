"""The monthly report read from the warehouse result tables (SPEC section 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_assets.report import declining_customers, format_report, top_performers
from sales_assets.resources.warehouse import Warehouse, WarehouseError
from sales_assets_tests.result_rows import MONTH, insert_result_rows


def test_report_reads_the_result_tables(tmp_path: Path) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    insert_result_rows(warehouse)
    performers = top_performers(warehouse, MONTH)
    assert [(r["store_id"], r["full_name"]) for r in performers] == [(1, "Asha Rao")]
    decliners = declining_customers(warehouse, MONTH, limit=1)
    assert [r["customer_id"] for r in decliners] == [7]
    text = format_report(MONTH, performers, declining_customers(warehouse, MONTH, 5), 5)
    assert "Asha Rao" in text and "1,500.00" in text and "-1,234.50" in text
    assert "Sara Khan" not in text and "Meera Iyer" not in text
    assert "(none)" in format_report("2023-01", [], [])
    warehouse.dispose()


def test_a_missing_result_table_says_which_asset_to_materialize(tmp_path: Path) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(WarehouseError) as raised:
        top_performers(warehouse, MONTH)
    assert str(raised.value) == (
        f"Table 'sales_team_incentive' does not exist in sqlite:///{tmp_path}/empty.db: "
        "materialize the sales_team_incentive asset for the month first."
    )
    with pytest.raises(WarehouseError, match="materialize the customer_monthly_sales asset"):
        declining_customers(warehouse, MONTH)
    warehouse.dispose()

"""A few rows of the two result tables the report reads, for the report and the CLI tests:
rank 1 and 2 in one store, a store of another month, decliners and a grower."""

from __future__ import annotations

from decimal import Decimal

from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse

MONTH = "2024-02"


def insert_result_rows(warehouse: Warehouse) -> None:
    warehouse.ensure_tables([ws.sales_team_incentive, ws.customer_monthly_sales])
    money = Decimal
    with warehouse.engine().begin() as connection:
        connection.execute(
            ws.sales_team_incentive.insert(),
            [
                dict(store_id=1, sales_person_id=2, full_name="Asha Rao", sales_month=MONTH,
                     total_sales=money("1500.00"), sales_rank=1, incentive=money("15.00")),
                dict(store_id=1, sales_person_id=3, full_name="Ravi Das", sales_month=MONTH,
                     total_sales=money("900.00"), sales_rank=2, incentive=money("0.00")),
                dict(store_id=2, sales_person_id=6, full_name="Meera Iyer", sales_month="2024-01",
                     total_sales=money("10.00"), sales_rank=1, incentive=money("0.10")),
            ],
        )  # fmt: skip
        connection.execute(
            ws.customer_monthly_sales.insert(),
            [
                dict(customer_id=7, full_name="Neha Jain", sales_month=MONTH,
                     total_sales=money("0.00"), previous_month_sales=money("1234.50"),
                     sales_change=money("-1234.50"), is_declining=True),
                dict(customer_id=8, full_name="Yash Shah", sales_month=MONTH,
                     total_sales=money("50.00"), previous_month_sales=money("80.00"),
                     sales_change=money("-30.00"), is_declining=True),
                dict(customer_id=9, full_name="Sara Khan", sales_month=MONTH,
                     total_sales=money("90.00"), previous_month_sales=money("10.00"),
                     sales_change=money("80.00"), is_declining=False),
            ],
        )  # fmt: skip

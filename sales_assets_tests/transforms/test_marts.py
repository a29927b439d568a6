"""The data marts: their columns are exactly their contracts."""

from __future__ import annotations

from sales_assets.transforms import marts
from sales_assets.transforms.schemas import (
    CUSTOMER_DATA_MART_SCHEMA,
    ENRICHED_SALES_SCHEMA,
    SALES_TEAM_DATA_MART_SCHEMA,
)


def test_marts_select_their_contract_columns(spark):
    enriched = spark.createDataFrame([], ENRICHED_SALES_SCHEMA)
    customer = marts.customer_data_mart(enriched)
    team = marts.sales_team_data_mart(enriched)
    assert [f.name for f in customer.schema] == CUSTOMER_DATA_MART_SCHEMA.names
    assert [f.name for f in team.schema] == SALES_TEAM_DATA_MART_SCHEMA.names
    # The customer mart renames the customer_* columns of the enriched sales.
    assert "customer_first_name" not in customer.columns and "first_name" in customer.columns

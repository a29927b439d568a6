"""The two data marts (SPEC section 4): explicit selects are their column contracts."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sales_assets.transforms.schemas import (
    CUSTOMER_DATA_MART_SCHEMA,
    SALES_TEAM_DATA_MART_SCHEMA,
)


def customer_data_mart(enriched: DataFrame) -> DataFrame:
    renamed = enriched.select(
        "customer_id",
        F.col("customer_first_name").alias("first_name"),
        F.col("customer_last_name").alias("last_name"),
        F.col("customer_address").alias("address"),
        F.col("customer_pincode").alias("pincode"),
        F.col("customer_phone_number").alias("phone_number"),
        "sales_date",
        "total_cost",
        "sales_month",
    )
    return renamed.select(*[f.name for f in CUSTOMER_DATA_MART_SCHEMA.fields])


def sales_team_data_mart(enriched: DataFrame) -> DataFrame:
    return enriched.select(*[f.name for f in SALES_TEAM_DATA_MART_SCHEMA.fields])

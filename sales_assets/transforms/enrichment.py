"""Accepted sales joined with the four dimensions (SPEC section 3 join keys)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sales_assets.transforms.schemas import ENRICHED_SALES_SCHEMA


def product_join_key() -> Column:
    """Sales match products by name, exact and case-sensitive, after trimming spaces (the
    ASCII space only; ``dimensions.ambiguous_product_names`` trims the same way)."""
    return F.trim(F.col("name"))


def enrich_sales(
    sales: DataFrame,
    customers: DataFrame,
    stores: DataFrame,
    sales_team: DataFrame,
    products: DataFrame,
) -> DataFrame:
    """Left joins: a sale is never dropped, even if a key vanished. Stores, the sales team
    and products are small by nature and broadcast; customers grow with the business and are
    joined as Spark's planner measures them (a shuffle join unless adaptive execution finds
    them under its broadcast threshold)."""
    customer_cols = customers.select(
        "customer_id",
        F.col("first_name").alias("customer_first_name"),
        F.col("last_name").alias("customer_last_name"),
        F.col("address").alias("customer_address"),
        F.col("pincode").alias("customer_pincode"),
        F.col("phone_number").alias("customer_phone_number"),
        "customer_joining_date",
    )
    store_cols = F.broadcast(
        stores.select(
            F.col("id").alias("store_id"),
            F.col("address").alias("store_address"),
            "store_pincode",
            "store_manager_name",
            "store_opening_date",
        )
    )
    product_cols = F.broadcast(
        products.select(
            product_join_key().alias("product_name"),
            F.col("id").alias("product_id"),
            F.col("current_price").alias("product_current_price"),
            F.col("old_price").alias("product_old_price"),
        )
    )
    team_cols = F.broadcast(
        sales_team.select(
            F.col("id").alias("sales_person_id"),
            F.col("first_name").alias("sales_person_first_name"),
            F.col("last_name").alias("sales_person_last_name"),
            "manager_id",
            "is_manager",
            F.col("address").alias("sales_person_address"),
            F.col("pincode").alias("sales_person_pincode"),
            F.col("joining_date").alias("sales_person_joining_date"),
        )
    )
    joined = (
        sales.join(customer_cols, "customer_id", "left")
        .join(store_cols, "store_id", "left")
        .join(product_cols, "product_name", "left")
        .join(team_cols, "sales_person_id", "left")
    )
    return joined.select(*[F.col(f.name).cast(f.dataType) for f in ENRICHED_SALES_SCHEMA.fields])

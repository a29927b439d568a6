"""Business results (SPEC section 5): declining customers and sales-team incentives."""

from __future__ import annotations

from decimal import Decimal

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from sales_assets.transforms.schemas import MONEY_TYPE


def _full_name(first: str, last: str) -> Column:
    """First and last name joined by one space; NULL when both are unknown."""
    both_missing = F.col(first).isNull() & F.col(last).isNull()
    return F.when(~both_missing, F.concat_ws(" ", F.col(first), F.col(last)))


def _shift_month(month: Column, months: int) -> Column:
    return F.date_format(F.add_months(F.to_date(F.concat(month, F.lit("-01"))), months), "yyyy-MM")


def sum_money(column: str) -> Column:
    """Exact sum of a 2-decimal column as ``MONEY_TYPE``, added up as whole cents in a long:
    Spark sums wide decimals as objects, several times slower. A long overflows past 92
    quadrillion in cents, which fails the run (ANSI) rather than give a wrong total."""
    cents = F.sum((F.col(column) * 100).cast("long"))
    return (cents.cast("decimal(20,0)") / F.lit(100)).cast(MONEY_TYPE)


# A mart month is written by one run from one reading of the dimensions, so a person's
# details are the same on every row of a month. Grouping by them as keys keeps the
# aggregation hash-based (an aggregate of text, such as the latest row's, would sort every
# row). Should they ever differ, customer_monthly_sales fails with a message and the extra
# rows of sales_team_incentive fail its key_unique check.
CUSTOMER_DETAILS = ("first_name", "last_name", "address", "phone_number")
SALES_PERSON_DETAILS = ("sales_person_first_name", "sales_person_last_name")


def customer_month_totals(mart: DataFrame) -> DataFrame:
    """Per customer and month: the total and the contact details (one pass over the mart;
    small: customers x months)."""
    totals = mart.groupBy("customer_id", "sales_month", *CUSTOMER_DETAILS).agg(
        sum_money("total_cost").alias("total")
    )
    return totals.select(
        "customer_id", "sales_month", "total", F.struct(*CUSTOMER_DETAILS).alias("details")
    )


def _one_row_of_month(customer_id: Column) -> Column:
    """The customer id, failing the query when the mart gave a customer two sets of details
    in one month (a mart month written from two readings of the dimensions)."""
    message = F.concat(
        F.lit("customer_data_mart holds two sets of details for customer "),
        customer_id.cast("string"),
        F.lit(" in "),
        F.col("sales_month"),
        F.lit("; materialize customer_data_mart again for that month."),
    )
    return F.when(F.col("rows_of_month") > 1, F.raise_error(message)).otherwise(customer_id)


def customer_monthly_sales(mart: DataFrame, target_months: list[str]) -> DataFrame:
    """One row per customer with sales in M or M-1, for each target month M.

    ``mart`` holds the customer data mart for the target months and the month before each,
    or its :func:`customer_month_totals`. A customer who bought in M-1 but not in M appears
    with ``total_sales`` 0. When M-1 has no accepted sales at all, only M's customers appear
    and the comparison columns are NULL. A month with no accepted sales has no rows.
    """
    per_month = mart if "details" in mart.columns else customer_month_totals(mart)
    no_money = F.lit(None).cast(MONEY_TYPE)
    no_details = F.lit(None).cast(per_month.schema["details"].dataType)
    # Each customer's month meets the month before in one aggregation, not a join: a
    # (customer, M) group has at most one row of M and one of M-1.
    of_month = per_month.select(
        "customer_id",
        "sales_month",
        "total",
        no_money.alias("previous_total"),
        F.col("details").alias("now"),
        no_details.alias("before"),
    )
    of_month_before = per_month.select(
        "customer_id",
        _shift_month(F.col("sales_month"), 1).alias("sales_month"),
        no_money.alias("total"),
        F.col("total").alias("previous_total"),
        no_details.alias("now"),
        F.col("details").alias("before"),
    )
    paired = (
        of_month.unionByName(of_month_before)
        .filter(F.col("sales_month").isin(target_months))
        .groupBy("customer_id", "sales_month")
        .agg(
            F.max("total").alias("total"),
            F.max("previous_total").alias("previous_total"),
            F.count("now").alias("rows_of_month"),
            # Contact details as of month M, else M-1: the same whichever months the run holds.
            F.coalesce(F.first("now", ignorenulls=True), F.first("before", ignorenulls=True)).alias(
                "attrs"
            ),
        )
    )
    months = per_month.select("sales_month").distinct()
    # A month with no accepted sales has no rows, even if the month before had some.
    months_with_sales = F.broadcast(months)
    months_with_previous = F.broadcast(
        months.select(
            _shift_month(F.col("sales_month"), 1).alias("sales_month"),
            F.lit(True).alias("has_previous"),
        )
    )
    zero = F.lit(Decimal("0.00")).cast(MONEY_TYPE)
    has_previous = F.col("has_previous").isNotNull()
    total_sales = F.coalesce(F.col("total"), zero)
    previous_sales = F.when(has_previous, F.coalesce(F.col("previous_total"), zero))
    return (
        paired.join(months_with_sales, "sales_month", "left_semi").join(
            months_with_previous, "sales_month", "left"
        )
    ).select(
        _one_row_of_month(F.col("customer_id").cast("int")).alias("customer_id"),
        _full_name("attrs.first_name", "attrs.last_name").alias("full_name"),
        F.col("attrs.address").alias("address"),
        F.col("attrs.phone_number").alias("phone_number"),
        F.col("sales_month"),
        total_sales.alias("total_sales"),
        previous_sales.cast(MONEY_TYPE).alias("previous_month_sales"),
        (total_sales - previous_sales).cast(MONEY_TYPE).alias("sales_change"),
        (previous_sales > total_sales).alias("is_declining"),
    )


def sales_team_incentive(mart: DataFrame, incentive_rate: Decimal) -> DataFrame:
    """Total per (store, sales person, month); rank 1 of each store and month earns the rate."""
    totals = mart.groupBy("store_id", "sales_person_id", "sales_month", *SALES_PERSON_DETAILS).agg(
        sum_money("total_cost").alias("total_sales")
    )
    by_store = Window.partitionBy("store_id", "sales_month").orderBy(F.col("total_sales").desc())
    rank = F.rank().over(by_store)
    rate = F.lit(incentive_rate)
    return totals.select(
        F.col("store_id").cast("int"),
        F.col("sales_person_id").cast("int"),
        _full_name(*SALES_PERSON_DETAILS).alias("full_name"),
        "sales_month",
        "total_sales",
        rank.alias("sales_rank"),
        F.when(rank == 1, F.round(F.col("total_sales") * rate, 2))
        .otherwise(F.lit(Decimal("0.00")))
        .cast(MONEY_TYPE)
        .alias("incentive"),
    )

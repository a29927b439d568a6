"""Typing and row rules (SPEC section 2): every record gets exactly one reason, or none.

Each rule is one ``(condition, reason)`` entry in SPEC order; the first that holds wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sales_assets.transforms import contract as c
from sales_assets.transforms.enrichment import product_join_key
from sales_assets.transforms.schemas import (
    PRICE_TYPE,
    REJECTED_SALES_SCHEMA,
    TOTAL_COST_TYPE,
    VALIDATED_SALES_SCHEMA,
)
from sales_assets.transforms.value_forms import form_column

# The type of each typed mandatory column; product_name stays text.
_TYPES: dict[str, object] = {
    "customer_id": "int",
    "store_id": "int",
    "sales_date": "date",
    "sales_person_id": "int",
    "price": PRICE_TYPE,
    "quantity": "int",
    "total_cost": TOTAL_COST_TYPE,
}


def _typed(column: str) -> Column:
    """The typed value, or NULL when the raw value is not in its written form (the parser's
    ``*_in_form`` flag, see value_forms) or overflows the type."""
    if column not in _TYPES:
        return F.col(column)
    return F.when(F.col(form_column(column)), F.col(column).try_cast(_TYPES[column]))


def _first_reason(rules: list[tuple[Column, str]]) -> Column:
    return F.coalesce(*[F.when(condition, F.lit(reason)) for condition, reason in rules])


def _key_flag(
    dimension: DataFrame, key: Column, sales_key: str, flag: str, small: bool = True
) -> DataFrame:
    """Distinct dimension keys with a marker column; broadcast when the dimension is small
    by nature, else left to the planner (see ``enrichment.enrich_sales``)."""
    keys = dimension.select(key.alias(sales_key)).distinct().withColumn(flag, F.lit(True))
    return F.broadcast(keys) if small else keys


def classify_sales(
    raw_rows: DataFrame,
    customers: DataFrame,
    stores: DataFrame,
    sales_team: DataFrame,
    products: DataFrame,
    carry: Sequence[str] = (),
) -> DataFrame:
    """Type every record and give it exactly one ``reason`` (NULL when accepted).

    ``raw_rows`` holds the raw values and their ``*_in_form`` flags (value_forms). Reasons
    follow SPEC section 2 in order; unknown dimension keys come from left joins, so no record
    is ever dropped here. ``carry`` names further columns kept unchanged.
    """
    typed = raw_rows.select(
        *carry,
        "sales_month",
        "source_file",
        "line_number",
        "malformed",
        "additional_columns",
        "raw_record",
        *[F.col(name).alias(f"raw_{name}") for name in c.MANDATORY_COLUMNS],
        *[_typed(name).alias(name) for name in c.MANDATORY_COLUMNS],
    )
    joined = (
        typed.join(
            _key_flag(
                customers, F.col("customer_id"), "customer_id", "_known_customer", small=False
            ),
            "customer_id",
            "left",
        )
        .join(_key_flag(stores, F.col("id"), "store_id", "_known_store"), "store_id", "left")
        .join(
            _key_flag(sales_team, F.col("id"), "sales_person_id", "_known_sales_person"),
            "sales_person_id",
            "left",
        )
        # Product names match after trimming spaces, on both sides (SPEC section 3).
        .join(
            _key_flag(products, product_join_key(), "product_name", "_known_product"),
            "product_name",
            "left",
        )
    )
    # A date in form starts with its year and month (read only when it typed as a date).
    month_of_sale = F.substring(F.col("raw_sales_date"), 1, 7)
    cost_gap = F.abs(F.col("total_cost") - F.col("price") * F.col("quantity").cast("decimal(10,0)"))
    rules: list[tuple[Column, str]] = [(F.col("malformed"), c.REASON_MALFORMED_ROW)]
    rules += [(F.col(f"raw_{n}").isNull(), f"null_{n}") for n in c.MANDATORY_COLUMNS]
    rules += [(F.col(n).isNull(), f"invalid_{n}") for n in c.MANDATORY_COLUMNS]
    rules += [
        (month_of_sale != F.col("sales_month"), c.REASON_DATE_OUTSIDE_MONTH),
        (F.col("price") < 0, c.REASON_NEGATIVE_PRICE),
        (F.col("quantity") <= 0, c.REASON_NON_POSITIVE_QUANTITY),
        (cost_gap > F.lit(Decimal(c.TOTAL_COST_TOLERANCE)), c.REASON_TOTAL_COST_MISMATCH),
        (F.col("_known_customer").isNull(), c.REASON_UNKNOWN_CUSTOMER),
        (F.col("_known_store").isNull(), c.REASON_UNKNOWN_STORE),
        (F.col("_known_sales_person").isNull(), c.REASON_UNKNOWN_SALES_PERSON),
        (F.col("_known_product").isNull(), c.REASON_UNKNOWN_PRODUCT),
    ]
    return joined.withColumn("reason", _first_reason(rules)).drop(
        "_known_customer", "_known_store", "_known_sales_person", "_known_product"
    )


def for_outputs(classified: DataFrame) -> DataFrame:
    """Only what the accepted and rejected outputs read: raw values of rejected rows only,
    typed values of accepted rows only. A run caches this frame; most rows are accepted, so
    it is about half as wide."""
    accepted = F.col("reason").isNull()
    kept: dict[str, Column] = {n: F.when(accepted, F.col(n)) for n in c.MANDATORY_COLUMNS}
    kept |= {f"raw_{n}": F.when(~accepted, F.col(f"raw_{n}")) for n in c.MANDATORY_COLUMNS}
    return classified.select(
        *[
            kept[name].alias(name) if name in kept else F.col(name)
            for name in classified.columns
            if name != "malformed"
        ]
    )


def accepted_sales(classified: DataFrame) -> DataFrame:
    """Rows with no reason, in the ``validated_sales`` contract."""
    return classified.filter(F.col("reason").isNull()).select(
        *[F.col(f.name).cast(f.dataType) for f in VALIDATED_SALES_SCHEMA.fields]
    )


def rejected_sales(classified: DataFrame) -> DataFrame:
    """Rows with a reason, keeping their raw values, in the ``rejected_sales`` contract."""
    raw = {f"raw_{n}": n for n in c.MANDATORY_COLUMNS}
    renamed = classified.filter(F.col("reason").isNotNull()).select(
        "source_file",
        "line_number",
        *[F.col(src).alias(dst) for src, dst in raw.items()],
        "additional_columns",
        "raw_record",
        "reason",
        "sales_month",
    )
    return renamed.select(*[F.col(f.name) for f in REJECTED_SALES_SCHEMA.fields])

"""Spark schemas of the lake assets: the column contract of each stage (SPEC section 4)."""

from __future__ import annotations

from pyspark.sql import types as T

from sales_assets.transforms.contract import MANDATORY_COLUMNS
from sales_assets.transforms.value_forms import FORM_COLUMNS

PRICE_TYPE = T.DecimalType(10, 2)
TOTAL_COST_TYPE = T.DecimalType(12, 2)
MONEY_TYPE = T.DecimalType(14, 2)

# Output of the landing parser: one "file" row per landed file, one "row" row per record.
PARSED_LANDING_SCHEMA = T.StructType(
    [
        T.StructField("record_type", T.StringType(), False),
        T.StructField("sales_month", T.StringType(), False),
        T.StructField("source_file", T.StringType(), False),
        T.StructField("content_sha256", T.StringType(), True),
        T.StructField("invalid_reason", T.StringType(), True),
        T.StructField("rows_read", T.LongType(), True),
        T.StructField("line_number", T.LongType(), True),
        *[T.StructField(c, T.StringType(), True) for c in MANDATORY_COLUMNS],
        T.StructField("additional_columns", T.StringType(), True),
        T.StructField("raw_record", T.StringType(), True),
        T.StructField("malformed", T.BooleanType(), True),
        # Whether each typed value is in its written form (checked by the parser, in Arrow).
        *[T.StructField(name, T.BooleanType(), True) for name in FORM_COLUMNS],
    ]
)

VALIDATED_SALES_SCHEMA = T.StructType(
    [
        T.StructField("source_file", T.StringType(), False),
        T.StructField("line_number", T.LongType(), False),
        T.StructField("customer_id", T.IntegerType(), True),
        T.StructField("store_id", T.IntegerType(), True),
        T.StructField("product_name", T.StringType(), True),
        T.StructField("sales_date", T.DateType(), True),
        T.StructField("sales_person_id", T.IntegerType(), True),
        T.StructField("price", PRICE_TYPE, True),
        T.StructField("quantity", T.IntegerType(), True),
        T.StructField("total_cost", TOTAL_COST_TYPE, True),
        T.StructField("additional_columns", T.StringType(), True),
        T.StructField("sales_month", T.StringType(), False),
    ]
)

REJECTED_SALES_SCHEMA = T.StructType(
    [
        T.StructField("source_file", T.StringType(), False),
        T.StructField("line_number", T.LongType(), False),
        *[T.StructField(c, T.StringType(), True) for c in MANDATORY_COLUMNS],
        T.StructField("additional_columns", T.StringType(), True),
        T.StructField("raw_record", T.StringType(), True),
        T.StructField("reason", T.StringType(), False),
        T.StructField("sales_month", T.StringType(), False),
    ]
)

_DIMENSION_FIELDS = [
    T.StructField("customer_first_name", T.StringType(), True),
    T.StructField("customer_last_name", T.StringType(), True),
    T.StructField("customer_address", T.StringType(), True),
    T.StructField("customer_pincode", T.StringType(), True),
    T.StructField("customer_phone_number", T.StringType(), True),
    T.StructField("customer_joining_date", T.DateType(), True),
    T.StructField("store_address", T.StringType(), True),
    T.StructField("store_pincode", T.StringType(), True),
    T.StructField("store_manager_name", T.StringType(), True),
    T.StructField("store_opening_date", T.DateType(), True),
    T.StructField("product_id", T.IntegerType(), True),
    T.StructField("product_current_price", PRICE_TYPE, True),
    T.StructField("product_old_price", PRICE_TYPE, True),
    T.StructField("sales_person_first_name", T.StringType(), True),
    T.StructField("sales_person_last_name", T.StringType(), True),
    T.StructField("manager_id", T.IntegerType(), True),
    T.StructField("is_manager", T.StringType(), True),
    T.StructField("sales_person_address", T.StringType(), True),
    T.StructField("sales_person_pincode", T.StringType(), True),
    T.StructField("sales_person_joining_date", T.DateType(), True),
]

ENRICHED_SALES_SCHEMA = T.StructType(
    [f for f in VALIDATED_SALES_SCHEMA.fields if f.name != "sales_month"]
    + _DIMENSION_FIELDS
    + [T.StructField("sales_month", T.StringType(), False)]
)

CUSTOMER_DATA_MART_SCHEMA = T.StructType(
    [
        T.StructField("customer_id", T.IntegerType(), True),
        T.StructField("first_name", T.StringType(), True),
        T.StructField("last_name", T.StringType(), True),
        T.StructField("address", T.StringType(), True),
        T.StructField("pincode", T.StringType(), True),
        T.StructField("phone_number", T.StringType(), True),
        T.StructField("sales_date", T.DateType(), True),
        T.StructField("total_cost", TOTAL_COST_TYPE, True),
        T.StructField("sales_month", T.StringType(), False),
    ]
)

SALES_TEAM_DATA_MART_SCHEMA = T.StructType(
    [
        T.StructField("sales_person_id", T.IntegerType(), True),
        T.StructField("sales_person_first_name", T.StringType(), True),
        T.StructField("sales_person_last_name", T.StringType(), True),
        T.StructField("store_manager_name", T.StringType(), True),
        T.StructField("manager_id", T.IntegerType(), True),
        T.StructField("is_manager", T.StringType(), True),
        T.StructField("sales_person_address", T.StringType(), True),
        T.StructField("sales_person_pincode", T.StringType(), True),
        T.StructField("sales_date", T.DateType(), True),
        T.StructField("total_cost", TOTAL_COST_TYPE, True),
        T.StructField("sales_month", T.StringType(), False),
        T.StructField("store_id", T.IntegerType(), True),
    ]
)

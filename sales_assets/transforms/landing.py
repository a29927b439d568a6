"""Landing files to classified sales rows: parse in executors, then type and judge each row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sales_assets.transforms import contract as c
from sales_assets.transforms.landing_parser import FileVerdict, RecordChunk, parse_file
from sales_assets.transforms.schemas import (
    PARSED_LANDING_SCHEMA,
    PRICE_TYPE,
    REJECTED_SALES_SCHEMA,
    TOTAL_COST_TYPE,
    VALIDATED_SALES_SCHEMA,
)

RECORD_TYPE_FILE = "file"
RECORD_TYPE_ROW = "row"
ARROW_BATCH_ROWS = 65_536

_ARROW_SCHEMA = pa.schema(
    [pa.field(f.name, pa.string()) for f in PARSED_LANDING_SCHEMA.fields[:5]]
    + [pa.field("rows_read", pa.int64()), pa.field("line_number", pa.int64())]
    + [pa.field(name, pa.string()) for name in c.MANDATORY_COLUMNS]
    + [
        pa.field("additional_columns", pa.string()),
        pa.field("raw_record", pa.string()),
        pa.field("malformed", pa.bool_()),
    ]
)


def _row_batch(sales_month: str, source_file: str, chunk: RecordChunk) -> pa.RecordBatch:
    n = len(chunk)
    columns = {
        "record_type": pa.array([RECORD_TYPE_ROW] * n, pa.string()),
        "sales_month": pa.array([sales_month] * n, pa.string()),
        "source_file": pa.array([source_file] * n, pa.string()),
        "content_sha256": pa.nulls(n, pa.string()),
        "invalid_reason": pa.nulls(n, pa.string()),
        "rows_read": pa.nulls(n, pa.int64()),
        "line_number": chunk.line_numbers,
        **chunk.values,
        "additional_columns": chunk.additional_columns,
        "raw_record": chunk.raw_records,
        "malformed": chunk.malformed,
    }
    return pa.RecordBatch.from_arrays(list(columns.values()), schema=_ARROW_SCHEMA)


def _verdict_batch(sales_month: str, verdict: FileVerdict) -> pa.RecordBatch:
    row = {name: [None] for name in _ARROW_SCHEMA.names}
    row.update(
        record_type=[RECORD_TYPE_FILE],
        sales_month=[sales_month],
        source_file=[verdict.name],
        content_sha256=[verdict.content_sha256],
        invalid_reason=[verdict.invalid_reason],
        rows_read=[verdict.rows_read],
    )
    return pa.RecordBatch.from_pydict(row, schema=_ARROW_SCHEMA)


def _parse_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        months = batch.column("sales_month").to_pylist()
        names = batch.column("source_file").to_pylist()
        contents = batch.column("content")
        for i, (month, name) in enumerate(zip(months, names, strict=True)):
            for part in parse_file(name, contents[i].as_py(), ARROW_BATCH_ROWS):
                if isinstance(part, FileVerdict):
                    yield _verdict_batch(month, part)
                else:
                    yield _row_batch(month, name, part)


def parse_landing_files(files: DataFrame) -> DataFrame:
    """``(sales_month, source_file, content)`` -> one ``file`` row per file plus its records.

    Parsing runs in the executors (one file per task slot); the driver sees only the
    per-file verdict rows.
    """
    return files.select("sales_month", "source_file", "content").mapInArrow(
        _parse_batches, PARSED_LANDING_SCHEMA
    )


# --- typing and row rules ----------------------------------------------------------------
_INT_FORM = r"^[+-]?[0-9]+$"
_DECIMAL_FORM = r"^-?[0-9]+(\.[0-9]{1,2})?$"
_DATE_FORM = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TYPED: dict[str, tuple[str, object]] = {
    "customer_id": (_INT_FORM, "int"),
    "store_id": (_INT_FORM, "int"),
    "product_name": (r"", "string"),
    "sales_date": (_DATE_FORM, "date"),
    "sales_person_id": (_INT_FORM, "int"),
    "price": (_DECIMAL_FORM, PRICE_TYPE),
    "quantity": (_INT_FORM, "int"),
    "total_cost": (_DECIMAL_FORM, TOTAL_COST_TYPE),
}


def _typed(column: str) -> Column:
    """The typed value, or NULL when the raw value is not in the accepted form or overflows."""
    form, spark_type = _TYPED[column]
    raw = F.col(column)
    if spark_type == "string":
        return raw
    return F.when(raw.rlike(form), raw.try_cast(spark_type))


def _first_reason(rules: list[tuple[Column, str]]) -> Column:
    return F.coalesce(*[F.when(condition, F.lit(reason)) for condition, reason in rules])


def _key_flag(dimension: DataFrame, key: Column, sales_key: str, flag: str) -> DataFrame:
    """Distinct dimension keys with a marker column, small enough to broadcast."""
    return F.broadcast(
        dimension.select(key.alias(sales_key)).distinct().withColumn(flag, F.lit(True))
    )


def classify_sales(
    raw_rows: DataFrame,
    customers: DataFrame,
    stores: DataFrame,
    sales_team: DataFrame,
    products: DataFrame,
    carry: Sequence[str] = (),
) -> DataFrame:
    """Type every record and give it exactly one ``reason`` (NULL when accepted).

    Reasons follow SPEC section 2 in order; unknown dimension keys come from left joins,
    so no record is ever dropped here. ``carry`` names further columns kept unchanged.
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
            _key_flag(customers, F.col("customer_id"), "customer_id", "_known_customer"),
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
            _key_flag(products, F.trim(F.col("name")), "product_name", "_known_product"),
            "product_name",
            "left",
        )
    )
    month_of_sale = F.date_format(F.col("sales_date"), "yyyy-MM")
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

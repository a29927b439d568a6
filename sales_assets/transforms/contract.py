"""Names and codes of the data contract (SPEC section 2) that transforms share."""

from __future__ import annotations

# Mandatory landing columns in SPEC table order: the order of reason codes follows it.
INT_COLUMNS = ("customer_id", "store_id", "sales_person_id", "quantity")
MANDATORY_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "store_id",
    "product_name",
    "sales_date",
    "sales_person_id",
    "price",
    "quantity",
    "total_cost",
)

# File statuses and invalid-file reasons (SPEC section 2).
STATUS_PROCESSED = "processed"
STATUS_INVALID = "invalid"
STATUS_DUPLICATE = "duplicate"

REASON_NOT_REGULAR_FILE = "not_regular_file"
REASON_BAD_FILE_NAME = "bad_file_name"
REASON_NOT_CSV = "not_csv"
REASON_EMPTY = "empty"
REASON_UNREADABLE = "unreadable"
REASON_MISSING_COLUMNS = "missing_columns"
REASON_DUPLICATE_COLUMNS = "duplicate_columns"

# Row reasons that are not built from a column name.
REASON_MALFORMED_ROW = "malformed_row"
REASON_DATE_OUTSIDE_MONTH = "date_outside_month"
REASON_NEGATIVE_PRICE = "negative_price"
REASON_NON_POSITIVE_QUANTITY = "non_positive_quantity"
REASON_TOTAL_COST_MISMATCH = "total_cost_mismatch"
REASON_UNKNOWN_CUSTOMER = "unknown_customer"
REASON_UNKNOWN_STORE = "unknown_store"
REASON_UNKNOWN_SALES_PERSON = "unknown_sales_person"
REASON_UNKNOWN_PRODUCT = "unknown_product"

TOTAL_COST_TOLERANCE = "0.01"

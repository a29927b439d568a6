"""What each stored column means, for the column schemas shown in the UI.

A column has one meaning across the assets, except where an asset overrides it (the raw
text of rejected rows).
"""

from __future__ import annotations

from sales_assets.transforms.contract import MANDATORY_COLUMNS

_MONEY = "exact decimal, two places"

COLUMN_DESCRIPTIONS: dict[str, str] = {
    # where a row came from
    "source_file": "name of the landed file within its month folder",
    "line_number": "record number in the file: the header is line 1, the first record line 2",
    "sales_month": "YYYY-MM: the month folder the file landed in (the partition)",
    "additional_columns": "extra CSV columns of the row: JSON of lower-cased name to text",
    # the sale
    "customer_id": "customer key (customer.customer_id)",
    "store_id": "store key (store.id)",
    "product_name": "product name, trimmed (product.name)",
    "sales_date": "day of the sale",
    "sales_person_id": "sales person key (sales_team.id)",
    "price": f"unit price, {_MONEY}",
    "quantity": "units sold, more than 0",
    "total_cost": f"amount of the sale as filed, {_MONEY}",
    # rejected rows and the audit
    "raw_record": "the row's fields as a JSON array when their count differs from the header",
    "reason": "why the row or file was not accepted (first rule that applies)",
    "file": "name of the landed file within its month folder",
    "status": "processed, invalid or duplicate",
    "rows_read": "records read from the file (processed files only)",
    "rows_accepted": "records accepted (processed files only)",
    "rows_rejected": "records rejected (processed files only)",
    "content_sha256": "SHA-256 of the file's bytes",
    "processed_at": "when the run judged the file (UTC)",
    "run_id": "the Dagster run that wrote the row; a retry of that run replaces its own rows",
    # customer details
    "first_name": "customer's first name",
    "last_name": "customer's last name",
    "address": "customer's address",
    "pincode": "customer's postal code",
    "phone_number": "customer's phone number",
    "customer_first_name": "customer's first name",
    "customer_last_name": "customer's last name",
    "customer_address": "customer's address",
    "customer_pincode": "customer's postal code",
    "customer_phone_number": "customer's phone number",
    "customer_joining_date": "day the customer joined",
    # store and product
    "store_address": "store's address",
    "store_pincode": "store's postal code",
    "store_manager_name": "name of the store's manager",
    "store_opening_date": "day the store opened",
    "product_id": "product key (product.id)",
    "product_current_price": f"product's current list price, {_MONEY}",
    "product_old_price": f"product's previous list price, {_MONEY}",
    # sales team
    "sales_person_first_name": "sales person's first name",
    "sales_person_last_name": "sales person's last name",
    "manager_id": "sales_team.id of the sales person's manager (none for a manager)",
    "is_manager": "Y for a store manager, N otherwise",
    "sales_person_address": "sales person's address",
    "sales_person_pincode": "sales person's postal code",
    "sales_person_joining_date": "day the sales person joined",
    # results
    "full_name": "first and last name joined by one space",
    "total_sales": f"sum of total_cost in the month, {_MONEY}",
    "previous_month_sales": f"sum of total_cost in the month before, {_MONEY}; "
    "NULL when that month has no accepted sales at all",
    "sales_change": f"total_sales - previous_month_sales, {_MONEY}",
    "is_declining": "true when the customer bought less than in the month before",
    "sales_rank": "RANK() of total_sales within the store and month, highest first",
    "incentive": f"ROUND(total_sales * rate, 2), half up, for rank 1; else 0; {_MONEY}",
}

# Columns whose meaning differs in one asset.
ASSET_COLUMN_DESCRIPTIONS: dict[tuple[str, str], str] = {
    **{
        ("rejected_sales", name): f"{name} as written in the file (trimmed text)"
        for name in MANDATORY_COLUMNS
    },
    (
        "customer_monthly_sales",
        "address",
    ): "customer's address as of the month (else the month before)",
    (
        "customer_monthly_sales",
        "phone_number",
    ): "customer's phone as of the month (else the month before)",
    ("sales_file_audit", "reason"): "invalid reason, or the original's name for a duplicate",
}


def column_description(asset_name: str, column: str) -> str | None:
    return ASSET_COLUMN_DESCRIPTIONS.get((asset_name, column)) or COLUMN_DESCRIPTIONS.get(column)

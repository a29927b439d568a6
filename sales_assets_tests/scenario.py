"""A small landing scenario written by hand, with every SPEC section 2 fault, and the
result tables expected from it, computed by hand. Shared by the embedded and the
S3 + MySQL tests, so both backends are held to the same figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal as D

import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse

MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]  # April: no files at all

CUSTOMERS = [
    dict(
        customer_id=1,
        first_name="Asha",
        last_name="Rao",
        address="1 Hill Rd",
        pincode="560001",
        phone_number="555-0101",
        customer_joining_date=dt.date(2022, 1, 3),
    ),
    dict(
        customer_id=2,
        first_name="Ben",
        last_name="Li",
        address="2 Lake St",
        pincode="560002",
        phone_number="555-0102",
        customer_joining_date=dt.date(2022, 2, 4),
    ),
    dict(
        customer_id=3,
        first_name="Cara",
        last_name="Diaz",
        address="3 Park Ave",
        pincode="560003",
        phone_number="555-0103",
        customer_joining_date=dt.date(2022, 3, 5),
    ),
    dict(
        customer_id=4,
        first_name="Dev",
        last_name="Patel",
        address="4 Mill Ln",
        pincode="560004",
        phone_number="555-0104",
        customer_joining_date=dt.date(2022, 4, 6),
    ),
]
STORES = [
    dict(
        id=10,
        address="10 Main St",
        store_pincode="560010",
        store_manager_name="Mona Iyer",
        store_opening_date=dt.date(2020, 1, 1),
        reviews="good",
    ),
    dict(
        id=20,
        address="20 Market Rd",
        store_pincode="560020",
        store_manager_name="Ravi Nair",
        store_opening_date=dt.date(2021, 1, 1),
        reviews=None,
    ),
]
PRODUCTS = [
    dict(
        id=1,
        name="Rice 5kg",
        current_price=D("10.50"),
        old_price=D("9.90"),
        created_date=dt.date(2020, 1, 1),
        updated_date=dt.date(2023, 1, 1),
        expiry_date=None,
    ),
    dict(
        id=2,
        name="Olive Oil",
        current_price=D("7.25"),
        old_price=D("7.00"),
        created_date=dt.date(2020, 1, 1),
        updated_date=dt.date(2023, 1, 1),
        expiry_date=None,
    ),
    dict(
        id=3,
        name="Green Tea",
        current_price=D("3.10"),
        old_price=D("3.10"),
        created_date=dt.date(2020, 1, 1),
        updated_date=dt.date(2023, 1, 1),
        expiry_date=None,
    ),
]
SALES_TEAM = [
    dict(
        id=100,
        first_name="Mia",
        last_name="Kent",
        manager_id=None,
        is_manager="Y",
        address="100 Oak St",
        pincode="560100",
        joining_date=dt.date(2019, 1, 1),
    ),
    dict(
        id=101,
        first_name="Sam",
        last_name="Ortiz",
        manager_id=100,
        is_manager="N",
        address="101 Oak St",
        pincode="560101",
        joining_date=dt.date(2020, 1, 1),
    ),
    dict(
        id=102,
        first_name="Lee",
        last_name="Chan",
        manager_id=100,
        is_manager="N",
        address="102 Oak St",
        pincode="560102",
        joining_date=dt.date(2020, 1, 1),
    ),
    dict(
        id=200,
        first_name="Ana",
        last_name="Bell",
        manager_id=None,
        is_manager="Y",
        address="200 Elm St",
        pincode="560200",
        joining_date=dt.date(2019, 1, 1),
    ),
    dict(
        id=201,
        first_name="Tom",
        last_name="Reed",
        manager_id=200,
        is_manager="N",
        address="201 Elm St",
        pincode="560201",
        joining_date=dt.date(2020, 1, 1),
    ),
]

# January: BOM, CRLF, free column order and header case, an extra column with a quoted
# comma and line break, blank lines, and one row per rejection reason.
JANUARY_LINES = [
    " Sales_Date ,CUSTOMER_ID,store_id,product_name,sales_person_id,price,quantity,"
    "total_cost,Payment_Mode",
    "2024-01-05,1,10,Rice 5kg,101,10.50,2,21.00,cash",  # 2 accepted
    '2024-01-06,2,10,Olive Oil,102,7.25,4,29.00,"card,\nvisa"',  # 3 accepted
    "",
    "2024-01-07, 3 ,20,Green Tea,201,3.10,10,31.00,",  # 4 accepted (trimmed; empty extra)
    "2024-01-31,1,20,Olive Oil,200,7.25,1,7.26,cash",  # 5 accepted (within 0.01)
    "2024-01-08,1,10,Rice 5kg,101",  # 6 malformed_row
    "2024-01-09,,10,Rice 5kg,101,10.50,1,10.50,cash",  # 7 null_customer_id
    "2024-01-09,1,x1,Rice 5kg,101,10.50,1,10.50,cash",  # 8 invalid_store_id
    "2024-02-01,1,10,Rice 5kg,101,10.50,1,10.50,cash",  # 9 date_outside_month
    "2024-01-10,1,10,Rice 5kg,101,-1.00,1,-1.00,cash",  # 10 negative_price
    "2024-01-10,1,10,Rice 5kg,101,10.50,0,0.00,cash",  # 11 non_positive_quantity
    "2024-01-11,1,10,Rice 5kg,101,10.50,2,21.02,cash",  # 12 total_cost_mismatch
    "2024-01-11,999,10,Rice 5kg,101,10.50,2,21.00,cash",  # 13 unknown_customer
    "2024-01-12,2,10,Caviar,101,10.50,2,21.00,cash",  # 14 unknown_product
    "2024-01-12,2,10,Rice 5kg,101,10.50,99999999999,21.00,cash",  # 15 invalid_quantity
    "2024-02-30,2,10,Rice 5kg,101,10.50,2,21.00,cash",  # 16 invalid_sales_date
    "",
    "",
]
FEBRUARY_LINES = [
    "customer_id,store_id,product_name,sales_date,sales_person_id,price,quantity,total_cost",
    "1,10,Rice 5kg,2024-02-10,101,10.50,3,31.50",
    "2,10,Green Tea,2024-02-11,102,3.10,5,15.50",
    "4,20,Rice 5kg,2024-02-12,201,10.50,1,10.50",
    "4,20,Olive Oil,2024-02-13,200,7.25,2,14.50",
    "2,10,Olive Oil,2024-02-14,101,7.25,2,14.50",
    "1,99,Rice 5kg,2024-02-15,101,10.50,1,10.50",  # 7 unknown_store
    "1,10,Rice 5kg,2024-02-15,999,10.50,1,10.50",  # 8 unknown_sales_person
    "1,10,Rice 5kg,2024-02-15,101,10.50,1,",  # 9 null_total_cost
]
MARCH_LINES = [
    "customer_id,store_id,product_name,sales_date,sales_person_id,price,quantity,total_cost",
    "1,10,Rice 5kg,2024-03-01,101,10.50,2,21.00",
    "2,10,Rice 5kg,2024-03-02,102,10.50,2,21.00",  # a tie with 101 at store 10
    "2,20,Green Tea,2024-03-03,201,3.10,1,3.10",
    "2,20,Green Tea,2024-03-03,201,12.345,1,12.35",  # 5 invalid_price
    "3,20,   ,2024-03-03,201,3.10,1,3.10",  # 6 null_product_name
]

JANUARY_MAIN = ("\ufeff" + "\r\n".join(JANUARY_LINES)).encode("utf-8")
HEADER = FEBRUARY_LINES[0]

LANDING_FILES: dict[str, dict[str, bytes]] = {
    "2024-01": {
        "sales_2024_01.csv": JANUARY_MAIN,
        "sales_2024_01_copy.csv": JANUARY_MAIN,  # duplicate of the one above
        "header_only.csv": (HEADER + "\n").encode(),
        "notes.txt": b"not a sales file\n",
        "empty.csv": b"",
        "empty2.csv": b"",  # a byte copy of an invalid file is invalid, not duplicate
        "latin1.csv": (HEADER + "\n1,10,Caf\xe9,2024-01-05,101,1.00,1,1.00\n").encode("latin-1"),
        "missing.csv": b"customer_id,store_id,product_name,sales_date,sales_person_id,total_cost\n",
        "dupcols.csv": (HEADER + ", PRICE \n").encode(),
    },
    "2024-02": {"sales_2024_02.csv": "\n".join(FEBRUARY_LINES).encode()},
    "2024-03": {"sales_2024_03.csv": ("\n".join(MARCH_LINES) + "\n").encode()},
}

EXPECTED_INVALID = {
    ("2024-01", "notes.txt"): "not_csv",
    ("2024-01", "empty.csv"): "empty",
    ("2024-01", "empty2.csv"): "empty",
    ("2024-01", "latin1.csv"): "unreadable",
    ("2024-01", "missing.csv"): "missing_columns:price,quantity",
    ("2024-01", "dupcols.csv"): "duplicate_columns",
}
# (month, file) -> (status, reason, rows_read, rows_accepted, rows_rejected)
EXPECTED_AUDIT = {
    ("2024-01", "sales_2024_01.csv"): ("processed", None, 15, 4, 11),
    ("2024-01", "sales_2024_01_copy.csv"): ("duplicate", "sales_2024_01.csv", None, None, None),
    ("2024-01", "header_only.csv"): ("processed", None, 0, 0, 0),
    **{key: ("invalid", reason, None, None, None) for key, reason in EXPECTED_INVALID.items()},
    ("2024-02", "sales_2024_02.csv"): ("processed", None, 8, 5, 3),
    ("2024-03", "sales_2024_03.csv"): ("processed", None, 5, 3, 2),
}

EXPECTED_REJECTED = Counter(
    {
        ("2024-01", "malformed_row"): 1,
        ("2024-01", "null_customer_id"): 1,
        ("2024-01", "invalid_store_id"): 1,
        ("2024-01", "date_outside_month"): 1,
        ("2024-01", "negative_price"): 1,
        ("2024-01", "non_positive_quantity"): 1,
        ("2024-01", "total_cost_mismatch"): 1,
        ("2024-01", "unknown_customer"): 1,
        ("2024-01", "unknown_product"): 1,
        ("2024-01", "invalid_quantity"): 1,
        ("2024-01", "invalid_sales_date"): 1,
        ("2024-02", "unknown_store"): 1,
        ("2024-02", "unknown_sales_person"): 1,
        ("2024-02", "null_total_cost"): 1,
        ("2024-03", "invalid_price"): 1,
        ("2024-03", "null_product_name"): 1,
    }
)
# Rejected rows keep their line numbers (records counted, header = 1).
EXPECTED_REJECTED_LINES = {
    ("2024-01", "sales_2024_01.csv"): list(range(6, 17)),
    ("2024-02", "sales_2024_02.csv"): [7, 8, 9],
    ("2024-03", "sales_2024_03.csv"): [5, 6],
}

# customer_monthly_sales: (customer_id, month) -> (full_name, total, previous, change, declining)
EXPECTED_CUSTOMER_MONTHLY = {
    # January: December has no sales at all -> comparison columns are NULL.
    (1, "2024-01"): ("Asha Rao", D("28.26"), None, None, None),
    (2, "2024-01"): ("Ben Li", D("29.00"), None, None, None),
    (3, "2024-01"): ("Cara Diaz", D("31.00"), None, None, None),
    (1, "2024-02"): ("Asha Rao", D("31.50"), D("28.26"), D("3.24"), False),
    (2, "2024-02"): ("Ben Li", D("30.00"), D("29.00"), D("1.00"), False),
    (3, "2024-02"): ("Cara Diaz", D("0.00"), D("31.00"), D("-31.00"), True),  # bought nothing
    (4, "2024-02"): ("Dev Patel", D("25.00"), D("0.00"), D("25.00"), False),
    (1, "2024-03"): ("Asha Rao", D("21.00"), D("31.50"), D("-10.50"), True),
    (2, "2024-03"): ("Ben Li", D("24.10"), D("30.00"), D("-5.90"), True),
    (4, "2024-03"): ("Dev Patel", D("0.00"), D("25.00"), D("-25.00"), True),
    # April has no accepted sales: no rows.
}

# sales_team_incentive: (store, sales person, month) -> (full_name, total, rank, incentive)
EXPECTED_INCENTIVE = {
    (10, 101, "2024-01"): ("Sam Ortiz", D("21.00"), 2, D("0.00")),
    (10, 102, "2024-01"): ("Lee Chan", D("29.00"), 1, D("0.29")),
    (20, 200, "2024-01"): ("Ana Bell", D("7.26"), 2, D("0.00")),
    (20, 201, "2024-01"): ("Tom Reed", D("31.00"), 1, D("0.31")),
    (10, 101, "2024-02"): ("Sam Ortiz", D("46.00"), 1, D("0.46")),
    (10, 102, "2024-02"): ("Lee Chan", D("15.50"), 2, D("0.00")),
    (20, 200, "2024-02"): ("Ana Bell", D("14.50"), 1, D("0.15")),  # 0.145 rounds half up
    (20, 201, "2024-02"): ("Tom Reed", D("10.50"), 2, D("0.00")),
    (10, 101, "2024-03"): ("Sam Ortiz", D("21.00"), 1, D("0.21")),  # tie: both rank 1
    (10, 102, "2024-03"): ("Lee Chan", D("21.00"), 1, D("0.21")),
    (20, 201, "2024-03"): ("Tom Reed", D("3.10"), 1, D("0.03")),
}


def load_dimensions(warehouse: Warehouse) -> None:
    warehouse.ensure_tables(ws.DIMENSION_TABLES)
    with warehouse.engine().begin() as connection:
        for table, rows in (
            (ws.customer, CUSTOMERS),
            (ws.store, STORES),
            (ws.product, PRODUCTS),
            (ws.sales_team, SALES_TEAM),
        ):
            connection.execute(table.delete())
            connection.execute(table.insert(), rows)


def land_files(landing_zone: LandingZone) -> None:
    for month, files in LANDING_FILES.items():
        for name, content in files.items():
            landing_zone.write_file(month, name, content)


def customer_monthly_table(warehouse: Warehouse) -> dict:
    return {
        (r["customer_id"], r["sales_month"]): (
            r["full_name"],
            r["total_sales"],
            r["previous_month_sales"],
            r["sales_change"],
            None if r["is_declining"] is None else bool(r["is_declining"]),
        )
        for r in warehouse.read_rows(ws.customer_monthly_sales)
    }


def incentive_table(warehouse: Warehouse) -> dict:
    return {
        (r["store_id"], r["sales_person_id"], r["sales_month"]): (
            r["full_name"],
            r["total_sales"],
            r["sales_rank"],
            r["incentive"],
        )
        for r in warehouse.read_rows(ws.sales_team_incentive)
    }


def audit_table(warehouse: Warehouse) -> dict:
    with warehouse.engine().connect() as connection:
        rows = connection.execute(sa.select(ws.sales_file_audit)).mappings().all()
    return {
        (r["sales_month"], r["file"]): (
            r["status"],
            r["reason"],
            r["rows_read"],
            r["rows_accepted"],
            r["rows_rejected"],
        )
        for r in rows
    }


def snapshot(deployment, spark) -> tuple:
    """Everything a re-run must leave identical: both result tables and the lake's rows."""
    from sales_assets.io_managers.lake import read_months

    lake = {
        asset: sorted(
            read_months(spark, f"{deployment.settings.lake_uri}/{asset}", asset, MONTHS).collect()
        )
        for asset in ("validated_sales", "rejected_sales", "customer_data_mart")
    }
    return (
        customer_monthly_table(deployment.warehouse),
        incentive_table(deployment.warehouse),
        lake,
    )

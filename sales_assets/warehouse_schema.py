"""Warehouse tables of the data contract (SPEC sections 3, 4 and 5), as SQLAlchemy Core.

One definition serves SQLite and MySQL: money is ``Numeric`` (DECIMAL in MySQL; in SQLite
SQLAlchemy reads it back as a ``Decimal`` quantized to the cent).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

MONEY_14_2 = sa.Numeric(14, 2, asdecimal=True)

# --- dimension tables (SPEC section 3) -------------------------------------------------
customer = sa.Table(
    "customer",
    metadata,
    sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("first_name", sa.String(50)),
    sa.Column("last_name", sa.String(50)),
    sa.Column("address", sa.String(255)),
    sa.Column("pincode", sa.String(10)),
    sa.Column("phone_number", sa.String(20)),
    sa.Column("customer_joining_date", sa.Date),
)

store = sa.Table(
    "store",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("address", sa.String(255)),
    sa.Column("store_pincode", sa.String(10)),
    sa.Column("store_manager_name", sa.String(100)),
    sa.Column("store_opening_date", sa.Date),
    sa.Column("reviews", sa.Text),
)

product = sa.Table(
    "product",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(255), unique=True),
    sa.Column("current_price", sa.Numeric(10, 2, asdecimal=True)),
    sa.Column("old_price", sa.Numeric(10, 2, asdecimal=True)),
    sa.Column("created_date", sa.Date),
    sa.Column("updated_date", sa.Date),
    sa.Column("expiry_date", sa.Date),
)

sales_team = sa.Table(
    "sales_team",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("first_name", sa.String(50)),
    sa.Column("last_name", sa.String(50)),
    sa.Column("manager_id", sa.Integer),
    sa.Column("is_manager", sa.CHAR(1)),
    sa.Column("address", sa.String(255)),
    sa.Column("pincode", sa.String(10)),
    sa.Column("joining_date", sa.Date),
)

DIMENSION_TABLES: tuple[sa.Table, ...] = (customer, store, product, sales_team)

# --- result tables (SPEC section 5) ----------------------------------------------------
customer_monthly_sales = sa.Table(
    "customer_monthly_sales",
    metadata,
    sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("full_name", sa.String(101)),
    sa.Column("address", sa.String(255)),
    sa.Column("phone_number", sa.String(20)),
    sa.Column("sales_month", sa.CHAR(7), primary_key=True),
    sa.Column("total_sales", MONEY_14_2, nullable=False),
    sa.Column("previous_month_sales", MONEY_14_2),
    sa.Column("sales_change", MONEY_14_2),
    sa.Column("is_declining", sa.Boolean(create_constraint=False)),
    sa.Index("ix_customer_monthly_sales_month", "sales_month"),
)

sales_team_incentive = sa.Table(
    "sales_team_incentive",
    metadata,
    sa.Column("store_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sales_person_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("full_name", sa.String(101)),
    sa.Column("sales_month", sa.CHAR(7), primary_key=True),
    sa.Column("total_sales", MONEY_14_2, nullable=False),
    sa.Column("sales_rank", sa.Integer, nullable=False),
    sa.Column("incentive", MONEY_14_2, nullable=False),
    sa.Index("ix_sales_team_incentive_month", "sales_month"),
)

# --- file audit (SPEC section 4): one row per landed file per run, history kept -------
sales_file_audit = sa.Table(
    "sales_file_audit",
    metadata,
    sa.Column("file", sa.String(1024), nullable=False),
    sa.Column("sales_month", sa.CHAR(7), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(1024)),
    sa.Column("rows_read", sa.BigInteger),
    sa.Column("rows_accepted", sa.BigInteger),
    sa.Column("rows_rejected", sa.BigInteger),
    sa.Column("content_sha256", sa.CHAR(64)),
    sa.Column("processed_at", sa.DateTime),
    # The run that wrote the row: a retry of that run replaces its own rows, never adds more.
    sa.Column("run_id", sa.String(64)),
    sa.Index("ix_sales_file_audit_month", "sales_month"),
)

# --- one writer per month (not part of the data contract: the pipeline's own bookkeeping) ---
sales_month_lock = sa.Table(
    "sales_month_lock",
    metadata,
    sa.Column("sales_month", sa.CHAR(7), primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("holder", sa.String(255), nullable=False),  # host:pid of the run's process
    sa.Column("acquired_at", sa.DateTime, nullable=False),
)

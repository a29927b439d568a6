"""The warehouse resource on the embedded default (SQLite)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse, WarehouseError, _bulk_insert
from sales_assets.sample_data import generate_dimensions

AWKWARD_CENTS = [
    D("0.10"),
    D("0.20"),
    D("0.30"),
    D("1.005").quantize(D("0.01")),
    D("12345678.91"),
    D("999999999999.99"),
    D("-999999999999.99"),
    D("0.01"),
]


def test_sqlite_money_reads_back_as_the_exact_cent(tmp_path):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    rows = [
        dict(
            store_id=1,
            sales_person_id=i,
            full_name="x",
            sales_month="2024-01",
            total_sales=value,
            sales_rank=1,
            incentive=value,
        )
        for i, value in enumerate(AWKWARD_CENTS)
    ]
    warehouse.replace_months(ws.sales_team_incentive, ["2024-01"], rows)
    back = sorted(warehouse.read_rows(ws.sales_team_incentive), key=lambda r: r["sales_person_id"])
    assert [r["total_sales"] for r in back] == AWKWARD_CENTS
    assert all(isinstance(r["incentive"], D) for r in back)


def test_replacing_a_month_leaves_other_months_alone(tmp_path):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")

    def row(month: str, total: str) -> dict:
        return dict(
            store_id=1,
            sales_person_id=1,
            full_name="x",
            sales_month=month,
            total_sales=D(total),
            sales_rank=1,
            incentive=D("0.00"),
        )

    warehouse.replace_months(
        ws.sales_team_incentive,
        ["2024-01", "2024-02"],
        [row("2024-01", "1.00"), row("2024-02", "2.00")],
    )
    warehouse.replace_months(ws.sales_team_incentive, ["2024-02"], [row("2024-02", "3.00")])
    got = {r["sales_month"]: r["total_sales"] for r in warehouse.read_rows(ws.sales_team_incentive)}
    assert got == {"2024-01": D("1.00"), "2024-02": D("3.00")}


def test_a_password_with_a_raw_at_sign_never_reaches_the_message():
    warehouse = Warehouse(url="mysql+pymysql://app:Tr0ub@dor@db.internal:3306/sales")
    with pytest.raises(WarehouseError) as raised:
        warehouse.engine()
    assert "Tr0ub" not in str(raised.value) and "dor" not in str(raised.value)
    assert "%40" in str(raised.value)


def test_bulk_insert_also_works_with_named_parameters():
    # MySQL drivers take named parameters; SQLite can too, which exercises that branch here.
    products = generate_dimensions(
        customers=300, stores=4, sales_people_per_store=3, products=120, seed=7
    )["product"]
    engine = sa.create_engine("sqlite://", paramstyle="named")
    ws.metadata.create_all(engine, tables=[ws.product])
    with engine.begin() as connection:
        assert _bulk_insert(connection, ws.product, products) == len(products)
        rows = connection.execute(sa.select(ws.product).order_by(ws.product.c.id)).all()
    assert [dict(r._mapping) for r in rows] == products
    engine.dispose()


def test_a_sqlite_folder_that_cannot_be_created_is_a_plain_error(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the folder should be")
    warehouse = Warehouse(url=f"sqlite:///{blocker}/sub/warehouse.db")
    with pytest.raises(WarehouseError, match=r"Cannot create the folder .*SALES_WAREHOUSE_URL"):
        warehouse.engine()


def test_a_sqlite_uri_makes_no_stray_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "w.db"
    warehouse = Warehouse(url=f"sqlite:///file:{database}?uri=true")
    warehouse.ensure_tables([ws.sales_team_incentive])
    assert database.exists() and not (tmp_path / "file:").exists()


def test_an_audit_table_of_an_earlier_release_gains_run_id_and_keeps_its_rows(tmp_path):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    old = sa.Table(
        ws.sales_file_audit.name,
        sa.MetaData(),
        *[sa.Column(c.name, c.type) for c in ws.sales_file_audit.columns if c.name != "run_id"],
    )
    old.create(warehouse.engine())
    row = {"file": "a.csv", "sales_month": "2024-01", "status": "invalid", "reason": "empty"}
    with warehouse.engine().begin() as connection:
        connection.execute(old.insert(), [row])

    run_rows = [dict(row, run_id="run-1"), dict(row, file="b.csv", run_id="run-1")]
    warehouse.replace_run_files(ws.sales_file_audit, "run-1", run_rows)
    warehouse.replace_run_files(ws.sales_file_audit, "run-1", run_rows[1:])  # a retry

    stored = sorted(
        (r["file"], r["run_id"] or "") for r in warehouse.read_rows(ws.sales_file_audit)
    )
    assert stored == [("a.csv", ""), ("a.csv", "run-1"), ("b.csv", "run-1")]
    warehouse.dispose()

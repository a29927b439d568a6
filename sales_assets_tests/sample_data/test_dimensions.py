"""The dimension rows: their shape, their seed, and their trip through the warehouse."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from sales_assets import sample_data
from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse, WarehouseError


def test_dimension_rows_fit_the_tables(dims: sample_data.DimensionRows) -> None:
    for table in ws.DIMENSION_TABLES:
        rows = dims[table.name]
        assert rows and all(set(row) == set(table.columns.keys()) for row in rows)
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if length:
                assert all(len(row[column.name] or "") <= length for row in rows), column
    assert len({r["customer_id"] for r in dims["customer"]}) == 300
    assert all(re.fullmatch(r"\+91 [6-9][0-9]{9}", r["phone_number"]) for r in dims["customer"])
    assert all(re.fullmatch(r"[1-9][0-9]{5}", r["pincode"]) for r in dims["customer"])


def test_products_have_unique_names_and_cent_prices(dims: sample_data.DimensionRows) -> None:
    names = [r["name"] for r in dims["product"]]
    assert len(set(names)) == len(names) == 120
    for row in dims["product"]:
        for price in (row["current_price"], row["old_price"]):
            assert isinstance(price, Decimal) and price.as_tuple().exponent == -2 and price > 0
        assert row["created_date"] <= row["updated_date"] < row["expiry_date"]
    many = sample_data.generate_dimensions(customers=1, stores=1, products=5_000, seed=1)
    assert len({r["name"] for r in many["product"]}) == 5_000


def test_every_store_has_one_manager_and_every_sales_person_a_manager(
    dims: sample_data.DimensionRows,
) -> None:
    team = {r["id"]: r for r in dims["sales_team"]}
    managers = [r for r in team.values() if r["is_manager"] == "Y"]
    assert len(managers) == len(dims["store"]) == 4
    assert all(r["manager_id"] is None for r in managers)
    people = [r for r in team.values() if r["is_manager"] == "N"]
    assert len(people) == 4 * 3
    assert all(team[r["manager_id"]]["is_manager"] == "Y" for r in people)
    manager_names = sorted(f"{r['first_name']} {r['last_name']}" for r in managers)
    assert sorted(r["store_manager_name"] for r in dims["store"]) == manager_names


def test_dimensions_are_reproducible_from_the_seed() -> None:
    first = sample_data.generate_dimensions(customers=20, stores=2, products=10, seed=5)
    assert first == sample_data.generate_dimensions(customers=20, stores=2, products=10, seed=5)
    assert first != sample_data.generate_dimensions(customers=20, stores=2, products=10, seed=6)


def test_dimension_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="stores=0"):
        sample_data.generate_dimensions(stores=0)


def _count(warehouse: Warehouse, table: sa.Table) -> int:
    with warehouse.engine().connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_load_dimensions_replaces_the_tables(
    tmp_path: Path, dims: sample_data.DimensionRows
) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    counts = {name: len(rows) for name, rows in dims.items()}
    assert sample_data.load_dimensions(warehouse, dims) == counts
    smaller = sample_data.generate_dimensions(customers=10, stores=1, products=5, seed=1)
    sample_data.load_dimensions(warehouse, smaller)
    for table in ws.DIMENSION_TABLES:
        assert _count(warehouse, table) == len(smaller[table.name])
    read_back = sample_data.read_dimension_rows(warehouse)
    by_id = {r["id"]: r for r in read_back["product"]}
    for row in smaller["product"]:
        assert by_id[row["id"]] == row  # exact cents and dates
    assert sorted(read_back["customer"], key=lambda r: r["customer_id"]) == smaller["customer"]
    warehouse.dispose()


def test_read_dimension_rows_says_what_to_do_when_empty(tmp_path: Path) -> None:
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(WarehouseError, match="without --skip-dimensions"):
        sample_data.read_dimension_rows(warehouse)
    warehouse.dispose()

"""Dimension tables as Spark frames, and a clear stop when one was never loaded."""

from __future__ import annotations

import pytest

from sales_assets import warehouse_schema as ws
from sales_assets.resources.dimensions import (
    AmbiguousDimensionKeyError,
    ambiguous_product_names,
    read_dimensions,
)
from sales_assets.resources.warehouse import Warehouse, WarehouseError
from sales_assets_tests import scenario


def test_keys_only_reads_just_the_join_keys(tmp_path, spark):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    scenario.load_dimensions(warehouse)
    dims = read_dimensions(warehouse, spark, keys_only=True)
    assert dims.customers.columns == ["customer_id"]
    assert dims.products.columns == ["id", "name"]
    full = read_dimensions(warehouse, spark)
    assert full.customers.columns == [c.name for c in ws.customer.columns]
    assert full.customers.count() == dims.customers.count() > 0


def test_a_missing_dimension_table_says_to_load_it(tmp_path, spark):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    warehouse.ensure_tables([ws.customer])
    with pytest.raises(WarehouseError, match=r"'store' is missing .* load the dimension tables"):
        read_dimensions(warehouse, spark)


def test_product_names_equal_after_trimming_stop_the_read_naming_the_rows(tmp_path, spark):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    scenario.load_dimensions(warehouse)
    name = scenario.PRODUCTS[0]["name"]
    twin = {**scenario.PRODUCTS[0], "id": 999, "name": f"{name} "}  # UNIQUE allows it
    with warehouse.engine().begin() as connection:
        connection.execute(ws.product.insert(), [twin])
    with pytest.raises(AmbiguousDimensionKeyError) as raised:
        read_dimensions(warehouse, spark, keys_only=True)
    message = str(raised.value)
    assert repr(name) in message and f"{scenario.PRODUCTS[0]['id']}, 999" in message


def test_ambiguous_names_are_those_the_join_key_would_merge(spark):
    """Names are grouped exactly as the join key trims them: spaces only, not tabs,
    non-breaking spaces or line ends; case and inner spaces kept. Only the first names, by
    name, come back to the driver."""
    names = ["tea", " tea", "tea  ", "tea\t", "\u00a0tea", "Tea", "te a", "", "   ", "cup\n",
             "cup", " cup", None, None, "x"]  # fmt: skip
    products = spark.createDataFrame(list(enumerate(names, start=1)), "id int, name string")
    assert ambiguous_product_names(products) == [
        ("", [8, 9]),
        ("cup", [11, 12]),
        ("tea", [1, 2, 3]),
        (None, [13, 14]),
    ]
    assert ambiguous_product_names(products, limit=2) == [("", [8, 9]), ("cup", [11, 12])]

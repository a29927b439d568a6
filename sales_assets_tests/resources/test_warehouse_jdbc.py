"""Warehouse tables to and from Spark through JDBC, on SQLite and on the real MariaDB server:
the scenario's rows exactly, big tables read in key ranges, and a write that fails half-way
leaves the live months as they were."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sales_assets import warehouse_schema as ws
from sales_assets.resources import warehouse_jdbc
from sales_assets.resources.warehouse import Warehouse, WarehouseError
from sales_assets_tests import scenario

MONTHLY_COLUMNS = [c.name for c in ws.customer_monthly_sales.columns]
PASSWORD = "s3cret-Pw"


@pytest.fixture(params=["sqlite", "mariadb"])
def warehouse(request, tmp_path) -> Warehouse:
    if request.param == "sqlite":
        return Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    mysql_databases: Callable[[], str] = request.getfixturevalue("mysql_databases")
    return Warehouse(url=mysql_databases())


def _monthly_frame(spark: SparkSession, expected: dict) -> DataFrame:
    rows = [
        (customer, name, None, None, month, total, previous, change, declining)
        for (customer, month), (name, total, previous, change, declining) in expected.items()
    ]
    schema = ", ".join(
        [
            "customer_id int, full_name string, address string, phone_number string",
            "sales_month string, total_sales decimal(14,2), previous_month_sales decimal(14,2)",
            "sales_change decimal(14,2), is_declining boolean",
        ]
    )
    return spark.createDataFrame(rows, schema)


def _months(expected: dict, months: set[str]) -> dict:
    return {key: value for key, value in expected.items() if key[-1] in months}


def test_result_months_written_by_the_executors_read_back_exactly(warehouse, spark):
    expected = scenario.EXPECTED_CUSTOMER_MONTHLY
    written = warehouse_jdbc.replace_months_from_frame(
        warehouse,
        ws.customer_monthly_sales,
        ["2024-01", "2024-02", "2024-03"],
        _monthly_frame(spark, expected),
    )
    assert written == len(expected)
    assert scenario.customer_monthly_table(warehouse) == expected
    # A re-run of one month replaces that month only.
    march = _months(expected, {"2024-03"})
    changed = {key: (name, total + D("0.01"), *rest) for key, (name, total, *rest) in march.items()}
    warehouse_jdbc.replace_months_from_frame(
        warehouse, ws.customer_monthly_sales, ["2024-03"], _monthly_frame(spark, changed)
    )
    assert scenario.customer_monthly_table(warehouse) == {**expected, **changed}
    assert _staging_tables(warehouse) == []


def test_dimensions_are_read_in_key_ranges_with_their_exact_values(warehouse, spark, monkeypatch):
    scenario.load_dimensions(warehouse)
    monkeypatch.setattr(warehouse_jdbc, "ROWS_PER_READ_RANGE", 2)  # 4 customers: 2 ranges
    customers = warehouse_jdbc.read_table(warehouse, spark, ws.customer)
    assert customers.rdd.getNumPartitions() == 2
    by_id = {r.customer_id: r.asDict() for r in customers.collect()}
    assert by_id == {c["customer_id"]: c for c in scenario.CUSTOMERS}
    products = warehouse_jdbc.read_table(warehouse, spark, ws.product, ["id", "current_price"])
    assert products.columns == ["id", "current_price"]
    assert dict(products.collect()) == {p["id"]: p["current_price"] for p in scenario.PRODUCTS}
    assert dict(products.dtypes)["current_price"] == "decimal(10,2)"


def test_a_write_failing_in_the_executors_leaves_the_live_months_as_they_were(
    mysql_databases, spark
):
    warehouse = Warehouse(url=mysql_databases())
    expected = scenario.EXPECTED_CUSTOMER_MONTHLY
    months = ["2024-01", "2024-02", "2024-03"]
    warehouse_jdbc.replace_months_from_frame(
        warehouse, ws.customer_monthly_sales, months, _monthly_frame(spark, expected)
    )
    # The new months fail in their last task, after the other tasks inserted their rows.
    replacement = _monthly_frame(spark, _months(expected, {"2024-02", "2024-03"})).repartition(4)
    failing = replacement.withColumn(
        "customer_id",
        F.when(
            F.spark_partition_id() == replacement.rdd.getNumPartitions() - 1,
            F.raise_error(F.lit("disk full on the executor")),
        ).otherwise(F.col("customer_id")),
    )
    with pytest.raises(WarehouseError, match="write of customer_monthly_sales"):
        warehouse_jdbc.replace_months_from_frame(
            warehouse, ws.customer_monthly_sales, ["2024-02", "2024-03"], failing
        )
    assert scenario.customer_monthly_table(warehouse) == expected
    assert _staging_tables(warehouse) == []


def test_a_write_refused_by_the_server_mid_transaction_changes_nothing(mysql_databases, spark):
    warehouse = Warehouse(url=mysql_databases())
    expected = scenario.EXPECTED_CUSTOMER_MONTHLY
    months = ["2024-01", "2024-02", "2024-03"]
    warehouse_jdbc.replace_months_from_frame(
        warehouse, ws.customer_monthly_sales, months, _monthly_frame(spark, expected)
    )
    # Staging takes the rows; the live table's primary key refuses the second copy of a key
    # after the months were deleted in the same transaction.
    twice = _monthly_frame(spark, _months(expected, {"2024-02"}))
    with pytest.raises(WarehouseError, match="Duplicate entry"):
        warehouse_jdbc.replace_months_from_frame(
            warehouse, ws.customer_monthly_sales, ["2024-02"], twice.unionByName(twice)
        )
    assert scenario.customer_monthly_table(warehouse) == expected
    assert _staging_tables(warehouse) == []


def test_the_password_reaches_no_jdbc_url_plan_or_message(spark, tmp_path):
    target = warehouse_jdbc.jdbc_target(f"mysql+pymysql://sales:{PASSWORD}@db.internal:3306/w")
    assert PASSWORD not in target.url and PASSWORD not in repr(target)
    assert PASSWORD not in target.shown
    assert target.options()["password"] == PASSWORD  # given to Spark's JDBC source only
    error = warehouse_jdbc._failed(target, "read of customer", RuntimeError("refused"))
    assert PASSWORD not in str(error) and "db.internal" in str(error)
    # The plans Spark shows (UI, event log, explain) name the table, not the options.
    warehouse = Warehouse(url=f"sqlite:///{tmp_path}/w.db")
    scenario.load_dimensions(warehouse)
    frame = warehouse_jdbc.read_table(warehouse, spark, ws.customer)
    plan = frame._jdf.queryExecution().toString()
    assert "JDBCRelation(customer)" in plan and "busy_timeout" not in plan


def test_only_sqlite_files_and_mysql_servers_are_jdbc_targets():
    with pytest.raises(WarehouseError, match="not a SQLite file"):
        warehouse_jdbc.jdbc_target("sqlite:///:memory:")
    with pytest.raises(WarehouseError, match="sqlite:/// and mysql"):
        warehouse_jdbc.jdbc_target(f"postgresql://u:{PASSWORD}@h/db")


def _staging_tables(warehouse: Warehouse) -> list[str]:
    names = sa.inspect(warehouse.engine()).get_table_names()
    return [name for name in names if "__staging_" in name]

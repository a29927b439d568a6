"""The lake IO manager replaces exactly the run's months and reads missing months as empty."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import dagster as dg
import pyarrow.parquet as pq
import pytest
from dagster_pyspark import LazyPySparkResource

from sales_assets import storage
from sales_assets.io_managers.lake import LakeIOManager, read_months
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.lake import Lake, MonthNotWrittenError, write_months
from sales_assets.resources.month_lock import MonthLock
from sales_assets.resources.warehouse import Warehouse
from sales_assets.transforms.schemas import CUSTOMER_DATA_MART_SCHEMA


def _rows_for(spark, months: list[str], customer_id: int):
    return spark.createDataFrame(
        [
            (
                customer_id,
                "F",
                "L",
                "a",
                "p",
                "t",
                dt.date.fromisoformat(f"{m}-02"),
                Decimal("1.00"),
                m,
            )
            for m in months
        ],
        CUSTOMER_DATA_MART_SCHEMA,
    )


def _materialize(tmp_path, spark, first: str, last: str, customer_id: int, copies: int = 1) -> None:
    @dg.asset(
        name="customer_data_mart",
        partitions_def=monthly_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        io_manager_key="lake_io_manager",
    )
    def mart(context):
        rows = _rows_for(spark, list(context.partition_keys), customer_id)
        return rows.crossJoin(spark.range(copies)).select(*rows.columns) if copies > 1 else rows

    pyspark = LazyPySparkResource(spark_config={})
    result = dg.materialize(
        [mart],
        resources={
            "lake_io_manager": LakeIOManager(
                lake=Lake(
                    lake_uri=str(tmp_path),
                    pyspark=pyspark,
                    month_lock=MonthLock(warehouse=Warehouse(url=f"sqlite:///{tmp_path}/w.db")),
                )
            )
        },
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )
    assert result.success


def test_a_write_replaces_only_the_run_months(tmp_path, spark):
    _materialize(tmp_path, spark, "2024-01", "2024-03", customer_id=1)
    _materialize(tmp_path, spark, "2024-02", "2024-02", customer_id=2)

    frame = read_months(
        spark,
        f"{tmp_path}/customer_data_mart",
        "customer_data_mart",
        ["2024-01", "2024-02", "2024-03"],
    )
    got = sorted((r.sales_month, r.customer_id) for r in frame.collect())
    assert got == [("2024-01", 1), ("2024-02", 2), ("2024-03", 1)]
    # The staging folder of each run is gone once its months are in place.
    assert sorted(os.listdir(tmp_path / "customer_data_mart")) == [
        "sales_month=2024-01",
        "sales_month=2024-02",
        "sales_month=2024-03",
    ]


def test_a_month_never_written_is_an_error_naming_the_asset_and_month(tmp_path, spark):
    _materialize(tmp_path, spark, "2024-01", "2024-01", customer_id=1)
    root = f"{tmp_path}/customer_data_mart"
    with pytest.raises(
        MonthNotWrittenError,
        match=r"never written for 2024-05 .*: materialize customer_data_mart for 2024-05 first",
    ):
        read_months(spark, root, "customer_data_mart", ["2024-01", "2024-05"])


def test_a_month_written_with_no_rows_reads_as_empty_with_the_contract_schema(tmp_path, spark):
    root = f"{tmp_path}/customer_data_mart"
    empty = spark.createDataFrame([], CUSTOMER_DATA_MART_SCHEMA)
    write_months(spark, root, empty, ["2024-05"], "run-1")
    visible = [n for n in os.listdir(f"{root}/sales_month=2024-05") if not n.startswith(".")]
    assert visible == ["_written"]  # the folder exists: written, with no rows
    frame = read_months(spark, root, "customer_data_mart", ["2024-05"])
    assert frame.count() == 0
    assert [(f.name, f.dataType) for f in frame.schema] == [
        (f.name, f.dataType) for f in CUSTOMER_DATA_MART_SCHEMA
    ]


def test_a_write_split_below_the_month_makes_one_file_per_folder(tmp_path, spark):
    months = ["2024-01", "2024-02"]
    # 24 rows in each (month, customer) folder, dealt over 12 tasks
    rows = [r for cid in range(4) for r in _rows_for(spark, months, cid).collect()] * 24
    frame = spark.createDataFrame(rows, CUSTOMER_DATA_MART_SCHEMA).repartition(12)
    root = str(tmp_path / "customer_data_mart")
    write_months(spark, root, frame, months, "run-1", partition_by=["customer_id"])
    folders = list((tmp_path / "customer_data_mart").glob("sales_month=*/customer_id=*"))
    assert len(folders) == 8
    assert {len(list(f.glob("*.parquet"))) for f in folders} == {1}
    assert read_months(spark, root, "customer_data_mart", months).count() == 192


def test_columns_with_one_value_per_customer_are_written_without_a_dictionary(tmp_path, spark):
    # Many equal rows: a dictionary pays for every column that may have one.
    _materialize(tmp_path, spark, "2024-01", "2024-01", customer_id=1, copies=5000)
    [written] = (tmp_path / "customer_data_mart" / "sales_month=2024-01").glob("*.parquet")
    chunks = pq.ParquetFile(written).metadata.row_group(0)
    with_dictionary = {
        chunks.column(i).path_in_schema
        for i in range(chunks.num_columns)
        if "PLAIN_DICTIONARY" in chunks.column(i).encodings
    }
    plain = set(storage.plain_encoded_columns(dg.AssetKey("customer_data_mart")))
    assert plain == {"customer_id", "address", "phone_number"}
    assert with_dictionary == {f.name for f in CUSTOMER_DATA_MART_SCHEMA} - plain - {"sales_month"}

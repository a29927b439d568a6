"""The run's Spark settings, and scratch folders that do not outlive killed runs."""

from __future__ import annotations

import socket
import subprocess
import sys

from sales_assets.config import Settings
from sales_assets.resources.spark import claim_scratch_dir, spark_config


def test_local_spark_stays_on_loopback_and_s3a_only_when_s3_is_used():
    local = spark_config(Settings.from_env({}))
    assert local["spark.driver.host"] == "127.0.0.1"
    assert not any(key.startswith("spark.hadoop.fs.s3a") for key in local)
    on_s3 = spark_config(Settings.from_env({"SALES_LAKE_URI": "s3://bucket/lake"}))
    assert "spark.hadoop.fs.s3a.endpoint.region" in on_s3 or "spark.jars" in on_s3


def test_a_cluster_master_takes_driver_host_and_executor_size_from_the_environment(monkeypatch):
    cluster = Settings.from_env({"SPARK_MASTER": "spark://10.0.0.5:7077"})
    for variable in ("SPARK_DRIVER_HOST", "SPARK_EXECUTOR_MEMORY", "SPARK_EXECUTOR_CORES"):
        monkeypatch.delenv(variable, raising=False)
    unset = spark_config(cluster)
    assert "spark.driver.host" not in unset and "spark.driver.bindAddress" not in unset
    assert "spark.executor.memory" not in unset and "spark.executor.cores" not in unset

    monkeypatch.setenv("SPARK_DRIVER_HOST", "10.0.0.9")
    monkeypatch.setenv("SPARK_EXECUTOR_MEMORY", "1g")
    monkeypatch.setenv("SPARK_EXECUTOR_CORES", "1")
    conf = spark_config(cluster)
    assert conf["spark.master"] == "spark://10.0.0.5:7077"
    assert conf["spark.driver.host"] == "10.0.0.9"
    assert (conf["spark.executor.memory"], conf["spark.executor.cores"]) == ("1g", "1")
    assert spark_config(Settings.from_env({}))["spark.driver.host"] == "127.0.0.1"  # local


def test_the_scratch_of_a_killed_process_is_removed_by_the_next_one(tmp_path):
    host = socket.gethostname()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    left_over = tmp_path / f"{host}-{dead}" / "blockmgr-1234"
    left_over.mkdir(parents=True)
    other_host = tmp_path / "elsewhere-1"
    other_host.mkdir()

    mine = claim_scratch_dir(tmp_path)

    assert not left_over.parent.exists()  # the dead process's folder is gone
    assert other_host.exists()  # another machine's: not ours to judge
    assert mine.exists() and mine.name.startswith(f"{host}-")

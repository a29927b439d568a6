"""The run's Spark settings, and scratch folders that do not outlive killed runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from sales_assets.config import Settings
from sales_assets.resources.driver_collector import SERIAL_GC
from sales_assets.resources.spark import (
    claim_scratch_dir,
    pin_local_python_workers,
    spark_config,
)


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


CLAIM = (
    "import sys, os, time; from pathlib import Path; "
    "from sales_assets.resources.spark import claim_scratch_dir; "
    "print(claim_scratch_dir(Path(sys.argv[1])), flush=True); "
    "time.sleep(float(sys.argv[2])); os._exit(9)"
)


def test_the_scratch_of_a_killed_process_is_removed_and_a_live_one_kept(tmp_path):
    killed = subprocess.run(
        [sys.executable, "-c", CLAIM, str(tmp_path), "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    left_over = Path(killed.stdout.strip())
    (left_over / "blockmgr-1234").mkdir()
    live = subprocess.Popen(
        [sys.executable, "-c", CLAIM, str(tmp_path), "60"], stdout=subprocess.PIPE, text=True
    )
    try:
        live_folder = Path(live.stdout.readline().strip())
        being_created = tmp_path / "other-1"  # no owner file yet: not ours to judge
        being_created.mkdir()

        mine = claim_scratch_dir(tmp_path)

        assert not left_over.exists()  # the killed process's folder is gone
        assert live_folder.is_dir()  # a live process's folder stays, whatever its pid says
        assert being_created.exists()
        assert mine.is_dir() and mine.name.startswith(f"{socket.gethostname()}-")
    finally:
        live.kill()
        live.wait()


def test_the_jvm_reads_arrow_batches_without_per_value_checks(spark):
    system = spark.sparkContext._jvm.java.lang.System
    assert system.getProperty("arrow.enable_unsafe_memory_access") == "true"
    assert system.getProperty("arrow.enable_null_check_for_get") == "false"


def test_the_driver_jvm_runs_the_collector_its_options_name(spark):
    management = spark.sparkContext._jvm.java.lang.management.ManagementFactory
    names = {bean.getName() for bean in management.getGarbageCollectorMXBeans()}
    serial = SERIAL_GC in spark.conf.get("spark.driver.defaultJavaOptions").split()
    assert (names == {"Copy", "MarkSweepCompact"}) == serial, names


def test_local_python_workers_run_the_drivers_interpreter_unless_one_is_chosen(monkeypatch):
    # A daemon started as .venv/bin/dagster-daemon, with no venv on PATH: the workers must
    # not fall back to the first python3 on PATH (it may have no pyarrow).
    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    pin_local_python_workers("spark://cluster:7077")
    assert "PYSPARK_PYTHON" not in os.environ
    pin_local_python_workers("local[2]")
    assert os.environ["PYSPARK_PYTHON"] == sys.executable
    monkeypatch.setenv("PYSPARK_PYTHON", "/opt/python/bin/python3")
    pin_local_python_workers("local[2]")
    assert os.environ["PYSPARK_PYTHON"] == "/opt/python/bin/python3"

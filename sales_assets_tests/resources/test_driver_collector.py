"""The local driver's collector: serial on a small machine, never beside one the user chose."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sales_assets.config import Settings
from sales_assets.resources import driver_collector
from sales_assets.resources.driver_collector import (
    JAVA_OPTION_VARIABLES,
    SERIAL_GC,
    driver_collector_option,
    respect_chosen_collector,
)
from sales_assets.resources.spark import spark_config


@pytest.fixture
def small_machine(monkeypatch, tmp_path):
    """Two cores, no collector chosen anywhere, an empty Spark configuration folder."""
    for variable in (*JAVA_OPTION_VARIABLES, "SPARK_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    monkeypatch.setattr(driver_collector, "usable_cores", lambda: 2)
    return tmp_path


def test_a_local_driver_on_two_cores_gets_the_serial_collector(small_machine):
    assert driver_collector_option("local[2]") == SERIAL_GC
    assert driver_collector_option("local[*]") == SERIAL_GC
    assert driver_collector_option("local") == SERIAL_GC
    assert driver_collector_option("spark://10.0.0.5:7077") is None  # tasks run elsewhere
    assert driver_collector_option("local-cluster[2,1,1024]") is None  # so do these
    local = spark_config(Settings.from_env({}))
    assert SERIAL_GC in local["spark.driver.defaultJavaOptions"].split()
    assert SERIAL_GC not in local["spark.executor.defaultJavaOptions"]


def test_with_cores_to_spare_the_jvm_chooses(small_machine, monkeypatch):
    monkeypatch.setattr(driver_collector, "usable_cores", lambda: 8)
    assert driver_collector_option("local[*]") is None


def test_cores_are_counted_without_an_affinity_call(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # as on macOS
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert driver_collector.usable_cores() == 3


@pytest.mark.parametrize("variable", JAVA_OPTION_VARIABLES)
@pytest.mark.parametrize(
    "option", ["-XX:+UseParallelGC", "-XX:+UseG1GC", "-XX:+UseZGC", "-XX:VMOptionsFile=/etc/j"]
)
def test_a_collector_chosen_in_the_environment_wins(small_machine, monkeypatch, variable, option):
    monkeypatch.setenv(variable, f"--driver-java-options {option} pyspark-shell")
    assert driver_collector_option("local[2]") is None


@pytest.mark.parametrize("name", ["spark-defaults.conf", "java-opts", "spark-env.sh"])
def test_a_collector_chosen_in_sparks_configuration_folder_wins(small_machine, name):
    (small_machine / name).write_text("# -XX:+UseG1GC was tried once\n")  # a comment: no
    assert driver_collector_option("local[2]") == SERIAL_GC
    (small_machine / name).write_text("spark.driver.extraJavaOptions -Xss4m -XX:+UseG1GC\n")
    assert driver_collector_option("local[2]") is None


def test_sparks_own_folder_is_read_when_no_folder_is_named(small_machine, monkeypatch, tmp_path):
    monkeypatch.delenv("SPARK_CONF_DIR")
    (tmp_path / "conf").mkdir(exist_ok=True)
    (tmp_path / "conf" / "spark-defaults.conf").write_text(
        "spark.driver.extraJavaOptions -XX:+UseParallelGC\n"
    )
    monkeypatch.setenv("SPARK_HOME", str(tmp_path))
    assert driver_collector_option("local[2]") is None


def test_a_collector_in_a_named_properties_file_wins(small_machine, monkeypatch, tmp_path):
    properties = tmp_path / "run.properties"
    properties.write_text("spark.driver.extraJavaOptions=-XX:+UseShenandoahGC\n")
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", f"--properties-file {properties} pyspark-shell")
    assert driver_collector_option("local[2]") is None


def test_options_that_are_not_collectors_keep_the_serial_one(small_machine, monkeypatch):
    monkeypatch.setenv(
        "JAVA_TOOL_OPTIONS",
        "-XX:+UseGCOverheadLimit -XX:-UseG1GC -XX:+DisableExplicitGC -XX:+UseStringDeduplication",
    )
    assert driver_collector_option("local[2]") == SERIAL_GC


def test_a_collector_in_the_runs_own_extra_options_drops_the_serial_one(small_machine):
    config = spark_config(Settings.from_env({}))
    assert respect_chosen_collector(config) == config
    chosen = {**config, "spark.driver.extraJavaOptions": "-XX:+UseParallelGC"}
    kept = respect_chosen_collector(chosen)
    assert SERIAL_GC not in kept["spark.driver.defaultJavaOptions"]
    assert "-Darrow.enable_unsafe_memory_access=true" in kept["spark.driver.defaultJavaOptions"]


# A driver started the way runs start it, on a machine made to look small: the JVM must start
# and run the collector the user chose, not fail on two.
START_DRIVER = """
import sys
from sales_assets.resources import driver_collector, spark
driver_collector.usable_cores = lambda: 2
from sales_assets.config import Settings
config = spark.spark_config(Settings.from_env({}))
config["spark.driver.extraJavaOptions"] = sys.argv[2]
resource = spark.SparkResource(spark_config=config, scratch_root=sys.argv[1])
session = resource.spark_session
beans = session.sparkContext._jvm.java.lang.management.ManagementFactory
print(sorted(bean.getName() for bean in beans.getGarbageCollectorMXBeans()))
session.stop()
"""


@pytest.mark.parametrize(
    ("submit_args", "extra_options"),
    [
        ("--driver-java-options -XX:+UseParallelGC pyspark-shell", ""),
        ("", "-XX:+UseParallelGC"),  # from the run's resource config
    ],
)
def test_the_driver_starts_with_the_collector_the_user_chose(tmp_path, submit_args, extra_options):
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": submit_args}
    if not submit_args:
        del env["PYSPARK_SUBMIT_ARGS"]
    started = subprocess.run(
        [sys.executable, "-c", START_DRIVER, str(tmp_path), extra_options],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert started.returncode == 0, started.stderr[-2000:]  # "Multiple garbage collectors"
    assert "PS Scavenge" in started.stdout.splitlines()[-1]

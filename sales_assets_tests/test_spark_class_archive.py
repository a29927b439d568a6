"""The Spark driver's class archive: built by a training run, mapped by later drivers, and
never in the way when it is missing, switched off or not a usable archive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sales_assets import cli, spark_class_archive
from sales_assets.config import Settings
from sales_assets.resources.spark import spark_config


def _driver_options(monkeypatch: pytest.MonkeyPatch, setting: str) -> tuple[str, str]:
    monkeypatch.setenv(spark_class_archive.ARCHIVE_VARIABLE, setting)
    conf = spark_config(Settings.from_env({}))
    return conf["spark.driver.defaultJavaOptions"], conf["spark.executor.defaultJavaOptions"]


def test_the_driver_is_given_the_archive_only_when_there_is_one(monkeypatch, tmp_path):
    archive = tmp_path / "spark.jsa"
    driver, _ = _driver_options(monkeypatch, str(archive))
    assert "SharedArchiveFile" not in driver  # not built yet

    archive.write_bytes(b"built")
    driver, _ = _driver_options(monkeypatch, str(archive))
    assert "SharedArchiveFile" not in driver  # no size recorded: not known to be whole

    (tmp_path / "spark.jsa.bytes").write_text("5")
    driver, executor = _driver_options(monkeypatch, str(archive))
    assert f"-XX:SharedArchiveFile={archive}" in driver.split()
    assert "-Darrow.enable_unsafe_memory_access=true" in driver.split()  # kept beside it
    assert "SharedArchiveFile" not in executor  # executors on a cluster start their own way

    archive.write_bytes(b"buil")  # cut short
    driver, _ = _driver_options(monkeypatch, str(archive))
    assert "SharedArchiveFile" not in driver

    archive.write_bytes(b"built")
    driver, _ = _driver_options(monkeypatch, "off")
    assert "SharedArchiveFile" not in driver


def test_the_default_archive_is_per_spark_version_and_java(monkeypatch, tmp_path):
    monkeypatch.delenv(spark_class_archive.ARCHIVE_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    default = spark_class_archive.archive_path()
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "another-jdk"))
    other_java = spark_class_archive.archive_path()
    assert default.parent == other_java.parent == tmp_path / "sales_assets"
    import pyspark

    assert default.name.startswith(f"spark-{pyspark.__version__}-")
    assert default != other_java


def test_the_command_says_when_the_archive_is_switched_off(monkeypatch, capsys):
    monkeypatch.setenv(spark_class_archive.ARCHIVE_VARIABLE, "off")
    assert cli.main(["spark-class-archive"]) == cli.EXIT_ERROR
    assert "SALES_SPARK_CLASS_ARCHIVE=off" in capsys.readouterr().err


def _start_driver(archive: Path) -> str:
    """A driver given its Java options by ``spark_config`` alone (the archive named by the
    environment); prints whether its JVM mapped the archive (Linux: /proc/<pid>/maps)."""
    env = {**os.environ, spark_class_archive.ARCHIVE_VARIABLE: str(archive)}
    env.pop("PYSPARK_SUBMIT_ARGS", None)
    command = [sys.executable, "-m", spark_class_archive.__name__, "check", str(archive)]
    started = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert started.returncode == 0, started.stderr[-3000:]
    return started.stdout.strip().splitlines()[-1]


def test_a_built_archive_is_mapped_by_the_next_driver_and_a_cut_one_is_not_used(tmp_path):
    archive = spark_class_archive.build(tmp_path / "cache" / "spark.jsa")
    assert archive.stat().st_size > 10 << 20  # thousands of classes, not a stub
    names = sorted(p.name for p in archive.parent.iterdir())
    assert names == ["spark.jsa", "spark.jsa.bytes"]  # no partial file left

    assert _start_driver(archive) == "mapped"

    # A JVM given an archive cut short crashes (SIGBUS): such a file is never given to it.
    archive.chmod(0o644)  # the JVM writes it read-only
    with archive.open("r+b") as cut:
        cut.truncate(1 << 20)
    assert _start_driver(archive) == "not-mapped"


def test_the_command_rebuilds_an_archive_that_is_not_whole(monkeypatch, tmp_path, capsys):
    archive = tmp_path / "spark.jsa"
    archive.write_bytes(b"cut")  # no size recorded: a build that did not finish
    monkeypatch.setenv(spark_class_archive.ARCHIVE_VARIABLE, str(archive))
    built = []

    def build(path: Path) -> Path:
        built.append(path)
        return path

    monkeypatch.setattr(spark_class_archive, "build", build)
    assert cli.main(["spark-class-archive"]) == 0
    assert built == [archive]
    (tmp_path / "spark.jsa.bytes").write_text("3")
    assert cli.main(["spark-class-archive"]) == 0
    assert built == [archive]  # whole now: left alone
    assert "already built" in capsys.readouterr().out

"""Which jars a run adds to Spark: the JDBC drivers always, the S3A connector with S3."""

from __future__ import annotations

from pathlib import Path

from sales_assets.resources import spark_jars

JDBC_JARS = ("mariadb-java-client-3.5.7.jar", "sqlite-jdbc-3.51.1.0.jar")
S3A_JARS = ("hadoop-aws-3.5.0.jar", "bundle-2.35.4.jar", "spark-hadoop-cloud_2.13-4.1.1.jar")


def _fetched(folder: Path, names: tuple[str, ...]) -> None:
    for name in names:
        (folder / name).write_bytes(b"")


def test_jars_are_found_in_the_setting_else_a_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(spark_jars.JARS_DIR_VARIABLE, str(tmp_path))
    assert spark_jars.jars_dir() == tmp_path
    monkeypatch.delenv(spark_jars.JARS_DIR_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert spark_jars.jars_dir() == tmp_path / "cache" / "sales_assets" / "jars"


def test_every_run_gets_the_jdbc_drivers_and_only_s3_runs_the_s3a_jars(tmp_path, monkeypatch):
    _fetched(tmp_path, JDBC_JARS + S3A_JARS)
    monkeypatch.setenv(spark_jars.JARS_DIR_VARIABLE, str(tmp_path))
    embedded = spark_jars.jar_config(with_s3a=False)["spark.jars"].split(",")
    assert sorted(Path(j).name for j in embedded) == sorted(JDBC_JARS)
    with_s3 = spark_jars.jar_config(with_s3a=True)
    assert sorted(Path(j).name for j in with_s3["spark.jars"].split(",")) == sorted(
        JDBC_JARS + S3A_JARS
    )
    assert "spark.jars.packages" not in with_s3


def test_jars_already_on_the_cluster_machines_go_on_the_class_paths(tmp_path, monkeypatch):
    _fetched(tmp_path, JDBC_JARS)
    monkeypatch.setenv(spark_jars.JARS_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv(spark_jars.NODE_JARS_DIR_VARIABLE, "/opt/sales/jars")
    conf = spark_jars.jar_config(with_s3a=False)
    assert "spark.jars" not in conf  # nothing copied to the executors
    assert conf["spark.driver.extraClassPath"].split(":") == [
        str(tmp_path / name) for name in sorted(JDBC_JARS)
    ]
    assert conf["spark.executor.extraClassPath"] == "/opt/sales/jars/*"


def test_without_fetched_jars_spark_resolves_the_missing_ones_itself(tmp_path, monkeypatch):
    _fetched(tmp_path, JDBC_JARS[:1])  # the MariaDB driver only
    monkeypatch.setenv(spark_jars.JARS_DIR_VARIABLE, str(tmp_path))
    conf = spark_jars.jar_config(with_s3a=True)
    assert conf["spark.jars"] == str(tmp_path / JDBC_JARS[0])
    assert conf["spark.jars.packages"].split(",") == [
        spark_jars.SQLITE_JDBC_PACKAGE,
        spark_jars.HADOOP_AWS_PACKAGE,
        spark_jars.SPARK_CLOUD_PACKAGE,
    ]

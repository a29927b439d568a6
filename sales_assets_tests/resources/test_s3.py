"""What the project knows about S3: URIs, s3a settings, where the jars are."""

from __future__ import annotations

from pathlib import Path

from sales_assets.resources import s3


def test_s3_uris(monkeypatch):
    assert s3.is_s3_uri("s3://b/p") and s3.is_s3_uri("s3a://b/p")
    assert not s3.is_s3_uri("/tmp/x") and not s3.is_s3_uri("file:///tmp/x")
    assert s3.bucket_and_prefix("s3a://bucket/a/b/") == ("bucket", "a/b")
    assert s3.bucket_and_prefix("s3a://bucket") == ("bucket", "")


def test_jars_are_found_in_the_setting_else_a_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(s3.JARS_DIR_VARIABLE, str(tmp_path))
    assert s3.jars_dir() == tmp_path
    monkeypatch.delenv(s3.JARS_DIR_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert s3.jars_dir() == tmp_path / "cache" / "sales_assets" / "jars"


def test_s3a_settings_use_the_fetched_jars_and_sign_for_a_region(tmp_path, monkeypatch):
    (tmp_path / "hadoop-aws-3.5.0.jar").write_bytes(b"")
    monkeypatch.setenv(s3.JARS_DIR_VARIABLE, str(tmp_path))
    conf = s3.s3a_spark_config("http://127.0.0.1:9100", None)
    assert conf["spark.jars"] == str(Path(tmp_path) / "hadoop-aws-3.5.0.jar")
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "us-east-1"
    assert not any("secret" in key.lower() for key in conf)
    assert "spark.sql.sources.commitProtocolClass" not in conf  # no binding jar: no committer
    (tmp_path / "spark-hadoop-cloud_2.13-4.1.1.jar").write_bytes(b"")
    conf = s3.s3a_spark_config("http://127.0.0.1:9100", None)
    assert conf["spark.hadoop.fs.s3a.committer.name"] == "magic"
    assert conf["spark.sql.sources.commitProtocolClass"].endswith("PathOutputCommitProtocol")


def test_jars_already_on_the_cluster_machines_go_on_the_class_paths(tmp_path, monkeypatch):
    (tmp_path / "hadoop-aws-3.5.0.jar").write_bytes(b"")
    monkeypatch.setenv(s3.JARS_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv(s3.NODE_JARS_DIR_VARIABLE, "/opt/sales/jars")
    conf = s3.s3a_spark_config(None, "eu-west-1")
    assert "spark.jars" not in conf  # nothing copied to the executors
    assert conf["spark.driver.extraClassPath"] == str(tmp_path / "hadoop-aws-3.5.0.jar")
    assert conf["spark.executor.extraClassPath"] == "/opt/sales/jars/*"


def test_without_jars_spark_resolves_hadoop_aws_itself(tmp_path, monkeypatch):
    monkeypatch.setenv(s3.JARS_DIR_VARIABLE, str(tmp_path / "nothing"))
    conf = s3.s3a_spark_config(None, "eu-west-1")
    assert conf["spark.jars.packages"] == f"{s3.HADOOP_AWS_PACKAGE},{s3.SPARK_CLOUD_PACKAGE}"
    assert conf["spark.hadoop.fs.s3a.committer.name"] == "magic"
    assert "spark.hadoop.fs.s3a.endpoint" not in conf
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "eu-west-1"


def test_one_boto3_client_per_resource():
    resource = s3.S3(endpoint_url="http://127.0.0.1:9100", region_name="us-east-1")
    assert resource.client() is resource.client()

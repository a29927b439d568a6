"""What the project knows about S3: URIs, s3a settings, where the jars are."""

from __future__ import annotations

from sales_assets.resources import s3, spark_jars


def test_s3_uris(monkeypatch):
    assert s3.is_s3_uri("s3://b/p") and s3.is_s3_uri("s3a://b/p")
    assert not s3.is_s3_uri("/tmp/x") and not s3.is_s3_uri("file:///tmp/x")
    assert s3.bucket_and_prefix("s3a://bucket/a/b/") == ("bucket", "a/b")
    assert s3.bucket_and_prefix("s3a://bucket") == ("bucket", "")


def test_s3a_settings_sign_for_a_region_and_bind_the_committer_when_its_jar_is_there(
    tmp_path, monkeypatch
):
    (tmp_path / "hadoop-aws-3.5.0.jar").write_bytes(b"")
    monkeypatch.setenv(spark_jars.JARS_DIR_VARIABLE, str(tmp_path))
    conf = s3.s3a_spark_config("http://127.0.0.1:9100", None)
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "us-east-1"
    assert not any("secret" in key.lower() for key in conf)
    assert "spark.sql.sources.commitProtocolClass" not in conf  # no binding jar: no committer
    (tmp_path / "spark-hadoop-cloud_2.13-4.1.1.jar").write_bytes(b"")
    conf = s3.s3a_spark_config("http://127.0.0.1:9100", None)
    assert conf["spark.hadoop.fs.s3a.committer.name"] == "magic"
    assert conf["spark.sql.sources.commitProtocolClass"].endswith("PathOutputCommitProtocol")
    monkeypatch.setenv(spark_jars.JARS_DIR_VARIABLE, str(tmp_path / "nothing"))
    conf = s3.s3a_spark_config(None, "eu-west-1")  # Spark resolves the binding itself
    assert conf["spark.hadoop.fs.s3a.committer.name"] == "magic"
    assert "spark.hadoop.fs.s3a.endpoint" not in conf
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "eu-west-1"


def test_one_boto3_client_per_resource():
    resource = s3.S3(endpoint_url="http://127.0.0.1:9100", region_name="us-east-1")
    assert resource.client() is resource.client()

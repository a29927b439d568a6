"""Settings from the environment: defaults, URI forms and actionable errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_assets.config import (
    ConfigError,
    Settings,
    landing_sensor_interval,
    monthly_schedule_cron,
    normalize_uri,
)


def test_defaults_need_no_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.landing_uri == str(tmp_path / "data" / "landing")
    assert settings.lake_uri == str(tmp_path / "data" / "lake")
    assert settings.warehouse_url == "sqlite:///data/warehouse.db"
    assert settings.spark_master == "local[*]"
    assert not settings.uses_s3


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket/some/prefix/", "s3a://bucket/some/prefix"),
        ("s3a://bucket", "s3a://bucket"),
        ("file:///srv/landing", "/srv/landing"),
        ("/srv/lake/", "/srv/lake"),
    ],
)
def test_uri_forms(uri, expected):
    assert normalize_uri(uri, "SALES_LAKE_URI") == expected


def test_a_relative_path_becomes_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert normalize_uri("lake", "SALES_LAKE_URI") == str(Path(tmp_path) / "lake")


@pytest.mark.parametrize(
    ("uri", "words"),
    [("", "is empty"), ("s3://", "names no bucket"), ("gs://bucket/x", "unsupported scheme")],
)
def test_bad_uris_name_the_variable(uri, words):
    with pytest.raises(ConfigError, match=words) as raised:
        normalize_uri(uri, "SALES_LANDING_URI")
    assert "SALES_LANDING_URI" in str(raised.value)


def test_s3_is_used_when_either_root_is_on_s3():
    settings = Settings.from_env({"SALES_LAKE_URI": "s3://lake/x", "AWS_REGION": "eu-west-1"})
    assert settings.uses_s3 and settings.aws_region == "eu-west-1"


def test_the_automation_timing_comes_from_the_environment_or_defaults():
    assert landing_sensor_interval({}) == 60
    assert landing_sensor_interval({"SALES_LANDING_SENSOR_INTERVAL_SECONDS": " 5 "}) == 5
    assert monthly_schedule_cron({}) == "0 6 1 * *"
    assert monthly_schedule_cron({"SALES_MONTHLY_SCHEDULE_CRON": "0 8 3 * *"}) == "0 8 3 * *"


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "soon"])
def test_a_bad_sensor_interval_names_the_variable(value):
    with pytest.raises(ConfigError, match="SALES_LANDING_SENSOR_INTERVAL_SECONDS"):
        landing_sensor_interval({"SALES_LANDING_SENSOR_INTERVAL_SECONDS": value})


@pytest.mark.parametrize("value", ["* * *", "0 6 32 * *", "monthly"])
def test_a_bad_schedule_cron_names_the_variable(value):
    with pytest.raises(ConfigError, match="SALES_MONTHLY_SCHEDULE_CRON"):
        monthly_schedule_cron({"SALES_MONTHLY_SCHEDULE_CRON": value})

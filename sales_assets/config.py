"""Settings from the environment (SPEC section 1), read and validated in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dagster._utils.schedules import is_valid_cron_string  # what @schedule itself checks

from sales_assets.errors import ConfigError
from sales_assets.resources.s3 import is_s3_uri, s3a_uri

__all__ = [
    "ConfigError",
    "Settings",
    "landing_sensor_interval",
    "monthly_schedule_cron",
    "normalize_uri",
]

DEFAULT_LANDING_URI = "./data/landing"
DEFAULT_LAKE_URI = "./data/lake"
DEFAULT_WAREHOUSE_URL = "sqlite:///data/warehouse.db"
DEFAULT_SPARK_MASTER = "local[*]"

WAREHOUSE_URL_VARIABLE = "SALES_WAREHOUSE_URL"


def normalize_uri(uri: str, variable: str) -> str:
    """A local path (absolute, as Spark needs), or ``s3a://bucket/prefix`` for either S3 scheme."""
    uri = uri.strip()
    if not uri:
        raise ConfigError(f"{variable} is empty: set it to a local folder or s3://bucket/prefix.")
    parsed = urlparse(uri)
    if is_s3_uri(uri):
        return s3a_uri(uri, variable)
    if parsed.scheme == "file":
        return str(Path(parsed.path).resolve())
    if parsed.scheme == "" or len(parsed.scheme) == 1:  # plain path (or a Windows drive)
        return str(Path(uri).expanduser().resolve())
    raise ConfigError(
        f"{variable}={uri!r} has an unsupported scheme {parsed.scheme!r}: "
        "use a local path, file://, s3:// or s3a://."
    )


@dataclass(frozen=True)
class Settings:
    landing_uri: str
    lake_uri: str
    warehouse_url: str
    spark_master: str
    aws_endpoint_url: str | None
    aws_region: str | None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            landing_uri=normalize_uri(
                env.get("SALES_LANDING_URI") or DEFAULT_LANDING_URI, "SALES_LANDING_URI"
            ),
            lake_uri=normalize_uri(env.get("SALES_LAKE_URI") or DEFAULT_LAKE_URI, "SALES_LAKE_URI"),
            warehouse_url=env.get("SALES_WAREHOUSE_URL") or DEFAULT_WAREHOUSE_URL,
            spark_master=env.get("SPARK_MASTER") or DEFAULT_SPARK_MASTER,
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        )

    @property
    def uses_s3(self) -> bool:
        return self.landing_uri.startswith("s3a://") or self.lake_uri.startswith("s3a://")


# --- when the automation looks and runs ---------------------------------------------
SENSOR_INTERVAL_VARIABLE = "SALES_LANDING_SENSOR_INTERVAL_SECONDS"
DEFAULT_SENSOR_INTERVAL_SECONDS = 60
SCHEDULE_CRON_VARIABLE = "SALES_MONTHLY_SCHEDULE_CRON"
DEFAULT_SCHEDULE_CRON = "0 6 1 * *"


def landing_sensor_interval(env: Mapping[str, str] | None = None) -> int:
    """Seconds between two looks at the landing zone: ``SALES_LANDING_SENSOR_INTERVAL_SECONDS``,
    else 60."""
    value = (os.environ if env is None else env).get(SENSOR_INTERVAL_VARIABLE, "").strip()
    if not value:
        return DEFAULT_SENSOR_INTERVAL_SECONDS
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(
            f"{SENSOR_INTERVAL_VARIABLE}={value!r} is not a number of seconds: use a whole "
            "number of at least 1, e.g. 60."
        )
    return int(value)


def monthly_schedule_cron(env: Mapping[str, str] | None = None) -> str:
    """When the month just closed is run (UTC): ``SALES_MONTHLY_SCHEDULE_CRON``, else 06:00 on
    the 1st. A deployment whose files arrive later moves it (``0 8 3 * *``: 08:00 on the 3rd)."""
    value = (os.environ if env is None else env).get(SCHEDULE_CRON_VARIABLE, "").strip()
    if not value:
        return DEFAULT_SCHEDULE_CRON
    if not is_valid_cron_string(value):
        raise ConfigError(
            f"{SCHEDULE_CRON_VARIABLE}={value!r} is not a cron expression: use five fields, "
            "e.g. '0 6 1 * *' (06:00 UTC on the 1st of each month)."
        )
    return value

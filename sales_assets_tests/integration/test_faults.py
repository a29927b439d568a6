"""Faults on the real servers: a private MariaDB or S3 server (own folder and port, started
with scripts/services.sh) is stopped before a run or in the middle of one. Each time the user
reads what failed and where, no secret, and a re-run gives the tables of a clean run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets_tests import scenario
from sales_assets_tests.support import free_port, make_deployment

pytestmark = pytest.mark.integration
SERVICES = Path(__file__).resolve().parents[2] / "scripts" / "services.sh"
RUN_SCRIPT = textwrap.dedent(
    """
    import dagster as dg
    from sales_assets.definitions import defs
    result = defs.resolve_job_def("sales_pipeline").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
        tags={"dagster/asset_partition_range_start": "2024-01",
              "dagster/asset_partition_range_end": "2024-04"},
    )
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        if error is not None:
            print(error.to_string())
    print("RUN", "SUCCESS" if result.success else "FAILED")
    """
)


@dataclass
class PrivateServer:
    kind: str  # "mariadb" or "s3", as scripts/services.sh names them
    env: dict[str, str]
    url: str

    def _services(self, command: str) -> None:
        subprocess.run(
            ["bash", str(SERVICES), command, self.kind], env=self.env, check=True, timeout=180
        )

    def start(self) -> None:
        self._services("up")

    def stop(self) -> None:
        self._services("down")


def _private_server(
    tmp_path: Path, kind: str, port_variable: str, url: str
) -> Iterator[PrivateServer]:
    """A server of its own (folder and free port), started and, at the end, stopped."""
    port = free_port()
    env = dict(os.environ, SALES_SERVICES_DIR=str(tmp_path / "services"))
    env[port_variable] = str(port)
    server = PrivateServer(kind, env, url.format(port=port))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mariadb(tmp_path: Path) -> Iterator[PrivateServer]:
    yield from _private_server(
        tmp_path,
        "mariadb",
        "SALES_TEST_MYSQL_PORT",
        "mysql+pymysql://sales:sales_pw@127.0.0.1:{port}/sales",
    )


@pytest.fixture
def s3_server(tmp_path: Path) -> Iterator[PrivateServer]:
    yield from _private_server(tmp_path, "s3", "SALES_TEST_S3_PORT", "http://127.0.0.1:{port}")


def _deployment(tmp_path: Path, url: str, monkeypatch):
    """An embedded lake with the warehouse on ``url``. Callers take the ``spark`` fixture: the
    suite's one session (with the s3a jars) must start before any run starts its own."""
    env = {
        "SALES_LANDING_URI": str(tmp_path / "landing"),
        "SALES_LAKE_URI": str(tmp_path / "lake"),
        "SALES_WAREHOUSE_URL": url,
        "SPARK_MASTER": "local[2]",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return make_deployment(env, tmp_path)


def _errors(result) -> str:
    texts = []
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        if error is not None:
            texts.append(error.to_string())
    return "\n".join(texts)


def test_mariadb_down_at_start_fails_before_writing_naming_the_server(
    mariadb, tmp_path, monkeypatch, spark
):
    deployment = _deployment(tmp_path, mariadb.url, monkeypatch)
    scenario.load_dimensions(deployment.warehouse)
    deployment.warehouse.dispose()
    scenario.land_files(deployment.landing_zone)
    mariadb.stop()

    result = deployment.run("2024-01", "2024-01", raise_on_error=False)

    assert not result.success
    errors = _errors(result)
    assert "host '127.0.0.1'" in errors or "host 127.0.0.1" in errors
    assert "Check SALES_WAREHOUSE_URL and that the server is up" in errors
    assert "sales_pw" not in errors
    assert not (tmp_path / "lake").exists()  # nothing written
    assert len(deployment.landing_zone.month_files("2024-01")) == len(
        scenario.LANDING_FILES["2024-01"]
    )


def test_mariadb_stopped_mid_run_then_a_rerun_gives_the_clean_tables(
    mariadb, tmp_path, monkeypatch, spark
):
    deployment = _deployment(tmp_path, mariadb.url, monkeypatch)
    scenario.load_dimensions(deployment.warehouse)
    deployment.warehouse.dispose()
    scenario.land_files(deployment.landing_zone)
    marker = tmp_path / "lake" / "validated_sales" / "sales_month=2024-01" / "_written"
    run = subprocess.Popen(
        [sys.executable, "-c", RUN_SCRIPT],
        env=dict(os.environ, SPARK_MASTER="local[1]"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "the landing step never published"
        time.sleep(0.05)
    mariadb.stop()  # in the middle of the run: the audit and results are still to write
    output, _ = run.communicate(timeout=300)

    assert "RUN FAILED" in output
    assert "Check SALES_WAREHOUSE_URL and that the server is up" in output
    assert "sales_pw" not in output

    mariadb.start()
    engine = sa.create_engine(mariadb.url)
    with engine.connect() as connection:  # no half-written month of the results
        inspector = sa.inspect(connection)
        if inspector.has_table("customer_monthly_sales"):
            count = connection.execute(sa.text("SELECT COUNT(*) FROM customer_monthly_sales"))
            assert count.scalar_one() == 0
    engine.dispose()

    assert deployment.run("2024-01", "2024-04").success  # the dead run's locks are taken over
    assert (
        scenario.customer_monthly_table(deployment.warehouse) == scenario.EXPECTED_CUSTOMER_MONTHLY
    )
    assert scenario.incentive_table(deployment.warehouse) == scenario.EXPECTED_INCENTIVE
    assert scenario.audit_table(deployment.warehouse) == scenario.EXPECTED_AUDIT
    assert deployment.warehouse.read_rows(ws.sales_month_lock) == []


def test_s3_stopped_mid_run_then_a_rerun_gives_the_clean_tables(s3_server, tmp_path):
    bucket = os.environ.get("SALES_TEST_S3_BUCKET", "sales-test")
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=s3_server.url,
        SALES_LANDING_URI=f"s3://{bucket}/landing",
        SALES_LAKE_URI=f"s3a://{bucket}/lake",
        SALES_WAREHOUSE_URL=f"sqlite:///{tmp_path}/warehouse.db",
        SPARK_MASTER="local[1]",
    )
    deployment = make_deployment(env, tmp_path)
    scenario.load_dimensions(deployment.warehouse)
    scenario.land_files(deployment.landing_zone)
    client = boto3.client("s3", endpoint_url=s3_server.url)
    marker = "lake/validated_sales/sales_month=2024-01/_written"
    run = subprocess.Popen(
        [sys.executable, "-c", RUN_SCRIPT],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    while client.list_objects_v2(Bucket=bucket, Prefix=marker).get("KeyCount", 0) == 0:
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "the landing step never published"
        time.sleep(0.2)
    s3_server.stop()  # in the middle of the run: the other lake assets are still to write
    output, _ = run.communicate(timeout=600)

    assert "RUN FAILED" in output
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in output
    assert not deployment.warehouse.has_table(ws.customer_monthly_sales)  # nothing half-done

    s3_server.start()
    rerun = subprocess.run(
        [sys.executable, "-c", RUN_SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert "RUN SUCCESS" in rerun.stdout, rerun.stdout + rerun.stderr
    expected = scenario.EXPECTED_CUSTOMER_MONTHLY
    assert scenario.customer_monthly_table(deployment.warehouse) == expected
    assert scenario.incentive_table(deployment.warehouse) == scenario.EXPECTED_INCENTIVE
    assert scenario.audit_table(deployment.warehouse) == scenario.EXPECTED_AUDIT

"""The pipeline scales out. The whole graph runs over two months of generated data (with
faults) on a Spark standalone cluster: a master and two 1-core workers on loopback, started
by scripts/spark_cluster.sh. It must give exactly what a local run gives. Landing zone and
lake are on the S3 test server, the warehouse on MariaDB.

The cluster run is a process of its own (`dagster asset materialize`): a Spark session is
one per process, and the rest of the suite shares a local one. The local run uses that one,
in this process, while the cluster run goes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from sales_assets import sample_data
from sales_assets.io_managers.lake import read_months
from sales_assets.resources.spark_jars import jars_dir
from sales_assets.storage import LAKE_SCHEMAS
from sales_assets_tests import scenario
from sales_assets_tests.support import (
    Deployment,
    free_port,
    make_deployment,
    s3_keys,
    validated_totals,
)

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = REPO / "scripts" / "spark_cluster.sh"
MONTHS = ["2024-01", "2024-02"]
ROWS_PER_MONTH = 2_000
LAKE_ASSETS = tuple(LAKE_SCHEMAS)  # every lake asset of the contract


@dataclass
class Cluster:
    master_url: str
    ui_url: str
    state_dir: Path

    def status(self) -> dict[str, Any]:
        """The master's view: workers, running and completed applications."""
        with urllib.request.urlopen(f"{self.ui_url}/json/", timeout=10) as response:
            return json.load(response)

    def settled_status(self, timeout: float = 60) -> dict[str, Any]:
        """The master's view once no application is running: it marks a run's application
        finished a moment after the run's process exits."""
        deadline = time.monotonic() + timeout
        while (status := self.status())["activeapps"] and time.monotonic() < deadline:
            time.sleep(0.5)
        return status

    def tasks_run_by_worker(self, app_id: str) -> dict[str, int]:
        """Tasks each worker's executors of the application finished, from their logs."""
        return {
            worker.name: sum(
                log.read_text(errors="replace").count("Finished task")
                for log in (worker / "work" / app_id).glob("*/stderr")
            )
            for worker in sorted(self.state_dir.glob("worker-*"))
        }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A private cluster (own folder and ports), always stopped by its PIDs at the end. The
    workers get this environment, so their executors read S3 with the test server's keys."""
    state = tmp_path_factory.mktemp("spark_cluster")
    master_port, ui_port = free_port(), free_port()
    env = dict(
        os.environ,
        SALES_SPARK_CLUSTER_DIR=str(state),
        SALES_SPARK_MASTER_PORT=str(master_port),
        SALES_SPARK_MASTER_UI_PORT=str(ui_port),
        SALES_SPARK_WORKER_UI_PORT="0",  # any free port
        PYTHON=sys.executable,  # the script finds pyspark through it
    )
    try:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "up"], env=env, check=True, timeout=300)
        yield Cluster(f"spark://127.0.0.1:{master_port}", f"http://127.0.0.1:{ui_port}", state)
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "down"], env=env, timeout=180)
        # Had Spark shipped the s3a jars, each executor would keep a copy (~700 MB each).
        for jar in state.glob("worker-*/work/app-*/*/*.jar"):
            jar.unlink()


def _start_on_cluster(
    deployment: Deployment, cluster: Cluster, home: Path
) -> subprocess.Popen[bytes]:
    """The README's run command over both months, started in a process of its own, with the
    cluster's master and the settings docs/scale-out.md gives for one."""
    conf = home / "conf"
    conf.mkdir(parents=True)
    # Any other Spark setting goes in spark-defaults.conf. With tiny tasks, waiting for the
    # executor that caches a partition costs more than reading it from the other one.
    (conf / "spark-defaults.conf").write_text("spark.locality.wait 0\nspark.ui.enabled false\n")
    env = dict(
        os.environ,
        SALES_LANDING_URI=deployment.settings.landing_uri,
        SALES_LAKE_URI=deployment.settings.lake_uri,
        SALES_WAREHOUSE_URL=deployment.settings.warehouse_url,
        SPARK_MASTER=cluster.master_url,
        SPARK_DRIVER_HOST="127.0.0.1",  # where the executors call the driver back
        SPARK_EXECUTOR_MEMORY="1g",  # one executor fills a 1-core, 1g worker
        SPARK_DRIVER_MEMORY="1g",
        SPARK_SHUFFLE_PARTITIONS="4",
        PYSPARK_PYTHON=sys.executable,  # the executors start this interpreter
        # The workers run on this machine: they find the s3a jars where the driver does, so
        # no executor copies them from the driver.
        SALES_SPARK_NODE_JARS_DIR=str(jars_dir()),
        SPARK_CONF_DIR=str(conf),
        DAGSTER_HOME=str(home),
        SALES_SPARK_SCRATCH_DIR=str(home / "scratch"),
    )
    command = [sys.executable, "-m", "dagster", "asset", "materialize"]
    command += ["-m", "sales_assets.definitions", "--select", "*"]
    command += ["--partition-range", f"{MONTHS[0]}...{MONTHS[-1]}"]
    # Its output goes to a file: a pipe nobody reads while the local run goes would fill up
    # and stall it.
    with (home / "run.log").open("w") as log:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def _lake_rows(spark: SparkSession, deployment: Deployment, asset: str) -> list:
    rows = read_months(spark, f"{deployment.settings.lake_uri}/{asset}", asset, MONTHS).collect()
    return sorted(rows, key=repr)


def test_the_graph_on_a_standalone_cluster_gives_what_a_local_run_gives(
    cluster: Cluster,
    s3_root: str,
    mysql_databases: Callable[[], str],
    spark: SparkSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    dims = sample_data.generate_dimensions(
        customers=300, stores=3, sales_people_per_store=3, products=60, seed=17
    )
    deployments: dict[str, Deployment] = {}
    for name in ("cluster", "local"):  # the same seeds: the same rows and bytes in both
        env = {
            "SALES_LANDING_URI": f"{s3_root}/{name}/landing",
            "SALES_LAKE_URI": f"{s3_root.replace('s3://', 's3a://')}/{name}/lake",
            "SALES_WAREHOUSE_URL": mysql_databases(),
        }
        if name == "local":  # it runs in this process, as a deployment sets it
            for key, value in (env | {"SPARK_MASTER": "local[2]"}).items():
                monkeypatch.setenv(key, value)
        env |= {k: os.environ[k] for k in ("AWS_ENDPOINT_URL", "AWS_REGION") if k in os.environ}
        deployment = make_deployment(env, tmp_path / name)
        sample_data.load_dimensions(deployment.warehouse, dims)
        manifests = sample_data.generate_landing(
            deployment.landing_zone, MONTHS, ROWS_PER_MONTH, dims, seed=23
        )
        deployments[name] = deployment

    on_cluster, local = deployments["cluster"], deployments["local"]
    # Both at once: the cluster run in its process, the local run in the suite's local[2]
    # session meanwhile.
    home = tmp_path / "cluster"
    run = _start_on_cluster(on_cluster, cluster, home)
    try:
        assert local.run(MONTHS[0], MONTHS[-1]).success
        run.wait(timeout=600)
    finally:
        if run.poll() is None:  # the local run failed, or the cluster run hangs
            run.kill()
            run.wait()
    output = (home / "run.log").read_text(errors="replace")
    logs = f"(cluster logs under {cluster.state_dir})"
    assert run.returncode == 0, f"the cluster run failed:\n{output[-8000:]}\n{logs}"

    # The cluster did the work: one application (the cluster run, not the local one), and
    # each worker's executor ran some of its tasks.
    status = cluster.settled_status()
    apps = [(app["id"], app["name"], app["state"]) for app in status["completedapps"]]
    assert [(name, state) for (_, name, state) in apps] == [("sales_assets", "FINISHED")], status
    assert status["activeapps"] == [] and status["aliveworkers"] == 2
    tasks = cluster.tasks_run_by_worker(apps[0][0])
    assert len(tasks) == 2 and all(tasks.values()), tasks

    # The same results, row for row: warehouse tables, audit and every lake asset.
    assert scenario.customer_monthly_table(on_cluster.warehouse) == (
        scenario.customer_monthly_table(local.warehouse)
    )
    assert scenario.incentive_table(on_cluster.warehouse) == scenario.incentive_table(
        local.warehouse
    )
    assert scenario.audit_table(on_cluster.warehouse) == scenario.audit_table(local.warehouse)
    assert len(scenario.customer_monthly_table(local.warehouse)) > 0
    assert len(scenario.incentive_table(local.warehouse)) > 0
    for asset in LAKE_ASSETS:
        rows = _lake_rows(spark, on_cluster, asset)
        assert rows, asset
        assert rows == _lake_rows(spark, local, asset), asset

    # And both are right: the accepted rows and totals the generator says it landed.
    lake = on_cluster.settings.lake_uri
    assert validated_totals(spark, lake, MONTHS) == {
        m: (mf.accepted_rows, mf.accepted_total_cost) for m, mf in manifests.items()
    }
    # The landing zones ended alike too: the same files quarantined.
    for month in MONTHS:
        quarantined = [
            s3_keys(f"{s3_root}/{name}/landing", f"invalid/sales/{month}") for name in deployments
        ]
        assert quarantined[0] == quarantined[1] and quarantined[0], month

"""The deployment as it runs in production: ``scripts/dagster_services.sh`` starts the real
``dagster-daemon`` and ``dagster-webserver`` on an instance whose storage is the MariaDB test
server (``deploy/dagster-mysql.yaml``); the warehouse is on the same server. Nothing here
calls a sensor or a schedule function: the daemon ticks them, its run queue launches the
runs, and the tests only drop files and read what happened.

The tests run in file order on one deployment (one daemon start for all): each names the
state it expects from the one before.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus, RunsFilter

from sales_assets import warehouse_schema as ws
from sales_assets.automation import last_complete_month
from sales_assets.config import Settings
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse
from sales_assets_tests import scenario
from sales_assets_tests.conftest import mysql_database_factory
from sales_assets_tests.support import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SERVICES = ["bash", str(REPO / "scripts" / "dagster_services.sh")]
RUN_TIMEOUT = 420  # seconds: a run is a Spark driver of its own, on 2 busy cores
SENSOR_TAG = "dagster/sensor_name"
SCHEDULE_TAG = "dagster/schedule_name"
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"

# One sale that lands late for January, a month already done: customer 1 and sales
# person 101 at store 10 gain 10.50.
LATE_FILE = (
    b"customer_id,store_id,product_name,sales_date,sales_person_id,price,quantity,total_cost\n"
    b"1,10,Rice 5kg,2024-01-20,101,10.50,1,10.50\n"
)
EXPECTED_AFTER_LATE_FILE = {
    "customer_monthly": {
        **scenario.EXPECTED_CUSTOMER_MONTHLY,
        (1, "2024-01"): ("Asha Rao", D("38.76"), None, None, None),
        # February now compares with the larger January: a decline.
        (1, "2024-02"): ("Asha Rao", D("31.50"), D("38.76"), D("-7.26"), True),
    },
    "incentive": {
        **scenario.EXPECTED_INCENTIVE,
        (10, 101, "2024-01"): ("Sam Ortiz", D("31.50"), 1, D("0.32")),  # overtakes Lee Chan
        (10, 102, "2024-01"): ("Lee Chan", D("29.00"), 2, D("0.00")),
    },
}


@dataclass
class DaemonDeployment:
    env: dict[str, str]
    instance: dg.DagsterInstance
    landing: LandingZone
    warehouse: Warehouse

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A command as an operator types it in the repository folder, with this
        deployment's environment."""
        done = subprocess.run(
            args, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and done.returncode != 0:
            pytest.fail(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done

    def runs(self, **tags: str) -> list[DagsterRun]:
        return list(self.instance.get_runs(filters=RunsFilter(tags=tags)))

    def wait_for_run(self, known: set[str], **tags: str) -> DagsterRun:
        """The first run with these tags not in ``known``, once it has finished."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            new = [run for run in self.runs(**tags) if run.run_id not in known]
            if new and new[-1].is_finished:
                return new[-1]
            time.sleep(1)
        pytest.fail(f"no finished run tagged {tags} after {RUN_TIMEOUT}s; {self.diagnosis()}")

    def diagnosis(self) -> str:
        logs = Path(self.env["DAGSTER_HOME"]) / "services"
        tail = subprocess.run(
            ["tail", "-n", "30", str(logs / "daemon.log")], text=True, capture_output=True
        ).stdout
        runs = [(r.run_id[:8], r.status.value, dict(r.tags)) for r in self.instance.get_runs()]
        return f"runs: {runs}\ndaemon log:\n{tail}"

    def failure_message(self, run: DagsterRun) -> str:
        records = self.instance.all_logs(run.run_id)
        return "\n".join(r.message or "" for r in records if r.is_dagster_event)


def assert_success(deployment: DaemonDeployment, run: DagsterRun) -> None:
    if run.status != DagsterRunStatus.SUCCESS:
        pytest.fail(
            f"run {run.run_id} {run.status.value}:\n{deployment.failure_message(run)[-3000:]}"
        )


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[DaemonDeployment]:
    root = tmp_path_factory.mktemp("daemon")
    with mysql_database_factory() as new_database, pytest.MonkeyPatch.context() as patch:
        instance_url = sa.make_url(new_database()).set(drivername="mysql+mysqlconnector")
        warehouse_url = new_database()
        env = {
            **os.environ,
            "DAGSTER_HOME": str(root / "dagster_home"),
            "DAGSTER_MYSQL_URL": instance_url.render_as_string(hide_password=False),
            "SALES_DAGSTER_PORT": str(free_port()),
            "SALES_LANDING_URI": str(root / "landing"),
            "SALES_LAKE_URI": str(root / "lake"),
            "SALES_WAREHOUSE_URL": warehouse_url,
            "SALES_FIRST_MONTH": scenario.MONTHS[0],
            "SPARK_MASTER": "local[2]",
            # The test's own clock for the daemon: the landing zone is looked at every 5 s,
            # and the monthly schedule ticks every minute instead of on the 1st.
            "SALES_LANDING_SENSOR_INTERVAL_SECONDS": "5",
            "SALES_MONTHLY_SCHEDULE_CRON": "* * * * *",
        }
        settings = Settings.from_env(env)
        warehouse = Warehouse(url=warehouse_url)
        scenario.load_dimensions(warehouse)
        up = subprocess.run([*SERVICES, "up"], cwd=REPO, env=env, capture_output=True, text=True)
        assert up.returncode == 0, up.stdout + up.stderr
        for name, value in env.items():
            if name.startswith("DAGSTER_"):
                patch.setenv(name, value)
        instance = dg.DagsterInstance.get()
        try:
            yield DaemonDeployment(env, instance, LandingZone.from_settings(settings), warehouse)
        finally:
            instance.dispose()
            subprocess.run([*SERVICES, "down"], cwd=REPO, env=env, capture_output=True)
            warehouse.engine().dispose()


def test_the_services_run_on_an_instance_kept_in_mariadb(deployment):
    status = deployment.command(*SERVICES, "status")
    assert "(mysql)" in status.stdout and "daemon: running" in status.stdout
    assert "webserver: running" in status.stdout
    # Dagster's own tables are in the instance database, not in files under DAGSTER_HOME.
    home = Path(deployment.env["DAGSTER_HOME"])
    assert not list(home.rglob("*.db")), list(home.rglob("*.db"))
    engine = sa.create_engine(deployment.env["DAGSTER_MYSQL_URL"])
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"runs", "event_logs", "jobs", "job_ticks"} <= tables
    # Nothing the services wrote holds the database password.
    for log in (home / "services").iterdir():
        assert "sales_pw" not in log.read_text(errors="replace"), log


def test_the_daemons_sensor_tick_runs_the_dropped_files(deployment):
    deployment.command("dagster", "sensor", "start", "landing_sensor")
    deployment.command("dagster", "schedule", "start", "monthly_schedule")
    scenario.land_files(deployment.landing)

    run = deployment.wait_for_run(set(), **{SENSOR_TAG: "landing_sensor"})

    assert_success(deployment, run)
    assert (run.tags[RANGE_START], run.tags[RANGE_END]) == ("2024-01", "2024-03")
    assert scenario.customer_monthly_table(deployment.warehouse) == (
        scenario.EXPECTED_CUSTOMER_MONTHLY
    )
    assert scenario.incentive_table(deployment.warehouse) == scenario.EXPECTED_INCENTIVE
    assert scenario.audit_table(deployment.warehouse) == scenario.EXPECTED_AUDIT


def test_a_late_file_reruns_its_month_and_the_month_after_by_itself(deployment):
    known = {run.run_id for run in deployment.runs(**{SENSOR_TAG: "landing_sensor"})}
    assert len(known) == 1, "expects the state the sensor test leaves"

    deployment.landing.write_file("2024-01", "late_2024_01.csv", LATE_FILE)
    run = deployment.wait_for_run(known, **{SENSOR_TAG: "landing_sensor"})

    assert_success(deployment, run)
    assert (run.tags[RANGE_START], run.tags[RANGE_END]) == ("2024-01", "2024-02")
    expected = EXPECTED_AFTER_LATE_FILE
    assert scenario.customer_monthly_table(deployment.warehouse) == expected["customer_monthly"]
    assert scenario.incentive_table(deployment.warehouse) == expected["incentive"]

    # February's mart was re-materialized without March: the following-month sensor (on by
    # default) re-runs March's customer_monthly_sales, and only that.
    following = deployment.wait_for_run(set(), **{SENSOR_TAG: "following_month_sensor"})
    assert_success(deployment, following)
    assert following.tags["dagster/partition"] == "2024-03"
    assert following.asset_selection == {dg.AssetKey("customer_monthly_sales")}
    assert scenario.customer_monthly_table(deployment.warehouse) == expected["customer_monthly"]


def test_the_daemon_ticks_the_monthly_schedule_for_the_month_just_closed(deployment):
    # Started with the sensor, the schedule (every minute here) has ticked by now or soon.
    run = deployment.wait_for_run(set(), **{SCHEDULE_TAG: "monthly_schedule"})

    assert_success(deployment, run)
    month = last_complete_month(dt.datetime.now(dt.UTC))
    assert run.tags["dagster/partition"] == month
    # Every minute here: stopped, so that it launches nothing more beside the next test.
    deployment.command("dagster", "schedule", "stop", "monthly_schedule")
    for extra in deployment.runs(**{SCHEDULE_TAG: "monthly_schedule"}):
        assert extra.tags["dagster/partition"] == month


def _lock_holder(warehouse: Warehouse, month: str) -> tuple[str, str] | None:
    table = ws.sales_month_lock
    with warehouse.engine().connect() as connection:
        row = connection.execute(
            sa.select(table.c.run_id, table.c.holder).where(table.c.sales_month == month)
        ).first()
    return None if row is None else (row.run_id, row.holder)


def _materialized(instance: dg.DagsterInstance, run_id: str) -> bool:
    return any(
        record.dagster_event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
        for record in instance.all_logs(run_id)
        if record.is_dagster_event
    )


def test_a_run_killed_mid_write_is_failed_its_lock_taken_over_and_the_rerun_clean(deployment):
    sensor_runs = {SENSOR_TAG: "landing_sensor"}
    march = Path(deployment.env["SALES_LANDING_URI"]) / "sales" / "2024-03" / "sales_2024_03.csv"
    known = {run.run_id for run in deployment.runs(**sensor_runs)}
    expected = (
        EXPECTED_AFTER_LATE_FILE["customer_monthly"],
        EXPECTED_AFTER_LATE_FILE["incentive"],
        scenario.audit_table(deployment.warehouse),
    )

    os.utime(march, (time.time(), time.time() + 60))  # the file rewritten: March runs again
    deadline, killed = time.monotonic() + RUN_TIMEOUT, None
    while killed is None and time.monotonic() < deadline:
        new = [run for run in deployment.runs(**sensor_runs) if run.run_id not in known]
        holder = _lock_holder(deployment.warehouse, "2024-03")
        if (
            new
            and holder
            and holder[0] == new[0].run_id
            and _materialized(deployment.instance, new[0].run_id)
        ):
            os.kill(int(holder[1].rpartition(":")[2]), signal.SIGKILL)  # the run's process
            killed = new[0]
        time.sleep(0.2)
    assert killed is not None, f"no run of March got to write; {deployment.diagnosis()}"

    failed = deployment.wait_for_run(known, **sensor_runs)
    assert failed.run_id == killed.run_id and failed.status == DagsterRunStatus.FAILURE
    assert "signal 9" in deployment.failure_message(failed) or "SIGKILL" in (
        deployment.failure_message(failed)
    ), deployment.failure_message(failed)
    assert _lock_holder(deployment.warehouse, "2024-03")[0] == killed.run_id  # left behind

    os.utime(march, (time.time(), time.time() + 120))
    rerun = deployment.wait_for_run(known | {killed.run_id}, **sensor_runs)

    assert_success(deployment, rerun)
    assert _lock_holder(deployment.warehouse, "2024-03") is None  # taken over, then released
    audit = scenario.audit_table(deployment.warehouse)
    assert (
        scenario.customer_monthly_table(deployment.warehouse),
        scenario.incentive_table(deployment.warehouse),
        audit,
    ) == expected

"""The benchmark's data and the places a run reads and writes, for one size.

Generated data is kept between benchmark runs (``<work>/data-<rows>``); every fresh run
starts from a copy of it, because a run moves the invalid files out of the landing zone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS, STORES = 50_000, 20


def _generate(env: dict[str, str], months: list[str], rows: int) -> None:
    command = [sys.executable, "-m", "sales_assets.cli", "generate"]
    options = ["--months", ",".join(months), "--rows-per-month", str(rows)]
    sizes = ["--customers", str(CUSTOMERS), "--stores", str(STORES)]
    subprocess.run([*command, *options, *sizes], env=env, cwd=ROOT, check=True)


@dataclass
class Workspace:
    work: Path
    rows_per_month: int
    months: list[str]
    deployment: str
    root: Path = field(init=False)
    _run_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.work / f"{self.deployment}-{self.rows_per_month}"

    @property
    def data(self) -> Path:
        return self.work / f"data-{self.rows_per_month}"

    @property
    def pristine_landing(self) -> Path:
        return self.data / "landing"

    @property
    def pristine_warehouse(self) -> Path:
        return self.data / "warehouse.db"

    @classmethod
    def prepare(cls, work: Path, rows: int, months: list[str], deployment: str) -> Workspace:
        space = cls(work, rows, months, deployment)
        marker = space.data / "complete"
        if not marker.exists() or marker.read_text() != ",".join(months):
            shutil.rmtree(space.data, ignore_errors=True)
            space.data.mkdir(parents=True)
            env = {
                **os.environ,
                "SALES_LANDING_URI": str(space.pristine_landing),
                "SALES_LAKE_URI": str(space.data / "unused_lake"),
                "SALES_WAREHOUSE_URL": f"sqlite:///{space.pristine_warehouse}",
            }
            _generate(env, months, rows)
            marker.write_text(",".join(months))
        space.root.mkdir(parents=True, exist_ok=True)
        return space

    def reset_outputs(self) -> None:
        """A fresh landing zone (every file as generated), an empty lake and a warehouse
        holding the dimension tables only."""
        if self.deployment == "embedded":
            for name in ("landing", "lake", "warehouse.db"):
                path = self.root / name
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(
                    missing_ok=True
                )
            # Hard links: a fresh landing zone in no time; quarantine renames them only.
            subprocess.run(
                ["cp", "-al", str(self.pristine_landing), str(self.root / "landing")], check=True
            )
            shutil.copy(self.pristine_warehouse, self.root / "warehouse.db")
            self._run_env = {
                "SALES_LANDING_URI": str(self.root / "landing"),
                "SALES_LAKE_URI": str(self.root / "lake"),
                "SALES_WAREHOUSE_URL": f"sqlite:///{self.root / 'warehouse.db'}",
            }
        else:
            self._run_env = self._fresh_s3_and_mariadb()

    def _fresh_s3_and_mariadb(self) -> dict[str, str]:
        import sqlalchemy as sa

        bucket = os.environ["SALES_TEST_S3_BUCKET"]
        base = sa.make_url(os.environ["SALES_TEST_MYSQL_URL"])
        # The test server's user may create databases named sales_test*; one per size.
        tag = f"sales_test_bench_{self.rows_per_month}"
        engine = sa.create_engine(base)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{tag}`"))
            connection.execute(sa.text(f"CREATE DATABASE `{tag}`"))
        engine.dispose()
        run = uuid.uuid4().hex[:8]  # fresh prefixes: nothing left from an earlier run
        env = {
            "SALES_LANDING_URI": f"s3://{bucket}/{tag}/{run}/landing",
            "SALES_LAKE_URI": f"s3://{bucket}/{tag}/{run}/lake",
            "SALES_WAREHOUSE_URL": base.set(database=tag).render_as_string(hide_password=False),
        }
        _generate({**os.environ, **env}, self.months, self.rows_per_month)  # same seed
        return env

    def env(self) -> dict[str, str]:
        return {**os.environ, **self._run_env}

    def dagster_home(self, label: str) -> Path:
        home = self.root / f"dagster_home_{label}"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        return home

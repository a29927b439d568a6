"""The instance settings shipped for unattended runs load and do what the README says."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "dagster.yaml"


def test_run_monitoring_is_on_and_runs_queue_one_at_a_time(tmp_path):
    shutil.copy(DEPLOY, tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_runtime_seconds == 6 * 3600
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    finally:
        instance.dispose()

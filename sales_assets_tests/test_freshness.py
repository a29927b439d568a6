"""Month-end freshness: the month just closed is due by a day of the next month."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from sales_assets import freshness
from sales_assets.config import ConfigError
from sales_assets.definitions import defs


def test_the_month_due_is_the_one_just_closed_from_its_due_day_on():
    at = dt.datetime
    assert freshness.month_due(at(2024, 3, 4, 23, 59), 5) == "2024-01"
    assert freshness.month_due(at(2024, 3, 5, 0, 0), 5) == "2024-02"
    assert freshness.month_due(at(2024, 1, 1), 1) == "2023-12"
    assert freshness.due_day({"SALES_RESULTS_DUE_DAY": "10"}) == 10
    assert freshness.due_day({}) == freshness.DEFAULT_DUE_DAY
    with pytest.raises(ConfigError, match="SALES_RESULTS_DUE_DAY='31'"):
        freshness.due_day({"SALES_RESULTS_DUE_DAY": "31"})


def _evaluate(instance: dg.DagsterInstance) -> dict[str, dg.AssetCheckEvaluation]:
    job = defs.resolve_job_def("results_freshness")
    result = job.execute_in_process(instance=instance)
    return {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}


def test_the_check_fails_until_the_month_due_is_materialized(monkeypatch):
    monkeypatch.setattr(freshness, "utc_now", lambda: dt.datetime(2024, 3, 6, tzinfo=dt.UTC))
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(
        dg.AssetMaterialization("customer_monthly_sales", partition="2024-02")
    )
    instance.report_runless_asset_event(
        dg.AssetMaterialization("sales_team_incentive", partition="2024-01")  # a month late
    )
    evaluations = _evaluate(instance)
    assert evaluations["customer_monthly_sales"].passed
    late = evaluations["sales_team_incentive"]
    assert not late.passed and late.metadata["month_due"].value == "2024-02"
    assert "2024-02 of sales_team_incentive was due by day 5" in late.description

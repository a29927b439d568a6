"""The month after a re-materialized month: its customer_monthly_sales is re-run."""

from __future__ import annotations

import dagster as dg

from sales_assets.following_month import (
    MART,
    MONTHLY_SALES,
    MartEvent,
    following_month_sensor,
    plan_following_months,
)


def test_a_month_rerun_alone_marks_the_month_after_and_a_range_only_its_last():
    latest = {"2024-02": 20, "2024-03": 30, "2024-04": 40}.get  # customer_monthly_sales
    # 2024-02 re-run alone after everything: March compares with it.
    plan = plan_following_months(40, [MartEvent(41, "2024-02", True)], latest)
    assert (plan.months, plan.cursor) == (["2024-03"], 41)
    # 2024-01..2024-02 re-run together, customer_monthly_sales with them (ids 53, 54): only
    # March, the month after the range, is out of date; April never compared with them.
    events = [MartEvent(51, "2024-01", True), MartEvent(52, "2024-02", True)]
    after_range = {"2024-02": 54, "2024-03": 30, "2024-04": 40}.get
    assert plan_following_months(50, events, after_range).months == ["2024-03"]
    # The month after the last one ever materialized has nothing to re-run.
    assert plan_following_months(60, [MartEvent(61, "2024-04", True)], latest).months == []


def test_a_run_still_going_is_waited_for():
    latest = {"2024-03": 30}.get
    events = [MartEvent(41, "2024-01", True), MartEvent(42, "2024-02", False)]
    plan = plan_following_months(40, events, latest)
    # It may write March itself (and holds March's lock): nothing past it is decided yet.
    assert (plan.months, plan.cursor) == ([], 41)


def _materialize(instance: dg.DagsterInstance, asset: dg.AssetKey, month: str) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=month))


def test_the_sensor_requests_customer_monthly_sales_of_the_month_after_once():
    with dg.instance_for_test() as instance:
        for month in ("2024-01", "2024-02", "2024-03"):  # a range run, as stored
            _materialize(instance, MART, month)
            _materialize(instance, MONTHLY_SALES, month)
        first = following_month_sensor(dg.build_sensor_context(instance=instance))
        assert first.run_requests == []  # each month came with the one after it
        _materialize(instance, MART, "2024-02")  # re-run by hand, alone
        _materialize(instance, MONTHLY_SALES, "2024-02")

        second = following_month_sensor(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)
        )

        [request] = second.run_requests
        assert request.partition_key == "2024-03"
        assert request.asset_selection == [MONTHLY_SALES]
        third = following_month_sensor(
            dg.build_sensor_context(instance=instance, cursor=second.cursor)
        )
        assert third.run_requests == []

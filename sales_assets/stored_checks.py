"""The asset checks that run alone on what is stored, from the command line
(``sales-assets check``): Dagster has no CLI command that runs checks without materializing.

Checks declared inside a step (the landing step's, the result tables' key and incentive
rules) run with their step only; these are the ``mandatory_columns_not_null`` checks of every
stage after landing, as the UI's "Execute" on a check runs them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from sales_assets import checks

JOB_NAME = "sales_pipeline"


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    month: str
    description: str | None


def standalone_check_keys(assets: Sequence[str] | None = None) -> list[dg.AssetCheckKey]:
    names = list(checks.MANDATORY_COLUMNS_OF)
    unknown = sorted(set(assets or ()) - set(names))
    if unknown:
        raise ValueError(
            f"No check runs alone on {', '.join(unknown)}: choose from {', '.join(names)}."
        )
    return [
        dg.AssetCheckKey(dg.AssetKey(name), checks.MANDATORY_CHECK)
        for name in names
        if not assets or name in assets
    ]


def run_stored_checks(
    defs: dg.Definitions, month: str | None, assets: Sequence[str] | None = None
) -> list[CheckOutcome]:
    """One run of the selected checks for ``month`` (every stored month when None). With
    ``DAGSTER_HOME`` set the results are recorded in that instance, so the UI shows them."""
    job = defs.resolve_job_def(JOB_NAME).get_subset(
        asset_selection=set(), asset_check_selection=set(standalone_check_keys(assets))
    )
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    result = job.execute_in_process(instance=instance, partition_key=month, raise_on_error=False)
    outcomes = [
        CheckOutcome(
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            passed=evaluation.passed,
            month=str(evaluation.metadata["month"].value),
            description=evaluation.description,
        )
        for evaluation in result.get_asset_check_evaluations()
    ]
    if not result.success and not outcomes:
        failure = next((e for e in result.all_events if e.is_step_failure), None)
        raise RuntimeError(
            failure.message if failure and failure.message else "the check run failed"
        )
    return sorted(outcomes, key=lambda o: (o.asset, o.month))

"""One check result per month, whichever way the months run.

A run of a range of months is one step per asset (single-run backfills). Dagster 1.13 plans
one evaluation of each partitioned check per month of the run, but an ``AssetCheckResult``
yielded in a range run carries no partition: it is stored beside the planned ones, which
end as "Skipped", and the UI shows the check skipped. So every check here reports one
``AssetCheckEvaluation`` per month, naming the month and the materialization of that month
it looked at, then the check's (empty) output, which Dagster requires of a check's step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,  # not exported by Dagster 1.13
)


@dataclass(frozen=True)
class Verdict:
    """What a check found in one month."""

    passed: bool
    metadata: Mapping[str, Any] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True)
class MonthlyCheck:
    """A check's verdicts, month by month."""

    asset: str
    check_name: str
    by_month: Mapping[str, Verdict]
    blocking: bool = False
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR

    @property
    def passed(self) -> bool:
        return all(verdict.passed for verdict in self.by_month.values())

    @property
    def failing_months(self) -> list[str]:
        return sorted(month for month, verdict in self.by_month.items() if not verdict.passed)

    @property
    def description(self) -> str | None:
        """The failing months' findings, for logs and errors."""
        found = [f"{m}: {self.by_month[m].description}" for m in self.failing_months]
        return "; ".join(found) or None

    @property
    def key(self) -> dg.AssetCheckKey:
        return dg.AssetCheckKey(dg.AssetKey(self.asset), self.check_name)

    def events(
        self, context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext
    ) -> Iterator[dg.AssetCheckEvaluation | dg.Output]:
        """The per-month evaluations and the check's output, to yield from the step."""
        months = sorted(self.by_month)
        targets = latest_materializations(context.instance, self.key.asset_key, months)
        for month in months:
            verdict = self.by_month[month]
            yield dg.AssetCheckEvaluation(
                asset_key=self.key.asset_key,
                check_name=self.check_name,
                passed=verdict.passed,
                metadata={"month": dg.MetadataValue.text(month), **verdict.metadata},
                target_materialization_data=targets.get(month),
                severity=self.severity,
                description=verdict.description,
                blocking=self.blocking,
                partition=month,
            )
        assets_def = context.op_execution_context.assets_def
        yield dg.Output(None, output_name=assets_def.get_output_name_for_asset_check_key(self.key))


def latest_materializations(
    instance: dg.DagsterInstance, asset: dg.AssetKey, months: Sequence[str]
) -> dict[str, AssetCheckEvaluationTargetMaterializationData]:
    """The latest materialization of each month: the UI counts a month's check result only
    when it names the month's current materialization."""
    latest: dict[str, AssetCheckEvaluationTargetMaterializationData] = {}
    for month in months:  # one indexed lookup each: a few months per run
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset, asset_partitions=[month]), limit=1
        ).records
        if records:
            latest[month] = AssetCheckEvaluationTargetMaterializationData(
                storage_id=records[0].storage_id,
                run_id=records[0].run_id,
                timestamp=records[0].timestamp,
            )
    return latest


def same_for_every_month(verdict: Verdict, months: Iterable[str]) -> dict[str, Verdict]:
    """A finding about the run as a whole (the landing zone's folders), told in each month."""
    return dict.fromkeys(months, verdict)

"""Run config of the assets, validated before a run writes anything.

Dagster checks a run's config against the types at launch, but not a range; pydantic
checks the range only when the step that uses it starts, after the steps before it have
written. :func:`validate_run_config` checks every asset's config first, as the run starts.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from pydantic import Field, ValidationError

DEFAULT_INCENTIVE_RATE = 0.01


class IncentiveConfig(dg.Config):
    incentive_rate: float = Field(default=DEFAULT_INCENTIVE_RATE, ge=0, le=1)
    """Share of the top performer's monthly sales paid as incentive, between 0 and 1
    (0.01 is 1%)."""


# The config class of each asset that takes config, by its op name.
CONFIG_OF: dict[str, type[dg.Config]] = {"sales_team_incentive": IncentiveConfig}


class RunConfigError(ValueError):
    """A run's config is out of range; nothing was written."""


def validate_run_config(run_config: Mapping[str, Any]) -> None:
    problems = []
    for op_name, config_class in CONFIG_OF.items():
        given = (run_config.get("ops") or {}).get(op_name, {}).get("config") or {}
        try:
            config_class(**given)
        except ValidationError as error:
            for issue in error.errors():
                where = ".".join(str(part) for part in issue["loc"])
                problems.append(
                    f"ops.{op_name}.config.{where}={issue.get('input')!r}: {issue['msg']}"
                )
    if problems:
        raise RunConfigError(
            "Run config refused before anything was written: "
            + "; ".join(problems)
            + ". Fix it in the launchpad (or the schedule/sensor) and launch again."
        )

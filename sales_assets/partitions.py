"""The one monthly partitioning shared by every asset: keys are ``YYYY-MM``."""

from __future__ import annotations

import dagster as dg

MONTH_KEY_FORMAT = "%Y-%m"

monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date="2023-01",
    fmt=MONTH_KEY_FORMAT,
    # Files of the running month land during the month: let it be materialized too.
    end_offset=1,
)

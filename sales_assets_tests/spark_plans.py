"""What Spark planned: the physical join of a key, under broadcast thresholds a test sets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import DataFrame, SparkSession


@contextmanager
def broadcast_threshold(spark: SparkSession, size: str) -> Iterator[None]:
    """Spark's broadcast thresholds (planning and adaptive) for the duration of a test."""
    keys = ["spark.sql.autoBroadcastJoinThreshold", "spark.sql.adaptive.autoBroadcastJoinThreshold"]
    before = {key: spark.conf.get(key, None) for key in keys}
    for key in keys:
        spark.conf.set(key, size)
    try:
        yield
    finally:
        for key, value in before.items():
            spark.conf.unset(key) if value is None else spark.conf.set(key, value)


def customer_join(frame: DataFrame) -> str:
    """The physical join of the customer key in the plan Spark ran (adaptive: final)."""
    frame.collect()
    plan = frame._jdf.queryExecution().executedPlan().toString()
    plan = plan.split("== Initial Plan ==")[0]  # adaptive plans print both
    joins = set(re.findall(r"(\w+Join) \[customer_id#", plan))
    assert len(joins) == 1, plan
    return joins.pop()

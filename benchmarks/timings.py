"""Where a benchmarked run's time went: Dagster's step timings and Spark's job timings."""

from __future__ import annotations

import json
import os
from pathlib import Path


def step_seconds(dagster_home: Path) -> dict[str, float]:
    """Seconds of each step of the newest run stored in ``dagster_home``."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        starts: dict[str, float] = {}
        seconds: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                starts[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                seconds[event.step_key] = round(entry.timestamp - starts[event.step_key], 1)
    return seconds


def spark_busy_seconds(event_logs: Path) -> float:
    """Seconds during which at least one Spark job ran, from Spark's event logs."""
    intervals: list[tuple[float, float]] = []
    started: dict[int, float] = {}
    for log in sorted(p for p in event_logs.rglob("*") if p.is_file()):  # logs may roll
        for line in log.read_text().splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            kind = event.get("Event")
            if kind == "SparkListenerJobStart":
                started[event["Job ID"]] = event["Submission Time"] / 1000
            elif kind == "SparkListenerJobEnd" and event["Job ID"] in started:
                intervals.append((started[event["Job ID"]], event["Completion Time"] / 1000))
    busy, until = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > until:
            busy += end - max(start, until)
            until = end
    return busy

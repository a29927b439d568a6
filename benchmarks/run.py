"""Benchmark: the pipeline against a plain PySpark script, on the same generated data.

For each size (rows a month, 12 months, every kind of fault), it times in separate
processes, each with Spark's start-up included:
  backfill   every asset over all months, one run (``dagster asset materialize``);
  one_month  every asset for the last month, on an empty lake and warehouse;
  rerun      the same month again (its rows replaced);
  baseline   benchmarks/plain_pyspark.py, the careful script: the contract's rules, no
             Dagster (embedded only);
  light      benchmarks/light_pyspark.py, the script written in an afternoon: Spark's CSV
             reader, filters, left joins, the marts and the result tables (embedded only);
  light_one_month  the light script on the last month alone.
The ratios printed: the pipeline's backfill over the light and over the careful script, and
its one_month over light_one_month.
Each reports wall seconds, rows per second, the peak resident memory of the whole process
tree (driver, JVM, Python workers), per-step seconds, and the share of time that is not
inside Spark jobs. Figures are printed as a table and written as JSON.

usage: python benchmarks/run.py [--sizes 100000,1000000] [--deployment embedded|s3]
       (s3: landing and lake on the S3 test server, warehouse on MariaDB; run
        `eval "$(bash scripts/services.sh env)"` first)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_tree import Measured, run_measured
from timings import spark_busy_seconds, step_seconds
from workspace import Workspace

GIB = 1 << 30
ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / (1 << 20), 1),
        "python": platform.python_version(),
    }


def figures(measured: Measured, rows: int, extra: dict[str, Any]) -> dict[str, Any]:
    if measured.returncode != 0:
        print(measured.output[-4000:])
        raise SystemExit(f"a benchmarked command failed (exit {measured.returncode})")
    return {
        "wall_s": round(measured.wall_s, 1),
        "rows_per_s": round(rows / measured.wall_s),
        "peak_rss_gib": round(measured.peak_rss_bytes / GIB, 2),
        **extra,
    }


def pipeline_run(space: Workspace, label: str, months: list[str], fresh: bool) -> dict:
    if fresh:
        space.reset_outputs()
    home = space.dagster_home(label)
    events = home / "spark-events"
    events.mkdir(parents=True, exist_ok=True)
    env = {
        **space.env(),
        "DAGSTER_HOME": str(home),
        "PYSPARK_SUBMIT_ARGS": " ".join(
            [
                "--conf spark.eventLog.enabled=true",
                "--conf spark.eventLog.compress=false",
                "--conf spark.eventLog.rolling.enabled=false",
                f"--conf spark.eventLog.dir=file://{events}",
                "pyspark-shell",
            ]
        ),
    }
    selection = (
        ["--partition", months[0]]
        if len(months) == 1
        else ["--partition-range", f"{months[0]}...{months[-1]}"]
    )
    command = ["dagster", "asset", "materialize", "-m", "sales_assets.definitions"]
    measured = run_measured([*command, "--select", "*", *selection], env, cwd=ROOT)
    steps = step_seconds(home) if measured.returncode == 0 else {}
    busy = spark_busy_seconds(events)
    inside_steps = sum(steps.values())
    return figures(
        measured,
        space.rows_per_month * len(months),
        {
            "steps_s": steps,
            "spark_jobs_s": round(busy, 1),
            "outside_steps_s": round(measured.wall_s - inside_steps, 1),
            "not_spark_share": round(1 - busy / measured.wall_s, 2),
        },
    )


def script_run(space: Workspace, script: str, months: list[str]) -> dict:
    """One baseline script over ``months``, from the pristine landing zone; it writes into a
    folder of its own (and, for the light script, a copy of the warehouse)."""
    out = space.root / f"{Path(script).stem}_out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    warehouse = out / "warehouse.db"  # the light script writes its result tables there
    shutil.copy(space.pristine_warehouse, warehouse)
    command = [sys.executable, str(ROOT / "benchmarks" / script)]
    command += ["--landing", str(space.pristine_landing), "--warehouse", str(warehouse)]
    command += ["--months", f"{months[0]}..{months[-1]}", "--out", str(out)]
    measured = run_measured(command, dict(os.environ), cwd=ROOT)
    return figures(measured, space.rows_per_month * len(months), {})


RATIOS = {  # name: (numerator run, denominator run)
    "pipeline_over_light": ("backfill", "light"),
    "pipeline_over_careful": ("backfill", "baseline"),
    "one_month_over_light_one_month": ("one_month", "light_one_month"),
}


def benchmark_size(
    rows: int, months: list[str], deployment: str, work: Path, only: set[str]
) -> dict:
    space = Workspace.prepare(work, rows, months, deployment)
    print(f"\n== {len(months)} months x {rows:,} rows ({deployment}) ==", flush=True)
    result: dict[str, Any] = {}
    runs = [
        ("backfill", lambda: pipeline_run(space, "backfill", months, fresh=True)),
        ("one_month", lambda: pipeline_run(space, "one_month", months[-1:], fresh=True)),
        ("rerun", lambda: pipeline_run(space, "rerun", months[-1:], fresh=False)),
    ]
    if deployment == "embedded":
        runs.append(("baseline", lambda: script_run(space, "plain_pyspark.py", months)))
        runs.append(("light", lambda: script_run(space, "light_pyspark.py", months)))
        runs.append(("light_one_month", lambda: script_run(space, "light_pyspark.py", months[-1:])))
    for name, action in runs:
        if name not in only:
            continue
        started = time.perf_counter()
        result[name] = action()
        print(f"{name:<10} {json.dumps(result[name])} ({time.perf_counter() - started:.0f}s)")
    for ratio, (numerator, denominator) in RATIOS.items():
        if numerator in result and denominator in result:
            result[ratio] = round(result[numerator]["wall_s"] / result[denominator]["wall_s"], 2)
    return result


def table(report: dict[str, Any]) -> str:
    lines = [
        "| size | run | wall s | rows/s | peak RSS GiB | not in Spark jobs |",
        "|---|---|---|---|---|---|",
    ]
    for size, runs in report["sizes"].items():
        for name in ("backfill", "one_month", "rerun", "baseline", "light", "light_one_month"):
            if name in runs:
                r = runs[name]
                share = f"{r['not_spark_share']:.0%}" if "not_spark_share" in r else ""
                lines.append(
                    f"| {size} | {name} | {r['wall_s']} | {r['rows_per_s']:,} | "
                    f"{r['peak_rss_gib']} | {share} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="rows a month, comma list")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--deployment", choices=["embedded", "s3"], default="embedded")
    parser.add_argument("--work", type=Path, default=Path("/tmp/sales_assets_bench"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--runs",
        default="backfill,one_month,rerun,baseline,light,light_one_month",
        help="which runs, comma list",
    )
    args = parser.parse_args()

    months = [f"2024-{m:02d}" for m in range(1, args.months + 1)]
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict[str, Any] = {
        "machine": machine(),
        "deployment": args.deployment,
        "months": len(months),
        "sizes": {},
    }
    for rows in sizes:
        report["sizes"][f"{len(months)}x{rows:,}"] = benchmark_size(
            rows, months, args.deployment, args.work, set(args.runs.split(","))
        )
    backfills = [report["sizes"][f"{len(months)}x{r:,}"].get("backfill") for r in sizes]
    walls = [b["wall_s"] for b in backfills if b]
    if len(walls) > 1:
        report["time_ratio_largest_over_smallest"] = round(walls[-1] / walls[0], 2)
        report["rows_ratio_largest_over_smallest"] = sizes[-1] / sizes[0]
    out = args.json or ROOT / "benchmarks" / "results" / f"{args.deployment}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print("\n" + table(report))
    for key in ("time_ratio_largest_over_smallest",):
        if key in report:
            print(f"{key}: {report[key]}")
    for size, runs in report["sizes"].items():
        for ratio in RATIOS:
            if ratio in runs:
                print(f"{size}: {ratio} = {runs[ratio]}")
    print(f"written: {out}")


if __name__ == "__main__":
    main()

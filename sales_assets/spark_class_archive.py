"""The Spark driver's class archive: JDK class-data sharing (AppCDS) for every run's JVM.

A run's JVM loads, parses and verifies some ten thousand classes from Spark's jars before
and during its first jobs. An archive of those classes, made once by a training run, is
mapped by each later driver JVM instead (about 3 s less per run on the 2-core reference
machine, docs/performance.md). ``sales-assets spark-class-archive`` builds it and
scripts/install.sh runs that command. A JVM that finds the archive stale (another Java or
Spark, another class path) warns and starts as it would without it.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyspark

ARCHIVE_VARIABLE = "SALES_SPARK_CLASS_ARCHIVE"  # a file, or "off"
TRAINING_MONTH = "2024-01"
TRAINING_ROWS = 2_000


class ClassArchiveError(RuntimeError):
    """The training run failed or left no archive."""


def archive_path() -> Path | None:
    """``$SALES_SPARK_CLASS_ARCHIVE``, else a per-user cache file named after the Spark
    version and the Java binary (a new one of either gets a new archive); None when off."""
    configured = os.environ.get(ARCHIVE_VARIABLE, "").strip()
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "sales_assets" / f"spark-{pyspark.__version__}-{_java_id()}.jsa"


def _java_id() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home) / "bin" / "java" if java_home else shutil.which("java")
    return hashlib.sha256(str(Path(java).resolve() if java else "").encode()).hexdigest()[:12]


def _size_record(path: Path) -> Path:
    return path.with_name(f"{path.name}.bytes")


def is_whole(path: Path) -> bool:
    """Whether ``path`` is an archive a build finished: its recorded size is its size."""
    try:
        return int(_size_record(path).read_text()) == path.stat().st_size
    except (OSError, ValueError):
        return False


def sharing_option() -> str | None:
    """The driver's Java option that maps the archive, when a whole one was built."""
    path = archive_path()
    return f"-XX:SharedArchiveFile={path}" if path is not None and is_whole(path) else None


def _child_env(work: str, java_option: str) -> dict[str, str]:
    """A scratch embedded deployment for a child run, its driver given ``java_option``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "SALES_", "SPARK_MASTER"))
    }
    return env | {
        "SALES_LANDING_URI": f"{work}/landing",
        "SALES_LAKE_URI": f"{work}/lake",
        "SALES_WAREHOUSE_URL": f"sqlite:///{work}/warehouse.db",
        "SPARK_MASTER": "local[2]",
        "DAGSTER_HOME": work,
        ARCHIVE_VARIABLE: "off",  # the option below is the only archive the driver sees
        "PYSPARK_SUBMIT_ARGS": f"--driver-java-options {shlex.quote(java_option)} pyspark-shell",
        # The child imports this very package, wherever it was imported from.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")])
        ),
    }


def _run_child(step: str, work: str, archive: Path) -> subprocess.CompletedProcess[str]:
    java_option = {"train": "ArchiveClassesAtExit", "check": "SharedArchiveFile"}[step]
    return subprocess.run(
        [sys.executable, "-m", __name__, step, str(archive)],
        env=_child_env(work, f"-XX:{java_option}={archive}"),
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )


def _failure(what: str, child: subprocess.CompletedProcess[str]) -> ClassArchiveError:
    tail = "\n".join((child.stdout + child.stderr).splitlines()[-15:])
    return ClassArchiveError(
        f"{what} (exit {child.returncode}); runs still work without the archive. "
        f"Its last output:\n{tail}"
    )


def build(path: Path) -> Path:
    """Run the pipeline once on a little sample data in a child process whose JVM writes
    the classes it loaded when it exits; check the archive in a fresh driver, then put it
    at ``path`` and record its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="sales_assets_class_archive_") as work:
            trained = _run_child("train", work, partial)
            if trained.returncode != 0 or not partial.is_file():
                raise _failure(f"the training run for {path} failed", trained)
        with tempfile.TemporaryDirectory(prefix="sales_assets_class_archive_") as work:
            checked = _run_child("check", work, partial)
            if checked.returncode != 0 or checked.stdout.split()[-1:] == ["not-mapped"]:
                raise _failure(f"a driver could not use the archive built for {path}", checked)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    record = _size_record(path)
    partial_record = record.with_name(f".{record.name}.{os.getpid()}.partial")
    partial_record.write_text(str(path.stat().st_size))
    os.replace(partial_record, record)
    return path


def _check(archive: str) -> None:
    """In a child: start a driver with the project's settings, run a job, and print whether
    the JVM mapped ``archive`` (``mapped``/``not-mapped``; nothing where /proc is missing)."""
    from dagster_pyspark.resources import spark_session_from_config

    from sales_assets.config import Settings
    from sales_assets.resources.spark import spark_config

    spark = spark_session_from_config(spark_config(Settings.from_env()))
    if spark.range(1000).selectExpr("sum(id) AS total").first().total != 499_500:
        raise SystemExit("the driver computed a wrong sum")
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    maps = Path(f"/proc/{pid}/maps")  # Linux: the files a process has mapped
    if maps.exists():
        print("mapped" if archive in maps.read_text() else "not-mapped")


def _train(_archive: str) -> None:
    """The training run (in the child): sample data, then every asset for one month, twice
    (the second replaces the first, as a re-run does); then the JVM is let exit, writing
    the archive, before this process ends."""
    from pyspark import SparkContext

    from sales_assets import cli
    from sales_assets.definitions import build_definitions

    args = ["generate", "--months", TRAINING_MONTH, "--rows-per-month", str(TRAINING_ROWS)]
    if cli.main([*args, "--customers", "200"]) != 0:
        raise SystemExit("generating the training data failed")
    job = build_definitions().resolve_implicit_global_asset_job_def()
    for _ in range(2):
        if not job.execute_in_process(partition_key=TRAINING_MONTH).success:
            raise SystemExit("the training run failed")
    gateway = SparkContext._gateway
    if SparkContext._active_spark_context is not None:
        SparkContext._active_spark_context.stop()
    jvm = getattr(gateway, "proc", None)
    if jvm is not None and jvm.stdin is not None:
        jvm.stdin.close()  # the gateway's JVM exits on end of input, dumping the archive
        if jvm.wait(timeout=600) != 0:
            raise SystemExit(f"the JVM exited with {jvm.returncode} writing the archive")


if __name__ == "__main__":
    {"train": _train, "check": _check}[sys.argv[1]](sys.argv[2])

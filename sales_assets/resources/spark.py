"""The Spark session shared by every asset and IO manager of a run (dagster-pyspark)."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from dagster_pyspark import LazyPySparkResource
from dagster_pyspark.resources import spark_session_from_config

from sales_assets import spark_class_archive
from sales_assets.config import Settings
from sales_assets.resources.driver_collector import (
    driver_collector_option,
    respect_chosen_collector,
)
from sales_assets.resources.s3 import s3a_spark_config
from sales_assets.resources.spark_jars import jar_config

SCRATCH_VARIABLE = "SALES_SPARK_SCRATCH_DIR"
# Spark settings taken from the environment when set, else left to Spark: the executors'
# size (docs/scale-out.md). They only matter on a cluster; a local master has none.
EXECUTOR_VARIABLES = {
    "SPARK_EXECUTOR_MEMORY": "spark.executor.memory",
    "SPARK_EXECUTOR_CORES": "spark.executor.cores",
}
# On a cluster the executors call the driver back: the address they reach it on.
DRIVER_HOST_VARIABLE = "SPARK_DRIVER_HOST"
# The parser's Arrow batches are read by the JVM without Arrow's bounds and reference-count
# check on every value (about a tenth of the landing job's JVM time); Spark itself reads
# them within their bounds.
ARROW_FAST_ACCESS = (
    "-Darrow.enable_unsafe_memory_access=true -Darrow.enable_null_check_for_get=false"
)


def machine_memory_bytes() -> int:
    """Memory this process may use: the machine's, or its container's (cgroup v2) limit."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def default_driver_memory(memory_bytes: int | None = None) -> str:
    """An eighth of the machine's memory, between 1 and 8 GiB (3g on 24 GiB). A local
    driver is also the executor: it joins and aggregates millions of customers, spilling
    to disk past its share; the rest is left to the Python workers and the page cache."""
    gib = (memory_bytes or machine_memory_bytes()) / (1 << 30)
    return f"{max(1, min(8, round(gib / 8)))}g"


def spark_config(settings: Settings) -> dict[str, Any]:
    """Spark settings for the configured deployment; s3a ones only when S3 is used."""
    conf: dict[str, Any] = {
        "spark.master": settings.spark_master,
        "spark.app.name": "sales_assets",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY") or default_driver_memory(),
        # The default options, not the extra ones: a user's own extraJavaOptions are added
        # after them instead of being replaced. Local mode: the executors too. The class
        # archive, when built, spares the driver loading Spark's classes from the jars.
        "spark.driver.defaultJavaOptions": " ".join(
            filter(
                None,
                [
                    ARROW_FAST_ACCESS,
                    spark_class_archive.sharing_option(),
                    driver_collector_option(settings.spark_master),
                ],
            )
        ),
        "spark.executor.defaultJavaOptions": ARROW_FAST_ACCESS,
        # Local runs have few cores; adaptive execution coalesces the shuffle further.
        "spark.sql.shuffle.partitions": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "16"),
        "spark.sql.parquet.compression.codec": "snappy",
        # A partitioned write keeps a few files open instead of sorting each task's rows
        # by month (and store) first; past this many it falls back to sorting.
        "spark.sql.maxConcurrentOutputFileWriters": "32",
        # Lake files in 8 MiB row groups, read back in tasks of that size: a month of a
        # million rows spreads over the cores instead of one task per month file.
        "spark.sql.files.maxPartitionBytes": str(8 << 20),
        "spark.hadoop.parquet.block.size": str(8 << 20),
        # The landing cache (on local disk) is written once and read three times: building
        # its batches compressed cost more than reading them back uncompressed (12 x 1M rows:
        # about 6 s less in all).
        "spark.sql.inMemoryColumnarStorage.compressed": "false",
        # Plans of the wide landing frames are long; without this Spark warns on every run.
        "spark.sql.debug.maxToStringFields": "200",
    }
    if settings.spark_master.startswith("local"):
        # A local driver needs no network beyond loopback.
        conf["spark.driver.bindAddress"] = "127.0.0.1"
        conf["spark.driver.host"] = "127.0.0.1"
    elif os.environ.get(DRIVER_HOST_VARIABLE):
        # Unset: Spark advertises the host's name, which the executors must resolve.
        conf["spark.driver.host"] = os.environ[DRIVER_HOST_VARIABLE]
    conf |= {key: os.environ[var] for var, key in EXECUTOR_VARIABLES.items() if os.environ.get(var)}
    conf |= jar_config(with_s3a=settings.uses_s3)
    if settings.uses_s3:
        conf.update(s3a_spark_config(settings.aws_endpoint_url, settings.aws_region))
    return conf


def pin_local_python_workers(master: str) -> None:
    """Local Python workers run this interpreter (the project's venv), not the first
    ``python3`` on PATH, which may lack pyarrow. PySpark reads only ``PYSPARK_PYTHON`` for it;
    a cluster's executors keep the one their deployment sets."""
    if master.startswith("local") and not os.environ.get("PYSPARK_PYTHON"):
        os.environ["PYSPARK_PYTHON"] = sys.executable


OWNER_FILE = ".owner"  # held locked (flock) by the process using the folder
_owned: list[IO[str]] = []  # this process's lock files: open for as long as it lives


def _abandoned(folder: Path) -> bool:
    """True when no live process holds the folder's owner lock. The kernel drops a lock
    when its process dies, however it dies; a process id is no proof (another container
    sharing this /tmp, same host name, other process ids). A folder without an owner file
    (one just being created) is left alone."""
    try:
        owner = (folder / OWNER_FILE).open()
    except OSError:
        return False
    with owner:
        try:
            fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def claim_scratch_dir(root: Path) -> Path:
    """This process's folder for Spark's scratch files (``spark.local.dir``), after removing
    the folders that killed processes left (Spark cleans its own on a normal exit only)."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        if folder.is_dir() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
    mine = Path(tempfile.mkdtemp(prefix=f"{socket.gethostname()}-{os.getpid()}-", dir=root))
    owner = (mine / OWNER_FILE).open("w")
    fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _owned.append(owner)
    return mine


def default_scratch_root() -> str:
    return os.environ.get(SCRATCH_VARIABLE) or str(
        Path(tempfile.gettempdir()) / "sales_assets_spark"
    )


class SparkResource(LazyPySparkResource):
    """Lazy: steps that never touch Spark (warehouse checks, reports) start no JVM. Spark's
    scratch files go to a folder of the run's process, so a killed run's are cleaned up by
    the next one."""

    scratch_root: str

    def _init_session(self) -> None:
        if self._spark_session is None:
            scratch = claim_scratch_dir(Path(self.scratch_root))
            pin_local_python_workers(self.spark_config["spark.master"])
            config = respect_chosen_collector(
                {**self.spark_config, "spark.local.dir": str(scratch)}
            )
            self._spark_session = spark_session_from_config(config)


def spark_resource(settings: Settings) -> SparkResource:
    return SparkResource(spark_config=spark_config(settings), scratch_root=default_scratch_root())

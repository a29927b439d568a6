"""The garbage collector of a local Spark driver: the serial one on a small machine, unless
the user already chose one wherever Spark's launcher or the JVM reads Java options.

A local driver also runs the tasks. On two cores, G1's concurrent threads and write barriers
compete with them and with the JIT compiler: the serial collector took a tenth less CPU on
one month at 12 x 1M (docs/performance.md). A JVM given two collectors does not start
("Multiple garbage collectors selected"), so any choice of the user's wins.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyspark

SMALL_MACHINE_CORES = 2
SERIAL_GC = "-XX:+UseSerialGC"
# Environment variables whose Java options reach the driver JVM: PySpark's, the launcher's
# and the JVM's own.
JAVA_OPTION_VARIABLES = (
    "PYSPARK_SUBMIT_ARGS",
    "SPARK_SUBMIT_OPTS",
    "JAVA_TOOL_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "_JAVA_OPTIONS",
)
# Files of Spark's configuration folder that the launcher reads (spark-env.sh may export the
# variables above inside spark-submit, where this process never sees them).
CONF_FILES = ("spark-defaults.conf", "java-opts", "spark-env.sh")
_COLLECTOR = re.compile(
    r"-XX:\+Use(?:Serial|Parallel|ParallelOld|G1|Z|Shenandoah|Epsilon|ConcMarkSweep)GC\b"
)
# Options the JVM reads from a file of its own: what they select cannot be seen from here.
_OPTIONS_FILE = re.compile(r"-XX:(?:VMOptionsFile|Flags)=")
_PROPERTIES_FILE = re.compile(r"--properties-file[= ](\S+)")


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the OS has one (Linux), else
    the machine's count (macOS). A container's CPU quota is not seen."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def is_local_master(master: str) -> bool:
    """``local`` or ``local[N]``; not ``local-cluster``, whose tasks run in executor JVMs."""
    return master == "local" or master.startswith("local[")


def _conf_dir() -> Path:
    if os.environ.get("SPARK_CONF_DIR"):
        return Path(os.environ["SPARK_CONF_DIR"])
    spark_home = os.environ.get("SPARK_HOME") or str(Path(pyspark.__file__).parent)
    return Path(spark_home) / "conf"


def _uncommented(path: Path) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _option_texts() -> Iterator[str]:
    yield from (os.environ.get(variable, "") for variable in JAVA_OPTION_VARIABLES)
    yield from (_uncommented(_conf_dir() / name) for name in CONF_FILES)
    for named in _PROPERTIES_FILE.finditer(os.environ.get("PYSPARK_SUBMIT_ARGS", "")):
        yield _uncommented(Path(named.group(1)))


def _names_collector(java_options: str) -> bool:
    """A collector is selected in these options, or possibly in a JVM options file."""
    return bool(_COLLECTOR.search(java_options) or _OPTIONS_FILE.search(java_options))


def user_chose_collector() -> bool:
    """True when a collector is already selected in the environment, Spark's configuration
    folder or a ``--properties-file``."""
    return any(_names_collector(text) for text in _option_texts())


def driver_collector_option(master: str) -> str | None:
    """The serial collector for a local driver on a small machine, unless the user chose."""
    small = usable_cores() <= SMALL_MACHINE_CORES
    if is_local_master(master) and small and not user_chose_collector():
        return SERIAL_GC
    return None


def respect_chosen_collector(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` without the serial collector when its own ``extraJavaOptions`` (say, from a
    run's resource config) name a collector: the environment was read by
    :func:`driver_collector_option` already."""
    options = str(config.get("spark.driver.defaultJavaOptions", "")).split()
    extra = str(config.get("spark.driver.extraJavaOptions", ""))
    if SERIAL_GC in options and _names_collector(extra):
        kept = " ".join(option for option in options if option != SERIAL_GC)
        return {**config, "spark.driver.defaultJavaOptions": kept}
    return dict(config)

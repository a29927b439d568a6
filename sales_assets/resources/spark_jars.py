"""The jars a run adds to Spark, fetched by ``scripts/fetch_jars.sh``: the JDBC drivers
(every run: dimensions are read and results written by Spark's JDBC source) and the S3A
connector (only when the lake or landing zone is on S3: the AWS bundle is large).

Without fetched jars Spark resolves the same artifacts from Maven Central itself.
"""

from __future__ import annotations

import os
from pathlib import Path

JARS_DIR_VARIABLE = "SALES_SPARK_JARS_DIR"
# On a cluster whose machines already hold the jars (an image, a shared mount): their folder
# there. Otherwise Spark copies every jar from the driver to every executor.
NODE_JARS_DIR_VARIABLE = "SALES_SPARK_NODE_JARS_DIR"

# Maven coordinates, as scripts/jars/pom.xml pins them (the fallback when nothing was
# fetched). The first artifact of a group names the group's jar files' prefixes too.
MARIADB_JDBC_PACKAGE = "org.mariadb.jdbc:mariadb-java-client:3.5.7"
SQLITE_JDBC_PACKAGE = "org.xerial:sqlite-jdbc:3.51.1.0"
HADOOP_AWS_PACKAGE = "org.apache.hadoop:hadoop-aws:3.5.0"
SPARK_CLOUD_PACKAGE = "org.apache.spark:spark-hadoop-cloud_2.13:4.1.1"

JDBC_PACKAGES = (MARIADB_JDBC_PACKAGE, SQLITE_JDBC_PACKAGE)
S3A_PACKAGES = (HADOOP_AWS_PACKAGE, SPARK_CLOUD_PACKAGE)
# Jar files of each group: the packages' own plus what hadoop-aws needs beside pyspark.
JDBC_JAR_PREFIXES = ("mariadb-java-client-", "sqlite-jdbc-")
S3A_JAR_PREFIXES = (
    "hadoop-aws-",
    "spark-hadoop-cloud_",
    "bundle-",
    "analyticsaccelerator-s3-",
    "wildfly-openssl-",
)


def jars_dir() -> Path:
    """Where ``scripts/fetch_jars.sh`` puts the jars: ``$SALES_SPARK_JARS_DIR``, else a
    per-user cache, so an installed package finds them wherever it lives."""
    configured = os.environ.get(JARS_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "sales_assets" / "jars"


def fetched_jars(prefixes: tuple[str, ...]) -> list[Path]:
    folder = jars_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.jar") if p.name.startswith(prefixes))


def _package_of(prefix: str, packages: tuple[str, ...]) -> str | None:
    artifact = prefix.rstrip("-_")
    return next((p for p in packages if p.split(":")[1].startswith(artifact)), None)


def jar_config(with_s3a: bool) -> dict[str, str]:
    """``spark.jars`` (or the class paths, or ``spark.jars.packages``) for a run."""
    groups = [(JDBC_JAR_PREFIXES, JDBC_PACKAGES)]
    if with_s3a:
        groups.append((S3A_JAR_PREFIXES, S3A_PACKAGES))
    jars: list[Path] = []
    packages: list[str] = []
    for prefixes, group_packages in groups:
        found = fetched_jars(prefixes)
        jars += found
        for prefix in prefixes:
            package = _package_of(prefix, group_packages)
            if package and not any(j.name.startswith(prefix) for j in found):
                packages.append(package)  # not fetched: Spark resolves it from Maven Central
    conf: dict[str, str] = {}
    node_jars = os.environ.get(NODE_JARS_DIR_VARIABLE)
    if jars and node_jars:
        # Each side takes them from its own disk: no executor fetches ~700 MB from the driver.
        conf["spark.driver.extraClassPath"] = os.pathsep.join(map(str, jars))
        conf["spark.executor.extraClassPath"] = str(Path(node_jars) / "*")
    elif jars:  # Spark ships them from the driver to each executor
        conf["spark.jars"] = ",".join(map(str, jars))
    if packages:
        conf["spark.jars.packages"] = ",".join(packages)
    return conf


def has_cloud_committer() -> bool:
    """Spark's cloud committer binding is on the class path (fetched, or resolved)."""
    fetched = fetched_jars(S3A_JAR_PREFIXES)
    return not fetched or any(j.name.startswith("spark-hadoop-cloud_") for j in fetched)

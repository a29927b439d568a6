"""The landing zone: a run's months of landed files, listed, read and de-duplicated.

``{uri}/sales/YYYY-MM/`` holds a month's files; invalid ones go to
``{uri}/invalid/sales/YYYY-MM/``. :meth:`LandingZone.land` hands the landing step everything
it needs in one call: every file, and the distinct contents to parse as a Spark frame.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sales_assets.config import Settings, normalize_uri
from sales_assets.resources.landing_snapshots import MonthSnapshot
from sales_assets.resources.landing_stores import LandedFile, LocalStore, S3Store
from sales_assets.resources.s3 import S3, bucket_and_prefix, is_s3_uri
from sales_assets.transforms.file_decisions import FileKey, first_with_same_bytes

CONTENTS_SCHEMA = "sales_month string, source_file string, content binary"


def spark_skips(name: str) -> bool:
    """Names Spark's file sources drop even when named explicitly (hidden files)."""
    return name.startswith((".", "_"))


def _hadoop_glob_escaped(path: str) -> str:
    # Spark reads a path as a Hadoop glob: a file named "sales [1].csv" must match itself.
    return re.sub(r"([\\\[\]{}*?])", r"\\\1", path)


@dataclass(frozen=True)
class LandedMonths:
    """A run's months as landed."""

    files: list[LandedFile]  # every file, by month then name
    contents: DataFrame  # (sales_month, source_file, content): one file per distinct content
    first_of: dict[FileKey, FileKey]  # each file read -> the first file with its bytes
    unparsed: dict[FileKey, str]  # files judged by name or size alone -> their sha256

    def file(self, key: FileKey) -> LandedFile:
        return next(f for f in self.files if f.key == key)


class LandingZone(dg.ConfigurableResource):
    """Root of the landing zone: a local folder or ``s3://bucket/prefix``."""

    uri: str
    s3: S3
    _backend: LocalStore | S3Store | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(cls, settings: Settings) -> LandingZone:
        return cls(
            uri=settings.landing_uri,
            s3=S3(endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region),
        )

    def _store(self) -> LocalStore | S3Store:
        if self._backend is None:
            root = normalize_uri(self.uri, "SALES_LANDING_URI")
            if is_s3_uri(root):
                self._backend = S3Store(self.s3.client(), *bucket_and_prefix(root))
            else:
                self._backend = LocalStore(Path(root))
        return self._backend

    def month_files(self, sales_month: str) -> list[LandedFile]:
        """Every regular file in the month folder, sorted by name (code-point order)."""
        return self._store().month_files(sales_month)

    def month_folders(self) -> tuple[dict[str, MonthSnapshot], list[str]]:
        """Every month folder under ``sales/`` as listed, and the names that are not months."""
        return self._store().month_folders()

    def land(self, spark: SparkSession, months: Sequence[str]) -> LandedMonths:
        """The months' files; byte copies are hashed in Spark and only the first is kept."""
        files = [landed for month in months for landed in self.month_files(month)]
        to_read = [f for f in files if f.needs_parsing]
        unparsed = {f.key: self._store().sha256(f) for f in files if not f.needs_parsing}
        if not to_read:
            return LandedMonths(files, spark.createDataFrame([], CONTENTS_SCHEMA), {}, unparsed)
        contents = self._contents(spark, to_read)
        hashes = contents.select("sales_month", "source_file", F.sha2("content", 256)).collect()
        first_of = first_with_same_bytes(tuple(r) for r in hashes)  # one small row per file
        firsts = spark.createDataFrame(
            sorted(set(first_of.values())), "sales_month string, source_file string"
        )
        distinct = contents.join(F.broadcast(firsts), ["sales_month", "source_file"], "left_semi")
        return LandedMonths(files, distinct, first_of, unparsed)

    def _contents(self, spark: SparkSession, files: list[LandedFile]) -> DataFrame:
        """``(sales_month, source_file, content)``, read by the executors; the rare names
        Spark refuses to read (leading "." or "_") come through the driver instead, so no
        landed file goes unjudged."""
        by_spark = [f for f in files if not spark_skips(f.name)]
        by_driver = [f for f in files if spark_skips(f.name)]
        frames = []
        if by_spark:
            path_parts = F.split(F.col("path"), "/")
            frames.append(
                spark.read.format("binaryFile")
                .load([_hadoop_glob_escaped(f.location) for f in by_spark])
                .select(
                    F.element_at(path_parts, -2).alias("sales_month"),
                    F.element_at(path_parts, -1).alias("source_file"),
                    "content",
                )
            )
        if by_driver:
            store = self._store()
            frames.append(
                spark.createDataFrame(
                    [(f.sales_month, f.name, store.read_bytes(f)) for f in by_driver],
                    CONTENTS_SCHEMA,
                )
            )
        return reduce(DataFrame.unionByName, frames)

    def quarantine(self, landed: LandedFile) -> str:
        """Move an invalid file to ``invalid/sales/YYYY-MM/``; returns where it went."""
        return self._store().quarantine(landed)

    def write_file(self, sales_month: str, name: str, content: bytes) -> None:
        """Land a file (used by the sample-data generator and tests)."""
        self._store().write_file(sales_month, name, content)

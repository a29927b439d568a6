"""The landing zone: a run's months of landed files, listed, read and de-duplicated.

``{uri}/sales/YYYY-MM/`` holds a month's files; invalid ones go to
``{uri}/invalid/sales/YYYY-MM/``. :meth:`LandingZone.land` hands the landing step everything
it needs in one call: every entry, judged by kind and name, and the distinct CSV contents to
parse as a Spark frame. File contents are only ever read by the executors.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr
from pyspark.sql import DataFrame, SparkSession

from sales_assets.config import Settings, normalize_uri
from sales_assets.resources.landing_reader import LandingReader
from sales_assets.resources.landing_snapshots import MonthSnapshot
from sales_assets.resources.landing_stores import LandedFile, LocalStore, S3Store
from sales_assets.resources.s3 import S3, bucket_and_prefix, is_s3_uri
from sales_assets.transforms.contract import REASON_NOT_CSV, REASON_NOT_REGULAR_FILE
from sales_assets.transforms.file_decisions import FileKey, first_with_same_bytes
from sales_assets.transforms.landing_frames import ENTRIES_SCHEMA, OpenFile, hash_landed_files


@dataclass(frozen=True)
class LandedMonths:
    """A run's months as landed."""

    files: list[LandedFile]  # every entry, by month then name
    to_parse: DataFrame  # (sales_month, source_file, location): one CSV per distinct content
    first_of: dict[FileKey, FileKey]  # each CSV file read -> the first file with its bytes
    judged_unparsed: dict[FileKey, tuple[str, str | None]]  # -> (reason, sha256 or None)
    open_file: OpenFile  # opens a location in an executor

    def file(self, key: FileKey) -> LandedFile:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[FileKey, LandedFile]:
        return {f.key: f for f in self.files}


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

    def reader(self) -> LandingReader:
        return LandingReader(self.s3.endpoint_url, self.s3.region_name)

    def land(self, spark: SparkSession, months: Sequence[str]) -> LandedMonths:
        """The months' entries. Every regular file with a readable name is hashed in the
        executors (one small row per file comes back); of the CSV files, only the first of
        each content is to be parsed. Nothing is read on the driver."""
        files = [landed for month in months for landed in self.month_files(month)]
        judged = {f.key: (f.unread_reason, None) for f in files if not f.readable}
        readable = [f for f in files if f.readable]
        open_file = self.reader().open
        hashes = {
            (r.sales_month, r.source_file): r.content_sha256
            for r in hash_landed_files(_entries_frame(spark, readable), open_file).collect()
        }
        csv_hashes = []
        for f in readable:
            sha = hashes[f.key]
            if sha is None:  # turned into a link or a FIFO since the listing
                judged[f.key] = (REASON_NOT_REGULAR_FILE, None)
            elif f.name.lower().endswith(".csv"):
                csv_hashes.append((f.sales_month, f.name, sha))
            else:
                judged[f.key] = (REASON_NOT_CSV, sha)
        first_of = first_with_same_bytes(csv_hashes)
        firsts = set(first_of.values())
        to_parse = _entries_frame(spark, [f for f in readable if f.key in firsts])
        return LandedMonths(files, to_parse, first_of, judged, open_file)

    def quarantine(self, landed: LandedFile, content_sha256: str | None) -> str:
        """Move an invalid entry to ``invalid/sales/YYYY-MM/``, never over other bytes;
        returns where it is now."""
        return self._store().quarantine(landed, content_sha256)

    def write_file(self, sales_month: str, name: str, content: bytes) -> None:
        """Land a file (used by the sample-data generator and tests)."""
        self._store().write_file(sales_month, name, content)


def spread_by_size(sizes: Sequence[int], groups: int) -> list[list[int]]:
    """Indexes of ``sizes`` in at most ``groups`` groups of about equal total size: largest
    first, each to the lightest group so far (a big file alone, small ones together)."""
    loads = [(0, g) for g in range(max(1, min(groups, len(sizes))))]
    members: list[list[int]] = [[] for _ in loads]
    heapq.heapify(loads)
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        load, group = heapq.heappop(loads)
        members[group].append(index)
        heapq.heappush(loads, (load + sizes[index], group))
    return [m for m in members if m]


TASKS_PER_CORE = 2  # a little slack, so a slow task does not hold up the others
# About what a task reads: with at least one task per 64 MiB, a bigger file has a task of its
# own. What one task parses is one block of the landing step's cache, read back whole.
TASK_BYTES = 64 << 20


def _entries_frame(spark: SparkSession, files: Sequence[LandedFile]) -> DataFrame:
    """``(sales_month, source_file, location)``, spread over tasks by size: small files
    share a task (each task pays the Python worker's start-up), big files have their own."""
    rows = [(f.sales_month, f.name, f.location) for f in files]
    sizes = [f.size for f in files]
    tasks = max(spark.sparkContext.defaultParallelism * TASKS_PER_CORE, sum(sizes) // TASK_BYTES)
    groups = [[rows[i] for i in g] for g in spread_by_size(sizes, tasks)]
    rdd = spark.sparkContext.parallelize(groups, max(1, len(groups))).flatMap(lambda g: g)
    return spark.createDataFrame(rdd, ENTRIES_SCHEMA)

"""Landed files to raw records in the executors, and the small per-file frames of the run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import partial
from typing import IO

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sales_assets.transforms import contract as c
from sales_assets.transforms.file_decisions import FileKey, FileStats
from sales_assets.transforms.landing_parser import (
    READ_BLOCK_BYTES,
    FileVerdict,
    RecordChunk,
    parse_stream,
)
from sales_assets.transforms.record_chunks import repeated
from sales_assets.transforms.schemas import PARSED_LANDING_SCHEMA
from sales_assets.transforms.value_forms import FORM_COLUMNS, in_form

RECORD_TYPE_FILE = "file"
RECORD_TYPE_ROW = "row"
# Verdict columns of the per-file rows, carried through the row rules unchanged.
VERDICT_COLUMNS = ("record_type", "content_sha256", "invalid_reason", "rows_read")
ARROW_BATCH_ROWS = 65_536

_ARROW_SCHEMA = pa.schema(
    [pa.field(f.name, pa.string()) for f in PARSED_LANDING_SCHEMA.fields[:5]]
    + [pa.field("rows_read", pa.int64()), pa.field("line_number", pa.int64())]
    + [pa.field(name, pa.string()) for name in c.MANDATORY_COLUMNS]
    + [
        pa.field("additional_columns", pa.string()),
        pa.field("raw_record", pa.string()),
        pa.field("malformed", pa.bool_()),
    ]
    + [pa.field(name, pa.bool_()) for name in FORM_COLUMNS]
)


def _row_batch(sales_month: str, source_file: str, chunk: RecordChunk) -> pa.RecordBatch:
    n = len(chunk)
    columns = {
        "record_type": repeated(RECORD_TYPE_ROW, n, pa.string()),
        "sales_month": repeated(sales_month, n, pa.string()),
        "source_file": repeated(source_file, n, pa.string()),
        "content_sha256": pa.nulls(n, pa.string()),
        "invalid_reason": pa.nulls(n, pa.string()),
        "rows_read": pa.nulls(n, pa.int64()),
        "line_number": chunk.line_numbers,
        **chunk.values,
        "additional_columns": chunk.additional_columns,
        "raw_record": chunk.raw_records,
        "malformed": chunk.malformed,
        **in_form(chunk.values),
    }
    return pa.RecordBatch.from_arrays(list(columns.values()), schema=_ARROW_SCHEMA)


def _verdict_batch(sales_month: str, verdict: FileVerdict) -> pa.RecordBatch:
    row = {name: [None] for name in _ARROW_SCHEMA.names}
    row.update(
        record_type=[RECORD_TYPE_FILE],
        sales_month=[sales_month],
        source_file=[verdict.name],
        content_sha256=[verdict.content_sha256],
        invalid_reason=[verdict.invalid_reason],
        rows_read=[verdict.rows_read],
    )
    return pa.RecordBatch.from_pydict(row, schema=_ARROW_SCHEMA)


# Opens a landed file by its location inside an executor; None for an entry that is not a
# regular file (never read). Supplied by the landing zone, which knows the storage.
OpenFile = Callable[[str], IO[bytes] | None]
ENTRIES_SCHEMA = "sales_month string, source_file string, location string"
HASHES_SCHEMA = T.StructType(
    [
        T.StructField("sales_month", T.StringType(), False),
        T.StructField("source_file", T.StringType(), False),
        T.StructField("content_sha256", T.StringType(), True),  # NULL: not a regular file
    ]
)


def _entries(batches: Iterator[pa.RecordBatch]) -> Iterator[tuple[str, str, str]]:
    for batch in batches:
        yield from zip(
            *(batch.column(n).to_pylist() for n in ("sales_month", "source_file", "location")),
            strict=True,
        )


def _hash_batches(
    open_file: OpenFile, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    for month, name, location in _entries(batches):
        stream = open_file(location)
        digest = None
        if stream is not None:
            with stream:
                hashed = hashlib.sha256()
                for block in iter(lambda s=stream: s.read(READ_BLOCK_BYTES), b""):
                    hashed.update(block)
                digest = hashed.hexdigest()
        yield pa.RecordBatch.from_pydict(
            {"sales_month": [month], "source_file": [name], "content_sha256": [digest]},
            schema=pa.schema([pa.field(f.name, pa.string()) for f in HASHES_SCHEMA.fields]),
        )


def hash_landed_files(entries: DataFrame, open_file: OpenFile) -> DataFrame:
    """``(sales_month, source_file, location)`` -> the sha256 of each file's bytes, streamed
    in the executors; NULL for an entry found not to be a regular file when opened."""
    return entries.select("sales_month", "source_file", "location").mapInArrow(
        partial(_hash_batches, open_file), HASHES_SCHEMA
    )


def _reopen(open_file: OpenFile, location: str) -> IO[bytes]:
    stream = open_file(location)
    if stream is None:
        raise OSError(f"{location} is no longer a regular file")
    return stream


def _parse_batches(
    open_file: OpenFile, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    for month, name, location in _entries(batches):
        stream = open_file(location)
        if stream is None:  # became a link or a FIFO since it was listed
            yield _verdict_batch(month, FileVerdict(name, None, c.REASON_NOT_REGULAR_FILE))
            continue
        with stream:
            reopen = partial(_reopen, open_file, location)
            for part in parse_stream(name, stream, ARROW_BATCH_ROWS, reopen):
                if isinstance(part, FileVerdict):
                    yield _verdict_batch(month, part)
                else:
                    yield _row_batch(month, name, part)


def parse_landing_files(entries: DataFrame, open_file: OpenFile) -> DataFrame:
    """``(sales_month, source_file, location)`` -> one ``file`` row per file plus its records.

    Each file is opened and parsed as a stream in the executors, a task's files one after the
    other; the driver sees only the per-file verdict rows.
    """
    return entries.select("sales_month", "source_file", "location").mapInArrow(
        partial(_parse_batches, open_file), PARSED_LANDING_SCHEMA
    )


def rows_of_files(judged: DataFrame, files: Sequence[FileKey]) -> DataFrame:
    """The record rows of the given ``(sales_month, source_file)`` files only."""
    keys = judged.sparkSession.createDataFrame(
        list(files), "sales_month string, source_file string"
    )
    return judged.filter(F.col("record_type") == RECORD_TYPE_ROW).join(
        F.broadcast(keys), ["sales_month", "source_file"], "left_semi"
    )


def file_summaries(judged: DataFrame) -> DataFrame:
    """Per parsed file, in one pass: the parser's verdict (its ``file`` row) and the records
    classified and accepted (one small row per file)."""
    is_record = F.col("record_type") == RECORD_TYPE_ROW
    return judged.groupBy("sales_month", "source_file").agg(
        *[F.max(name).alias(name) for name in ("content_sha256", "invalid_reason", "rows_read")],
        F.count_if(is_record).alias("rows"),
        F.count_if(is_record & F.col("reason").isNull()).alias("rows_accepted"),
    )


def stats_of_files(summaries: Sequence, files: Collection[FileKey]) -> dict[FileKey, FileStats]:
    """The record counts of the given files, from collected :func:`file_summaries` rows."""
    return {
        (r.sales_month, r.source_file): FileStats(r.rows, r.rows_accepted)
        for r in summaries
        if (r.sales_month, r.source_file) in files
    }

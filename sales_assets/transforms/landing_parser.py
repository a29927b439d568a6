"""Reading one landed file: file verdict (SPEC section 2 invalid reasons) and raw records.

Pure Python on bytes, so it runs inside Spark executors (see ``landing.parse_landing_files``)
and is tested without Spark. RFC 4180 parsing is the standard library's ``csv`` in strict
mode, which is C code and keeps quoted line breaks inside one record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_json_string
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from sales_assets.transforms.contract import (
    MANDATORY_COLUMNS,
    REASON_DUPLICATE_COLUMNS,
    REASON_EMPTY,
    REASON_MISSING_COLUMNS,
    REASON_NOT_CSV,
    REASON_UNREADABLE,
)

# No field limit short of what one file can hold (binaryFile reads files up to 2 GiB).
csv.field_size_limit(2**31 - 1)
READ_BLOCK_BYTES = 1 << 20


@dataclass
class RecordChunk:
    """Consecutive records of a file, by column, as Arrow arrays (executors hand them to
    Spark as Arrow): mandatory values trimmed, NULL for empty. A malformed record has NULL
    mandatory values and keeps its fields as a JSON array in ``raw_records``."""

    line_numbers: pa.Array
    values: dict[str, pa.Array]
    additional_columns: pa.Array
    raw_records: pa.Array
    malformed: pa.Array

    def __len__(self) -> int:
        return len(self.line_numbers)


@dataclass
class FileVerdict:
    """What one file is: invalid (with reason) or readable, with its record count."""

    name: str
    content_sha256: str | None  # None: never read (not a regular file, or a bad name)
    invalid_reason: str | None = None
    rows_read: int = 0


def _is_blank(fields: list[str]) -> bool:
    # A blank (or all-space) line is not a record.
    return not fields or (len(fields) == 1 and not fields[0].strip(" "))


def _records(text: IO[str]) -> Iterator[list[str]]:
    # The BOM is dropped here, not by the "utf-8-sig" codec: at the end of a file made of
    # the first byte or two of a BOM only (b"\xef"), that codec drops them silently, and
    # such a file, not UTF-8, would be judged empty instead of unreadable.
    lines = iter(text)
    first = next(lines, "").removeprefix("\ufeff")
    reader = csv.reader(itertools.chain([first], lines), strict=True)
    for fields in reader:
        if not _is_blank(fields):
            yield fields


class _HashingReader(io.RawIOBase):
    """A binary stream that hashes and counts every byte read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self.digest.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> str:
        """Read what is left (the hash covers every byte) and return the sha256."""
        while self.read(READ_BLOCK_BYTES):
            pass
        return self.digest.hexdigest()


def _trimmed(values: Sequence[str]) -> pa.Array:
    """Trim surrounding spaces (vectorised); an empty field is NULL."""
    trimmed = pc.utf8_trim(pa.array(values, pa.string()), characters=" ")
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _json_strings(values: pa.Array) -> pa.Array:
    """JSON texts of trimmed values (``null`` for NULL), vectorised; escapes in Python only
    for the rare values holding a quote, a backslash or a control character."""
    quoted = pc.binary_join_element_wise('"', values, '"', "")
    needs_escape = pc.fill_null(pc.match_substring_regex(values, r'[\\"\x00-\x1f]'), False)
    if pc.any(needs_escape).as_py():
        texts = quoted.to_pylist()
        for i in pc.indices_nonzero(needs_escape).to_pylist():
            texts[i] = _encode_json_string(values[i].as_py())
        quoted = pa.array(texts, pa.string())
    return pc.fill_null(quoted, "null")


def _chunk(rows: list[tuple[int, list[str]]], header: list[str]) -> RecordChunk:
    width = len(header)
    good = [f for _, f in rows if len(f) == width]
    bad = [(n, f) for n, f in rows if len(f) != width]
    by_column = list(zip(*good, strict=True)) if good else [()] * width
    nulls = pa.nulls(len(bad), pa.string())
    values = {
        column: pa.concat_arrays([_trimmed(by_column[header.index(column)]), nulls])
        for column in MANDATORY_COLUMNS
    }
    pieces: list[pa.Array | str] = ["{"]
    for i, name in enumerate(header):
        if name not in values:
            separator = "" if len(pieces) == 1 else ", "
            pieces += [
                f"{separator}{_encode_json_string(name)}: ",
                _json_strings(_trimmed(by_column[i])),
            ]
    pieces.append("}")
    if len(pieces) > 2 and good:
        additional = pc.binary_join_element_wise(*pieces, "")
    else:
        additional = pa.array(["{}"] * len(good), pa.string())
    return RecordChunk(
        line_numbers=pa.array(
            [n for n, f in rows if len(f) == width] + [n for n, _ in bad], pa.int64()
        ),
        values=values,
        additional_columns=pa.concat_arrays([additional, nulls]),
        raw_records=pa.array(
            [None] * len(good) + [json.dumps(f, ensure_ascii=False) for _, f in bad], pa.string()
        ),
        malformed=pa.array([False] * len(good) + [True] * len(bad), pa.bool_()),
    )


def _header_problem(header: list[str]) -> str | None:
    missing = [c for c in MANDATORY_COLUMNS if c not in header]
    if missing:
        return f"{REASON_MISSING_COLUMNS}:{','.join(missing)}"
    if len(set(header)) != len(header):
        return REASON_DUPLICATE_COLUMNS
    return None


def parse_file(
    name: str, content: bytes, chunk_rows: int = 65_536
) -> Iterator[RecordChunk | FileVerdict]:
    """:func:`parse_stream` on bytes in memory."""
    return parse_stream(name, io.BytesIO(content), chunk_rows)


def parse_stream(
    name: str, stream: IO[bytes], chunk_rows: int = 65_536
) -> Iterator[RecordChunk | FileVerdict]:
    """Read a landed file in one streaming pass: its record chunks, then its verdict,
    always last. Memory stays bounded by one chunk of records, whatever the file's size.

    A file found unreadable part-way has already yielded chunks: the verdict says so, and
    the caller keeps records of valid files only. Invalid reasons follow SPEC order, so a
    file with a bad header is still read to the end to tell ``unreadable`` first.
    """
    raw = _HashingReader(stream)
    verdict = FileVerdict(name=name, content_sha256="")
    if not name.lower().endswith(".csv"):
        verdict.invalid_reason = REASON_NOT_CSV
    else:
        text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", newline="")
        try:
            yield from _parse_records(_records(text), verdict, chunk_rows)
        except (csv.Error, UnicodeDecodeError):
            verdict.invalid_reason = REASON_UNREADABLE
        if raw.size == 0:
            verdict.invalid_reason = REASON_EMPTY
    if verdict.invalid_reason:
        verdict.rows_read = 0
    verdict.content_sha256 = raw.drain()
    yield verdict


def _parse_records(
    records: Iterator[list[str]], verdict: FileVerdict, chunk_rows: int
) -> Iterator[RecordChunk]:
    header_fields = next(records, None)
    if header_fields is None:
        verdict.invalid_reason = REASON_EMPTY
        return
    header = [h.strip(" ").lower() for h in header_fields]
    problem = _header_problem(header)
    if problem:
        verdict.rows_read = sum(1 for _ in records)  # still must be parseable CSV
        verdict.invalid_reason = problem
        return
    rows: list[tuple[int, list[str]]] = []
    for line_number, fields in enumerate(records, start=2):
        rows.append((line_number, fields))
        if len(rows) == chunk_rows:
            verdict.rows_read += len(rows)
            yield _chunk(rows, header)
            rows = []
    if rows:
        verdict.rows_read += len(rows)
        yield _chunk(rows, header)


def inspect_file(name: str, content: bytes) -> FileVerdict:
    """Only the verdict of a file (its records are read and dropped)."""
    *_, verdict = parse_file(name, content)
    return verdict

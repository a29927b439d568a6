"""Reading one landed file: file verdict (SPEC section 2 invalid reasons) and raw records.

Runs inside Spark executors (see ``landing_frames.parse_landing_files``) and is tested
without Spark. Records are read by Arrow's CSV reader for a plain header, else by the
standard library's ``csv`` in strict mode (RFC 4180, quoted line breaks kept in one record);
records become Arrow columns in ``record_chunks``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from sales_assets.transforms.arrow_csv_records import (
    ArrowCannotReadError,
    NotStrictCsvError,
    read_body,
)
from sales_assets.transforms.contract import (
    MANDATORY_COLUMNS,
    REASON_DUPLICATE_COLUMNS,
    REASON_EMPTY,
    REASON_MISSING_COLUMNS,
    REASON_NOT_CSV,
    REASON_UNREADABLE,
)
from sales_assets.transforms.record_chunks import RecordChunk, records_chunks
from sales_assets.transforms.strict_csv_scan import StrictCsvScan

# No field limit short of what one file can hold (binaryFile reads files up to 2 GiB).
csv.field_size_limit(2**31 - 1)
READ_BLOCK_BYTES = 1 << 20


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
    return parse_stream(name, io.BytesIO(content), chunk_rows, lambda: io.BytesIO(content))


def parse_stream(
    name: str,
    stream: IO[bytes],
    chunk_rows: int = 65_536,
    reopen: Callable[[], IO[bytes]] | None = None,
) -> Iterator[RecordChunk | FileVerdict]:
    """Read a landed file in one streaming pass: its record chunks, then its verdict,
    always last. Memory stays bounded by one block of records, whatever the file's size.

    A file found unreadable part-way has already yielded chunks: the verdict says so, and
    the caller keeps records of valid files only. Invalid reasons follow SPEC order, so a
    file with a bad header is still read to the end to tell ``unreadable`` first.

    A file whose first line is a plain header (no quote, not blank) is read by Arrow's
    compiled reader (:mod:`arrow_csv_records`); any other by the ``csv`` module. Both give
    the same records and verdicts (the property tests hold both to one oracle). Should
    Arrow fail on a file the ``csv`` module reads, the file is read again (``reopen``) by
    the ``csv`` module, which goes on after the records already given.
    """
    raw = _HashingReader(stream)
    verdict = FileVerdict(name=name, content_sha256="")
    stack = ExitStack()  # a stream opened again, closed once read
    if not name.lower().endswith(".csv"):
        verdict.invalid_reason = REASON_NOT_CSV
    else:
        head = _read_first_line(raw)
        plain = _plain_header(head)
        try:
            if plain is None:
                text = io.TextIOWrapper(
                    io.BufferedReader(_Prefixed(head, raw)), encoding="utf-8", newline=""
                )
                yield from _parse_records(_records(text), verdict, chunk_rows)
            else:
                header, leftover = plain
                yield from _parse_body(header, leftover, raw, verdict, chunk_rows)
        except ArrowCannotReadError as stopped:
            if reopen is None:
                raise
            again = reopen()
            stack.callback(again.close)
            raw = _HashingReader(again)
            yield from _read_again(raw, verdict, chunk_rows, stopped.records_read)
        except (csv.Error, UnicodeDecodeError, NotStrictCsvError):
            verdict.invalid_reason = REASON_UNREADABLE
        if raw.size == 0:
            verdict.invalid_reason = REASON_EMPTY
    if verdict.invalid_reason:
        verdict.rows_read = 0
    verdict.content_sha256 = raw.drain()
    stack.close()
    yield verdict


class _Prefixed(io.RawIOBase):
    """Bytes already read, then the rest of the stream."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            data, self._prefix = self._prefix[: len(buffer)], self._prefix[len(buffer) :]
        else:
            data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_first_line(raw: _HashingReader) -> bytes:
    """The first bytes of a file, up to the first line end (at most ``READ_BLOCK_BYTES``
    past it): enough to tell the header."""
    head = b""
    while len(head) < READ_BLOCK_BYTES and not any(end in head for end in (b"\n", b"\r")):
        block = raw.read(1 << 16)
        if not block:
            break
        head += block
    return head


def _plain_header(head: bytes) -> tuple[list[str], bytes] | None:
    """The header's fields and the bytes after its line end, when the first line is a
    plain header: UTF-8, no quote and not blank. None: let the ``csv`` module decide."""
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    if not ends and len(head) >= READ_BLOCK_BYTES:
        return None  # a first line this long: not a plain header
    end = min(ends, default=len(head))
    try:
        line = head[:end].decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    fields = line.split(",")
    if '"' in line or _is_blank(fields):
        return None
    return fields, head[end + 1 :]


def _parse_body(
    header_fields: list[str],
    leftover: bytes,
    raw: _HashingReader,
    verdict: FileVerdict,
    chunk_rows: int,
) -> Iterator[RecordChunk]:
    header = [h.strip(" ").lower() for h in header_fields]
    scan = StrictCsvScan()
    problem = _header_problem(header)
    if problem:  # only whether the rest is strict CSV in UTF-8 matters now
        scan.feed(leftover)
        while block := raw.read(READ_BLOCK_BYTES):
            scan.feed(block)
        if not scan.finish():
            raise NotStrictCsvError
        verdict.invalid_reason = problem
        return
    for numbers, columns, malformed in read_body(leftover, raw.read, len(header), scan):
        verdict.rows_read += len(numbers) + len(malformed)
        yield from records_chunks(header, numbers, columns, malformed, chunk_rows)


def _read_again(
    raw: _HashingReader, verdict: FileVerdict, chunk_rows: int, records_given: int
) -> Iterator[RecordChunk]:
    """The ``csv`` module's reading of the whole file, past the first ``records_given``."""
    verdict.rows_read = 0
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", newline="")
    for chunk in _parse_records(_records(text), verdict, chunk_rows):
        after = pc.greater(chunk.line_numbers, records_given + 1)  # the header is 1
        if pc.any(after).as_py():
            yield chunk.filter(after)


def _batched(items: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


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
    width = len(header)
    for start, rows in enumerate(_batched(records, chunk_rows)):
        first = 2 + start * chunk_rows
        numbered = list(enumerate(rows, start=first))
        good = [fields for _, fields in numbered if len(fields) == width]
        columns = list(zip(*good, strict=True)) if good else [()] * width
        numbers = pa.array([n for n, f in numbered if len(f) == width], pa.int64())
        malformed = [(n, f) for n, f in numbered if len(f) != width]
        verdict.rows_read += len(rows)
        yield from records_chunks(header, numbers, columns, malformed, chunk_rows)


def inspect_file(name: str, content: bytes) -> FileVerdict:
    """Only the verdict of a file (its records are read and dropped)."""
    *_, verdict = parse_file(name, content)
    return verdict

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_json_string
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
from sales_assets.transforms.strict_csv_scan import StrictCsvScan

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

    def filter(self, mask: pa.Array) -> RecordChunk:
        return RecordChunk(
            line_numbers=self.line_numbers.filter(mask),
            values={k: v.filter(mask) for k, v in self.values.items()},
            additional_columns=self.additional_columns.filter(mask),
            raw_records=self.raw_records.filter(mask),
            malformed=self.malformed.filter(mask),
        )

    def slice(self, start: int, length: int) -> RecordChunk:
        return RecordChunk(
            line_numbers=self.line_numbers.slice(start, length),
            values={k: v.slice(start, length) for k, v in self.values.items()},
            additional_columns=self.additional_columns.slice(start, length),
            raw_records=self.raw_records.slice(start, length),
            malformed=self.malformed.slice(start, length),
        )


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


def _trimmed(values: pa.Array | Sequence[str]) -> pa.Array:
    """Trim surrounding spaces (vectorised); an empty field is NULL."""
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(values, pa.string())
    trimmed = pc.utf8_trim(values, characters=" ")
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


def _columns_chunk(
    header: list[str], numbers: pa.Array, columns: Sequence[pa.Array | Sequence[str]]
) -> RecordChunk:
    """Well-formed records, by column (one per header name)."""
    trimmed = [_trimmed(column) for column in columns]
    pieces: list[pa.Array | str] = ["{"]
    for name, values in zip(header, trimmed, strict=True):
        if name not in MANDATORY_COLUMNS:
            separator = "" if len(pieces) == 1 else ", "
            pieces += [f"{separator}{_encode_json_string(name)}: ", _json_strings(values)]
    pieces.append("}")
    rows = len(numbers)
    if len(pieces) > 2 and rows:
        additional = pc.binary_join_element_wise(*pieces, "")
    else:
        additional = pa.array(["{}"] * rows, pa.string())
    return RecordChunk(
        line_numbers=numbers,
        values={c: trimmed[header.index(c)] for c in MANDATORY_COLUMNS},
        additional_columns=additional,
        raw_records=pa.nulls(rows, pa.string()),
        malformed=pa.array([False] * rows, pa.bool_()),
    )


def _malformed_chunk(records: Sequence[tuple[int, list[str]]]) -> RecordChunk:
    """Records whose field count differs from the header's: NULL values, fields as JSON."""
    nulls = pa.nulls(len(records), pa.string())
    return RecordChunk(
        line_numbers=pa.array([n for n, _ in records], pa.int64()),
        values=dict.fromkeys(MANDATORY_COLUMNS, nulls),
        additional_columns=nulls,
        raw_records=pa.array([json.dumps(f, ensure_ascii=False) for _, f in records]),
        malformed=pa.array([True] * len(records), pa.bool_()),
    )


def _concat(chunks: Sequence[RecordChunk]) -> RecordChunk:
    return RecordChunk(
        line_numbers=pa.concat_arrays([c.line_numbers for c in chunks]),
        values={
            name: pa.concat_arrays([c.values[name] for c in chunks]) for name in MANDATORY_COLUMNS
        },
        additional_columns=pa.concat_arrays([c.additional_columns for c in chunks]),
        raw_records=pa.concat_arrays([c.raw_records for c in chunks]),
        malformed=pa.concat_arrays([c.malformed for c in chunks]),
    )


def _records_chunks(
    header: list[str],
    numbers: pa.Array,
    columns: Sequence[pa.Array | Sequence[str]],
    malformed: Sequence[tuple[int, list[str]]],
    chunk_rows: int,
) -> Iterator[RecordChunk]:
    """Consecutive records as chunks of at most ``chunk_rows``, in record order."""
    whole = _columns_chunk(header, numbers, columns)
    if malformed:
        whole = _concat([whole, _malformed_chunk(malformed)])
        order = pc.sort_indices(whole.line_numbers)
        whole = RecordChunk(
            line_numbers=whole.line_numbers.take(order),
            values={k: v.take(order) for k, v in whole.values.items()},
            additional_columns=whole.additional_columns.take(order),
            raw_records=whole.raw_records.take(order),
            malformed=whole.malformed.take(order),
        )
    for start in range(0, len(whole), chunk_rows):
        yield whole.slice(start, chunk_rows)


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
        yield from _records_chunks(header, numbers, columns, malformed, chunk_rows)


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
        yield from _records_chunks(header, numbers, columns, malformed, chunk_rows)


def inspect_file(name: str, content: bytes) -> FileVerdict:
    """Only the verdict of a file (its records are read and dropped)."""
    *_, verdict = parse_file(name, content)
    return verdict

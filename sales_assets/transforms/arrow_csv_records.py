"""The records of a landed file after its header, read by Arrow's compiled CSV reader.

Arrow parses and splits the fields in C++; what Python adds is per batch, not per row. The
contract's semantics are kept exactly (the property tests compare them with the ``csv``
module): :class:`StrictCsvScan` rejects what strict ``csv`` would reject; a record whose
field count differs from the header's (malformed, or a line of spaces, which is not a
record) reaches :func:`_on_invalid_row` with its number and is re-read by the ``csv``
module; record numbers skip empty lines like the ``csv`` module's reading does.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections import deque
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from sales_assets.transforms.strict_csv_scan import StrictCsvScan

# Bytes Arrow parses at a time: one batch of records (about 100k sales rows).
ARROW_BLOCK_BYTES = 8 << 20

# (record numbers, the header's columns as strings) of one batch, plus the other records
# that end inside it: (number, fields), numbers counting from 1 for the header.
Batch = tuple[pa.Array, list[pa.Array], list[tuple[int, list[str]]]]


class NotStrictCsvError(Exception):
    """The strict ``csv`` module or the UTF-8 decoder would raise on these bytes."""


class ArrowCannotReadError(Exception):
    """Arrow failed on bytes the ``csv`` module reads (say, one record longer than a block):
    the file is to be read again by the ``csv`` module, after ``records_read`` records."""

    def __init__(self, records_read: int) -> None:
        super().__init__(f"Arrow stopped after {records_read} records")
        self.records_read = records_read


class _ScannedBody(io.RawIOBase):
    """The bytes after the header, as Arrow reads them: each block is scanned before Arrow
    sees it, and the body ends early once the scan fails (the file is unreadable)."""

    def __init__(self, leftover: bytes, read: Callable[[int], bytes], scan: StrictCsvScan):
        self._leftover = leftover
        self._read = read
        self._scan = scan
        self.only_line_ends = True  # so far: Arrow calls such a body an "Empty CSV file"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._scan.failed:
            return 0
        # Whole blocks: Arrow takes each read as one block, and a record it cannot end
        # within a block is an error.
        wanted = len(buffer)
        data, self._leftover = self._leftover[:wanted], self._leftover[wanted:]
        while len(data) < wanted and (more := self._read(wanted - len(data))):
            data += more
        self._scan.feed(data)
        if self._scan.failed:
            return 0
        if self.only_line_ends and data.strip(b"\r\n"):
            self.only_line_ends = False
        buffer[: len(data)] = data
        return len(data)


def _fields(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), strict=True), [])


def _is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip(" "))


class _Numbering:
    """Record numbers of Arrow's rows. Arrow numbers every row but empty lines (1 = the
    first after the header) and tells the numbers of the rows it hands to the invalid-row
    handler only; a line of spaces is one of those and is not a record."""

    def __init__(self) -> None:
        # Rows for the invalid-row handler, in order, not yet placed (Arrow reads ahead).
        self.pending: deque[tuple[int, str]] = deque()
        self._next = 1
        self._blanks: list[int] = []
        self.records = 0  # records placed (blank lines are not records)

    def on_invalid_row(self, row: pacsv.InvalidRow) -> str:
        self.pending.append((row.number, row.text))
        return "skip"

    def place(self, good_rows: int) -> tuple[np.ndarray, list[tuple[int, list[str]]]]:
        """Arrow numbers of the next ``good_rows`` rows, and the other records among and
        right after them."""
        numbers: list[np.ndarray] = []
        others: list[tuple[int, list[str]]] = []
        while self.pending and self.pending[0][0] - self._next <= good_rows:
            number, text = self.pending.popleft()
            numbers.append(np.arange(self._next, number))
            good_rows -= number - self._next
            self._next = number + 1
            fields = _fields(text)
            if _is_blank(fields):
                self._blanks.append(number)
            else:
                others.append((number, fields))
        numbers.append(np.arange(self._next, self._next + good_rows))
        self._next += good_rows
        self.records += sum(len(n) for n in numbers) + len(others)
        return np.concatenate(numbers), others

    def record_numbers(self, arrow_numbers: np.ndarray) -> np.ndarray:
        """Arrow numbers to the contract's record numbers (the header is 1)."""
        skipped = np.searchsorted(self._blanks, arrow_numbers) if self._blanks else 0
        return arrow_numbers + 1 - skipped

    def record_number(self, arrow_number: int) -> int:
        return arrow_number + 1 - bisect.bisect_left(self._blanks, arrow_number)


def read_body(
    leftover: bytes,
    read: Callable[[int], bytes],
    width: int,
    scan: StrictCsvScan,
    block_bytes: int | None = None,
) -> Iterator[Batch]:
    """Batches of the records after a header of ``width`` columns. Raises
    :class:`NotStrictCsvError` when the bytes are not strict CSV in UTF-8, and
    :class:`ArrowCannotReadError` when they are but Arrow cannot read them."""
    numbering = _Numbering()
    body = _ScannedBody(leftover, read, scan)
    try:
        for batch in _open(body, width, numbering, block_bytes or ARROW_BLOCK_BYTES):
            yield _batch(numbering, batch.num_rows, batch.columns)
    except pa.ArrowInvalid as error:
        body.readall()  # Arrow stops at the first error; the scan goes on to the end
        if scan.finish():
            raise ArrowCannotReadError(numbering.records) from error
        raise NotStrictCsvError from error
    if not scan.finish():
        raise NotStrictCsvError
    if numbering.pending:
        yield _batch(numbering, 0, [pa.array([], pa.string())] * width)


def _open(
    body: _ScannedBody, width: int, numbering: _Numbering, block_bytes: int
) -> Iterator[pa.RecordBatch]:
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pacsv.open_csv(
            body,
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=False, block_size=block_bytes
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True,
                ignore_empty_lines=True,
                invalid_row_handler=numbering.on_invalid_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        if not body.only_line_ends:
            raise
        body.readall()
        return iter(())  # Arrow's "Empty CSV file": no record
    return reader


def _batch(numbering: _Numbering, rows: int, columns: list[pa.Array]) -> Batch:
    arrow_numbers, others = numbering.place(rows)
    numbers = pa.array(numbering.record_numbers(arrow_numbers), pa.int64())
    return numbers, columns, [(numbering.record_number(n), f) for n, f in others]

"""Records of a landed file as Arrow columns, the shape executors hand to Spark: trimmed
mandatory values, the other columns as a JSON object, malformed records kept whole."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_json_string

import pyarrow as pa
import pyarrow.compute as pc

from sales_assets.transforms.contract import MANDATORY_COLUMNS


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

    def each(self, change: Callable[[pa.Array], pa.Array]) -> RecordChunk:
        """The same records with ``change`` applied to every array alike (filter, slice...)."""
        return RecordChunk(
            line_numbers=change(self.line_numbers),
            values={name: change(self.values[name]) for name in MANDATORY_COLUMNS},
            additional_columns=change(self.additional_columns),
            raw_records=change(self.raw_records),
            malformed=change(self.malformed),
        )

    def filter(self, mask: pa.Array) -> RecordChunk:
        return self.each(lambda column: column.filter(mask))

    def slice(self, start: int, length: int) -> RecordChunk:
        return self.each(lambda column: column.slice(start, length))


def repeated(value: object, n: int, arrow_type: pa.DataType) -> pa.Array:
    """``n`` times one value, built in Arrow (a Python list of a million costs ~0.5 s)."""
    return pa.repeat(pa.scalar(value, arrow_type), n)


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
        additional = repeated("{}", rows, pa.string())
    return RecordChunk(
        line_numbers=numbers,
        values={c: trimmed[header.index(c)] for c in MANDATORY_COLUMNS},
        additional_columns=additional,
        raw_records=pa.nulls(rows, pa.string()),
        malformed=repeated(False, rows, pa.bool_()),
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


def records_chunks(
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
        whole = whole.each(lambda column: column.take(order))
    for start in range(0, len(whole), chunk_rows):
        yield whole.slice(start, chunk_rows)

"""Property-based tests of the landing parser (SPEC section 2): reading a landed file never
crashes, and every record read is accepted or rejected.

Four sources of files: structured CSV files built from a model (random headers, rows,
quoting, line ends, blank lines, BOM, encodings, long fields, wide rows), the same files with
random byte damage, plain binary garbage (alone or behind a valid header), and valid files
written by Python's ``csv.writer`` (round trip). Each parse is checked against an oracle:
``reference()`` below reads the bytes in one go with the standard library and applies the
contract's rules, and, for structured UTF-8 files, the model itself must agree with it.

Examples are derandomised (CI must be reproducible) and bounded so that the module runs in
well under a minute.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from sales_assets.transforms.contract import MANDATORY_COLUMNS
from sales_assets.transforms.landing_parser import (
    FileVerdict,
    RecordChunk,
    parse_file,
    parse_stream,
)

MANDATORY = list(MANDATORY_COLUMNS)
FILE_REASONS = {"not_csv", "empty", "unreadable", "duplicate_columns"}
BOM = "\ufeff"
LINE_ENDS = ["\n", "\r\n", "\r"]


def bounded(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --------------------------------------------------------------------------------------------
# Running the parser


class TrickleStream(io.RawIOBase):
    """A binary stream that returns at most ``k`` bytes per read."""

    def __init__(self, data: bytes, k: int) -> None:
        self._data = data
        self._k = k
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self._k, len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


@dataclass(frozen=True)
class Record:
    line_number: int
    values: tuple[str | None, ...]  # mandatory columns, in contract order
    additional_columns: str | None
    raw_record: str | None
    malformed: bool


def collect(
    parts: Iterable[RecordChunk | FileVerdict], chunk_rows: int
) -> tuple[FileVerdict, list[list[Record]]]:
    """Property 1 and the shape of every chunk: chunks, then exactly one verdict, last."""
    parts = list(parts)
    assert parts, "the parser yielded nothing"
    *chunks, verdict = parts
    assert isinstance(verdict, FileVerdict)
    chunk_records = []
    for chunk in chunks:
        assert isinstance(chunk, RecordChunk), f"a {type(chunk).__name__} before the verdict"
        n = len(chunk)
        assert 0 < n <= chunk_rows
        assert set(chunk.values) == set(MANDATORY)
        arrays = [
            chunk.line_numbers,
            *chunk.values.values(),
            chunk.additional_columns,
            chunk.raw_records,
            chunk.malformed,
        ]
        assert [len(a) for a in arrays] == [n] * len(arrays)
        columns = [chunk.values[c].to_pylist() for c in MANDATORY]
        chunk_records.append(
            [
                Record(line, tuple(values), extra, raw, bad)
                for line, extra, raw, bad, *values in zip(
                    chunk.line_numbers.to_pylist(),
                    chunk.additional_columns.to_pylist(),
                    chunk.raw_records.to_pylist(),
                    chunk.malformed.to_pylist(),
                    *columns,
                    strict=True,
                )
            ]
        )
    return verdict, chunk_records


def parse(
    name: str, content: bytes, chunk_rows: int = 65_536, k: int | None = None
) -> tuple[FileVerdict, list[list[Record]]]:
    """Parse bytes in one go, or through a stream of at most ``k`` bytes per read."""
    if k is None:
        parts = parse_file(name, content, chunk_rows)
    else:
        parts = parse_stream(name, TrickleStream(content, k), chunk_rows)
    return collect(parts, chunk_rows)


# --------------------------------------------------------------------------------------------
# The oracle


def trim(value: str) -> str | None:
    """Contract: only the space character is trimmed; then empty is NULL."""
    value = value.strip(" ")
    return value or None


def is_blank(fields: list[str]) -> bool:
    """An empty line, or a line of spaces only, is not a record.

    NB: the csv module cannot tell ``"  "`` (a quoted field) from ``  ``, so the parser also
    drops a record made of one quoted empty/all-space field; the structured strategies below
    never generate such a record, so these tests do not take sides on it.
    """
    return not fields or (len(fields) == 1 and not fields[0].strip(" "))


def is_csv_name(name: str) -> bool:
    return re.search(r"\.[cC][sS][vV]\Z", name) is not None


def header_problem(header: list[str]) -> str | None:
    names = [h.strip(" ").lower() for h in header]
    missing = [c for c in MANDATORY if c not in names]
    if missing:
        return "missing_columns:" + ",".join(missing)
    if len(set(names)) != len(names):
        return "duplicate_columns"
    return None


@dataclass
class Expected:
    reason: str | None
    header: list[str] | None = None
    records: list[list[str]] | None = None  # fields of each record, header excluded


def reference(name: str, content: bytes) -> Expected:
    """What the contract says about a file, reading its bytes in one go."""
    if not is_csv_name(name):
        return Expected("not_csv")
    if not content:
        return Expected("empty")
    try:
        text = content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error):
        return Expected("unreadable")
    records = [fields for fields in rows if not is_blank(fields)]
    if not records:
        return Expected("empty")
    header, *body = records
    return Expected(header_problem(header), header, body)


def expected_record(line: int, header: list[str], fields: list[str]) -> Record:
    names = [h.strip(" ").lower() for h in header]
    if len(fields) != len(names):
        return Record(line, (None,) * len(MANDATORY), None, json.dumps(fields), True)
    by_name = dict(zip(names, fields, strict=True))
    extra = {n: trim(f) for n, f in by_name.items() if n not in MANDATORY}
    return Record(line, tuple(trim(by_name[c]) for c in MANDATORY), json.dumps(extra), None, False)


def comparable(record: Record) -> Record:
    """JSON texts compared as values (their spelling is free)."""
    extra = record.additional_columns
    raw = record.raw_record
    return Record(
        record.line_number,
        record.values,
        None if extra is None else json.dumps(json.loads(extra), sort_keys=True),
        None if raw is None else json.dumps(json.loads(raw)),
        record.malformed,
    )


def check_file(
    name: str, content: bytes, chunk_rows: int = 65_536, k: int | None = None
) -> tuple[FileVerdict, list[Record], Expected]:
    """Parse one file and check properties 1 to 4 against :func:`reference`."""
    verdict, chunks = parse(name, content, chunk_rows, k)
    expected = reference(name, content)

    # (4) the hash covers every byte, whatever the verdict.
    assert verdict.name == name
    assert verdict.content_sha256 == hashlib.sha256(content).hexdigest()

    # (2) an invalid file has a contract reason and no rows read.
    reason = verdict.invalid_reason
    if reason is not None:
        assert verdict.rows_read == 0
        if reason.startswith("missing_columns:"):
            missing = reason.removeprefix("missing_columns:").split(",")
            assert missing == [c for c in MANDATORY if c in missing]  # known, contract order
        else:
            assert reason in FILE_REASONS
    assert reason == expected.reason, (reason, expected.reason)
    event("verdict", reason.partition(":")[0] if reason else f"valid, {verdict.rows_read} rows")
    if reason is not None:
        return verdict, [], expected

    # (3) every record read is in exactly one chunk, numbered 2, 3, ... with no gap;
    # chunks hold consecutive records. Within a chunk the parser puts the records of the
    # header's width first and the malformed ones after them (the contract leaves record
    # order free: (source_file, line_number) identifies a record), so line numbers are
    # compared sorted within each chunk and strictly increasing from one chunk to the next.
    assert expected.header is not None and expected.records is not None
    records = [r for chunk in chunks for r in chunk]
    assert len(records) == verdict.rows_read == len(expected.records)
    start = 2
    for chunk in chunks:
        lines = sorted(r.line_number for r in chunk)
        assert lines == list(range(start, start + len(chunk)))
        start += len(chunk)
    records.sort(key=lambda r: r.line_number)
    for record in records:
        assert record.malformed == (record.raw_record is not None)
        if record.malformed:
            assert record.values == (None,) * len(MANDATORY)
            assert record.additional_columns is None
    # ... malformed exactly when the field count differs from the header's, and the values
    # are the trimmed fields.
    want = [
        comparable(expected_record(line, expected.header, fields))
        for line, fields in enumerate(expected.records, start=2)
    ]
    assert [comparable(r) for r in records] == want
    return verdict, records, expected


# --------------------------------------------------------------------------------------------
# Strategies

ODD_CHARS = list(" ,\"'\r\n\t\x00;:%[]{}\\-._éß€ÿ\u2028😀")
chars = st.one_of(
    st.sampled_from(ODD_CHARS),
    st.characters(codec="utf-8", exclude_characters=BOM),
    st.sampled_from(list("abcxyz0123456789")),
)
field_text = st.text(chars, max_size=12)
LONG_PATTERNS = ["x", " ", 'a"b', "l\r\n", ",", "é"]


def sometimes(draw, one_in: int) -> bool:
    """True about once in ``one_in`` draws (the common case first: it is what shrinks)."""
    return draw(st.sampled_from([False] * (one_in - 1) + [True]))


@st.composite
def file_names(draw) -> str:
    stem = draw(
        st.text(
            st.one_of(
                st.sampled_from(list(" :%'\"[]()-._\\\n\x00éü日\udcff")),
                st.characters(),  # surrogates too: names decoded with surrogateescape
            ),
            max_size=12,
        )
    )
    kind = draw(st.sampled_from(["csv"] * 8 + ["none", "other"]))
    if kind == "none":
        return stem  # no extension (or one from the stem)
    if kind == "other":
        return stem + draw(st.sampled_from([".txt", ".csv ", ".csv.bak", ".cs", "csv", ".tsv"]))
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in "csv")
    return f"{stem}.{cased}"


@st.composite
def decorated(draw, name: str) -> str:
    """A header name in any case, with spaces around it."""
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    return " " * draw(st.integers(0, 2)) + cased + " " * draw(st.integers(0, 2))


@st.composite
def header_names(draw) -> list[str]:
    some_missing = sometimes(draw, 4)
    names = [draw(decorated(c)) for c in MANDATORY if not (some_missing and sometimes(draw, 3))]
    if sometimes(draw, 6):
        event("wide header")
        names += [f"Extra {i}" for i in range(draw(st.integers(100, 300)))]
    names += draw(st.lists(st.text(chars, max_size=8).filter(lambda s: BOM not in s), max_size=3))
    if names and sometimes(draw, 10):
        names.append(draw(decorated(draw(st.sampled_from(names)).strip(" ").lower())))
    names = draw(st.permutations(names))
    if is_blank(names):
        names.append("customer_id")  # a header is a record: never blank
    return names


@dataclass
class Model:
    header: list[str]
    records: list[list[str]]
    text: str


def quoted(draw, field: str) -> str:
    if any(c in field for c in ',"\r\n') or sometimes(draw, 5):
        return '"' + field.replace('"', '""') + '"'
    return field


@st.composite
def record_fields(draw, n: int) -> list[str]:
    if n <= 24:
        return draw(st.lists(field_text, min_size=n, max_size=n))
    # A wide row: its fields cycle through a few drawn ones (drawing hundreds is too costly).
    pool = draw(st.lists(field_text, min_size=1, max_size=5))
    step = draw(st.integers(1, 7))
    return [pool[(i * step) % len(pool)] for i in range(n)]


@st.composite
def csv_models(draw) -> Model:
    header = draw(header_names())
    width = len(header)
    records = []
    for _ in range(draw(st.integers(0, 10))):
        n = draw(st.integers(1, width + 3)) if sometimes(draw, 5) else width
        fields = draw(record_fields(n))
        if is_blank(fields):
            fields[0] += "z"  # a record is never blank (see is_blank)
        records.append(fields)
    if records and sometimes(draw, 6):
        event("long field")
        row = draw(st.sampled_from(records))
        pattern = draw(st.sampled_from(LONG_PATTERNS))
        row[draw(st.integers(0, len(row) - 1))] = pattern * (
            draw(st.integers(1_000, 100_000)) // len(pattern)
        )

    def blank_lines() -> str:
        if not sometimes(draw, 3):
            return ""
        lines = draw(st.lists(st.sampled_from(["", " ", "   "]), min_size=1, max_size=2))
        return "".join(line + draw(st.sampled_from(LINE_ENDS)) for line in lines)

    text = draw(st.sampled_from(["", BOM])) + blank_lines()
    all_records = [header, *records]
    for i, fields in enumerate(all_records):
        text += ",".join(quoted(draw, f) for f in fields)
        last = i == len(all_records) - 1
        if not last or draw(st.booleans()):
            text += draw(st.sampled_from(LINE_ENDS))
            text += blank_lines()
    return Model(header, records, text)


ENCODINGS = ["utf-8"] * 12 + ["latin-1", "cp1252", "utf-16", "utf-16-le"]


@st.composite
def encoded_models(draw) -> tuple[Model, bytes]:
    model = draw(csv_models())
    encoding = draw(st.sampled_from(ENCODINGS))
    return model, model.text.encode(encoding, errors="replace")


@st.composite
def damaged(draw, content: bytes) -> bytes:
    """Random byte damage: stray quotes, NULs, line ends, bad UTF-8, cuts, deletions."""
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "truncate"]))
        if op == "insert":
            data[at:at] = draw(
                st.sampled_from([b'"', b'""', b"\x00", b"\r", b"\n", b"\xff", b"\xc3", b","])
            )
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 3))]
        else:
            del data[at:]
    return bytes(data)


VALID_HEADER = ",".join(MANDATORY).encode()


@st.composite
def any_files(draw) -> bytes:
    kind = draw(st.sampled_from(["model", "model", "damaged", "binary", "header+binary"]))
    if kind == "binary":
        return draw(st.binary(max_size=2_000))
    if kind == "header+binary":
        return VALID_HEADER + draw(st.sampled_from([b"\n", b"\r\n", b"\r"])) + draw(st.binary())
    _, content = draw(encoded_models())
    return content if kind == "model" else draw(damaged(content))


# --------------------------------------------------------------------------------------------
# Properties


@bounded(300)
@given(
    name=file_names(),
    start=st.sampled_from([b"", b"\xef", b"\xef\xbb", b"\xef\xbb\xbf", b"\xff\xfe", b'"']),
    content=st.binary(max_size=3_000),
)
@example(name="a.csv", start=b"\xef", content=b"")  # a BOM's first byte only: not UTF-8
@example(name="a.csv", start=b"\xef\xbb", content=b"")
def test_any_bytes_under_any_name_give_one_verdict_last_and_never_crash(name, start, content):
    """(1), (2), (4) on plain binary garbage, and (3) when it happens to be a valid file."""
    check_file(name, start + content)


@bounded(150)
@given(
    garbage=st.binary(max_size=2_000),
    end=st.sampled_from([b"\n", b"\r\n", b"\r"]),
    bom=st.booleans(),
)
def test_garbage_behind_a_valid_header_is_judged_like_the_reference(garbage, end, bom):
    content = (b"\xef\xbb\xbf" if bom else b"") + VALID_HEADER + end + garbage
    check_file("a.csv", content, chunk_rows=3)


@bounded(200)
@given(file=encoded_models(), name=file_names(), chunk_rows=st.integers(1, 6))
def test_structured_files_every_record_is_accepted_or_rejected(file, name, chunk_rows):
    """(1)-(4) on modelled files; for UTF-8 ones the model must agree with the reference."""
    model, content = file
    _, _, expected = check_file(name, content, chunk_rows)
    if is_csv_name(name) and content == model.text.encode("utf-8"):
        assert expected.header == model.header
        assert expected.records == model.records
        assert expected.reason == header_problem(model.header)


@bounded(200)
@given(file=encoded_models(), data=st.data())
def test_damaged_files_never_crash_and_are_judged_like_the_reference(file, data):
    _, content = file
    check_file("a.csv", data.draw(damaged(content)), chunk_rows=4)


@bounded(150)
@given(
    name=file_names(),
    content=any_files(),
    k=st.integers(1, 64),
    chunk_rows=st.integers(1, 8),
)
def test_reading_a_trickling_stream_gives_the_same_verdict_and_records(
    name, content, k, chunk_rows
):
    """(5) at most k bytes per read, any chunk size: same verdict, same records."""
    whole, whole_records, _ = check_file(name, content)
    trickled, trickled_records, _ = check_file(name, content, chunk_rows, k)
    assert trickled == whole
    assert trickled_records == whole_records


# Valid rows written by csv.writer. Names are unique once trimmed and lower-cased.
extra_names = st.lists(
    st.text(chars, max_size=8).filter(lambda s: BOM not in s),
    max_size=6,
    unique_by=lambda s: s.strip(" ").lower(),
).map(lambda names: [n for n in names if n.strip(" ").lower() not in MANDATORY])


@bounded(150)
@given(
    mandatory=st.permutations(MANDATORY),
    extras=extra_names,
    data=st.data(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    bom=st.booleans(),
    chunk_rows=st.integers(1, 5),
)
def test_csv_writer_round_trip(mandatory, extras, data, quoting, bom, chunk_rows):
    """(6) values come back trimmed (empty is NULL); additional_columns maps the lower-cased
    extra names to their trimmed values."""
    header = [data.draw(decorated(c)) for c in mandatory] + extras
    header = data.draw(st.permutations(header))
    width = len(header)
    rows = data.draw(st.lists(st.lists(field_text, min_size=width, max_size=width), max_size=8))
    out = io.StringIO(newline="")
    for fields in [header, *rows]:
        # csv.writer quotes a field with CR or LF only if the line terminator holds them:
        # write with CRLF, then end the record with any line end.
        line = io.StringIO(newline="")
        csv.writer(line, lineterminator="\r\n", quoting=quoting).writerow(fields)
        out.write(line.getvalue().removesuffix("\r\n"))
        out.write(data.draw(st.sampled_from(LINE_ENDS)))
    content = ((BOM if bom else "") + out.getvalue()).encode()

    verdict, chunks = parse("round_trip.csv", content, chunk_rows)
    assert verdict.invalid_reason is None and verdict.rows_read == len(rows)
    records = sorted((r for c in chunks for r in c), key=lambda r: r.line_number)
    names = [h.strip(" ").lower() for h in header]
    for line, (record, fields) in enumerate(zip(records, rows, strict=True), start=2):
        by_name = dict(zip(names, fields, strict=True))
        assert record.line_number == line and not record.malformed
        assert record.values == tuple(trim(by_name[c]) for c in MANDATORY)
        extra = json.loads(record.additional_columns)
        assert extra == {n.strip(" ").lower(): trim(by_name[n.strip(" ").lower()]) for n in extras}


# Arrow hands a row with the wrong number of fields to the parser's invalid-row handler as
# text; when that row holds a UTF-8 sequence cut short, decoding it raises inside pyarrow,
# which reports the error as "unraisable" and stops reading. The file is then judged by the
# strict scan of its bytes, so the verdict is the reference's all the same.
CUT_SEQUENCE_FILES = {
    "cut across a line end": b"\n".join(
        [",".join(MANDATORY).encode(), b"1,2,tea,2024-01-05,3,1.00,1,1.00", b"1,caf\xc3", b"\xa9"]
    ),
    "cut at the end of the file": ",".join(MANDATORY).encode() + b"\n1,2,caf\xc3",
    "whole in a short row": ",".join(MANDATORY).encode() + "\n1,2,café\n".encode(),
    "cut in a quoted field": ",".join(MANDATORY).encode() + b'\n1,"caf\xc3\n",x\n',
}


@pytest.mark.parametrize("case", sorted(CUT_SEQUENCE_FILES))
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_bad_row_holding_a_cut_utf8_sequence_is_judged_like_the_reference(case, monkeypatch):
    swallowed: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda raised: swallowed.append(raised.exc_value))
    content = CUT_SEQUENCE_FILES[case]
    for k in (None, 3):  # in one go, and trickling three bytes a read
        verdict, _ = parse("cut.csv", content, k=k)
        assert verdict.invalid_reason == reference("cut.csv", content).reason, (case, k)
    if case == "cut at the end of the file":  # the path pyarrow swallows is the one taken
        assert any(isinstance(error, UnicodeDecodeError) for error in swallowed)

"""Reading one landed file: file verdict (SPEC section 2 invalid reasons) and raw records.

Pure Python on bytes, so it runs inside Spark executors (see ``landing.parse_landing_files``)
and is tested without Spark. RFC 4180 parsing is the standard library's ``csv`` in strict
mode, which is C code and keeps quoted line breaks inside one record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sales_assets.transforms.contract import (
    MANDATORY_COLUMNS,
    REASON_DUPLICATE_COLUMNS,
    REASON_EMPTY,
    REASON_MISSING_COLUMNS,
    REASON_NOT_CSV,
    REASON_UNREADABLE,
    STATUS_DUPLICATE,
    STATUS_INVALID,
    STATUS_PROCESSED,
)

# Big enough for any honest field, small enough that an unterminated quote fails fast.
MAX_FIELD_BYTES = 1 << 20
csv.field_size_limit(MAX_FIELD_BYTES)


@dataclass(frozen=True)
class RawRecord:
    """One record of a valid file, before typing: trimmed strings, ``None`` for empty."""

    line_number: int
    values: dict[str, str | None]  # mandatory column -> value (empty when malformed)
    additional_columns: str | None  # JSON object of extra columns
    raw_record: str | None  # JSON array of the fields, kept for malformed rows only
    malformed: bool


@dataclass
class FileVerdict:
    """What one file is: invalid (with reason) or readable, with its record count."""

    name: str
    content_sha256: str
    invalid_reason: str | None = None
    rows_read: int = 0
    header: list[str] = field(default_factory=list)


def _clean(value: str) -> str | None:
    value = value.strip()
    return value or None


def _is_blank(fields: list[str]) -> bool:
    # A blank (or all-space) line is not a record.
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    for fields in reader:
        if not _is_blank(fields):
            yield fields


def _decode(content: bytes) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def inspect_file(name: str, content: bytes) -> tuple[FileVerdict, str | None]:
    """Judge a file (first pass); returns the verdict and the decoded text if it is valid."""
    verdict = FileVerdict(name=name, content_sha256=hashlib.sha256(content).hexdigest())
    if not name.lower().endswith(".csv"):
        verdict.invalid_reason = REASON_NOT_CSV
        return verdict, None
    if not content:
        verdict.invalid_reason = REASON_EMPTY
        return verdict, None
    text = _decode(content)
    if text is None:
        verdict.invalid_reason = REASON_UNREADABLE
        return verdict, None
    try:
        records = _records(text)
        header_fields = next(records, None)
        if header_fields is None:
            verdict.invalid_reason = REASON_EMPTY
            return verdict, None
        verdict.rows_read = sum(1 for _ in records)
    except csv.Error:
        verdict.invalid_reason = REASON_UNREADABLE
        return verdict, None
    header = [h.strip().lower() for h in header_fields]
    verdict.header = header
    missing = [c for c in MANDATORY_COLUMNS if c not in header]
    if missing:
        verdict.invalid_reason = f"{REASON_MISSING_COLUMNS}:{','.join(missing)}"
    elif len(set(header)) != len(header):
        verdict.invalid_reason = REASON_DUPLICATE_COLUMNS
    return verdict, (None if verdict.invalid_reason else text)


def iter_records(text: str, header: list[str]) -> Iterator[RawRecord]:
    """Records of a file that ``inspect_file`` found valid (second pass)."""
    mandatory_index = {c: header.index(c) for c in MANDATORY_COLUMNS}
    extra_index = [(i, h) for i, h in enumerate(header) if h not in mandatory_index]
    width = len(header)
    records = _records(text)
    next(records)  # the header
    for line_number, fields in enumerate(records, start=2):
        if len(fields) != width:
            yield RawRecord(
                line_number=line_number,
                values={},
                additional_columns=None,
                raw_record=json.dumps(fields, ensure_ascii=False),
                malformed=True,
            )
            continue
        yield RawRecord(
            line_number=line_number,
            values={c: _clean(fields[i]) for c, i in mandatory_index.items()},
            additional_columns=json.dumps(
                {h: _clean(fields[i]) for i, h in extra_index}, ensure_ascii=False
            ),
            raw_record=None,
            malformed=False,
        )


@dataclass(frozen=True)
class FileDecision:
    """The run's decision on one landed file: processed, invalid or duplicate."""

    sales_month: str
    name: str
    status: str
    reason: str | None
    content_sha256: str
    rows_read: int


def decide_files(sales_month: str, verdicts: list[FileVerdict]) -> list[FileDecision]:
    """Apply the invalid and duplicate-file rules to one month folder's verdicts.

    Identical bytes are processed once: the first valid file by name (code-point order);
    a byte copy of an invalid file is itself invalid, never a duplicate.
    """
    first_by_hash: dict[str, str] = {}
    decisions = []
    for verdict in sorted(verdicts, key=lambda v: v.name):
        if verdict.invalid_reason is not None:
            status, reason, rows = STATUS_INVALID, verdict.invalid_reason, 0
        elif verdict.content_sha256 in first_by_hash:
            status, reason, rows = STATUS_DUPLICATE, first_by_hash[verdict.content_sha256], 0
        else:
            first_by_hash[verdict.content_sha256] = verdict.name
            status, reason, rows = STATUS_PROCESSED, None, verdict.rows_read
        decisions.append(
            FileDecision(sales_month, verdict.name, status, reason, verdict.content_sha256, rows)
        )
    return decisions

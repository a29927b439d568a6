"""Per-file decisions, byte copies and audit rows (SPEC section 2), without Spark."""

from __future__ import annotations

import datetime as dt

from sales_assets.transforms.file_decisions import (
    FileStats,
    audit_rows,
    decide_files,
    decide_months,
    first_with_same_bytes,
    verdicts_by_month,
)
from sales_assets.transforms.landing_parser import FileVerdict


def test_duplicates_first_by_name_processed_and_invalid_copies_stay_invalid():
    verdicts = [
        FileVerdict("b.csv", "h1", rows_read=3),
        FileVerdict("a.csv", "h1", rows_read=3),
        FileVerdict("c.csv", "h2", "empty"),
        FileVerdict("d.csv", "h2", "empty"),
        FileVerdict("B.csv", "h1", rows_read=3),  # 'B' < 'a' in code-point order
    ]
    decided = {d.name: (d.status, d.reason) for d in decide_files("2024-01", verdicts)}
    assert decided == {
        "B.csv": ("processed", None),
        "a.csv": ("duplicate", "B.csv"),
        "b.csv": ("duplicate", "B.csv"),
        "c.csv": ("invalid", "empty"),
        "d.csv": ("invalid", "empty"),
    }


def test_only_the_first_of_identical_files_in_a_month_is_parsed():
    files = [
        ("2024-01", "b.csv", "h1"),
        ("2024-01", "a.csv", "h1"),
        ("2024-01", "c.csv", "h2"),
        ("2024-02", "z.csv", "h1"),  # same bytes, other month: judged in its own month
    ]
    assert first_with_same_bytes(files) == {
        ("2024-01", "a.csv"): ("2024-01", "a.csv"),
        ("2024-01", "b.csv"): ("2024-01", "a.csv"),
        ("2024-01", "c.csv"): ("2024-01", "c.csv"),
        ("2024-02", "z.csv"): ("2024-02", "z.csv"),
    }


A_CSV, B_CSV = ("2024-01", "a.csv"), ("2024-01", "b.csv")


class _VerdictRow:
    def __init__(self, month: str, name: str, sha: str, reason: str | None, rows: int) -> None:
        self.sales_month, self.source_file = month, name
        self.content_sha256, self.invalid_reason, self.rows_read = sha, reason, rows


def test_a_byte_copy_shares_its_firsts_verdict_and_unparsed_files_keep_their_reason():
    parsed = [_VerdictRow("2024-01", "a.csv", "h1", None, 4)]
    first_of = {A_CSV: A_CSV, B_CSV: A_CSV}
    unparsed = {
        ("2024-01", "notes.txt"): ("not_csv", "h1"),  # a CSV's bytes under another name
        ("2024-01", "link.csv"): ("not_regular_file", None),
    }
    decisions = decide_months(["2024-01", "2024-02"], verdicts_by_month(parsed, first_of, unparsed))
    assert [(d.name, d.status, d.reason, d.rows_read, d.content_sha256) for d in decisions] == [
        ("a.csv", "processed", None, 4, "h1"),
        ("b.csv", "duplicate", "a.csv", 0, "h1"),
        ("link.csv", "invalid", "not_regular_file", 0, None),
        ("notes.txt", "invalid", "not_csv", 0, "h1"),
    ]


def test_audit_rows_count_rows_of_processed_files_only():
    parsed = [_VerdictRow("2024-01", "a.csv", "h1", None, 4)]
    first_of = {A_CSV: A_CSV, B_CSV: A_CSV}
    decisions = decide_months(["2024-01"], verdicts_by_month(parsed, first_of, {}))
    at = dt.datetime(2024, 2, 1, 6, 0)
    rows = audit_rows(decisions, {("2024-01", "a.csv"): FileStats(4, 3)}, at)
    assert [(r["file"], r["rows_read"], r["rows_accepted"], r["rows_rejected"]) for r in rows] == [
        ("a.csv", 4, 3, 1),
        ("b.csv", None, None, None),
    ]
    assert {r["content_sha256"] for r in rows} == {"h1"} and rows[0]["processed_at"] == at

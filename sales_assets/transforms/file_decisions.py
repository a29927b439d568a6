"""What the run makes of each landed file (SPEC section 2): pure Python on small per-file rows.

A file is judged once by the parser (its :class:`FileVerdict`); this module adds the files
judged without parsing, shares a verdict between byte copies, applies the invalid and
duplicate-file rules per month, and writes the audit rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sales_assets.transforms import contract as c
from sales_assets.transforms.landing_parser import FileVerdict

FileKey = tuple[str, str]  # (sales_month, name)


@dataclass(frozen=True)
class FileDecision:
    """The run's decision on one landed file: processed, invalid or duplicate."""

    sales_month: str
    name: str
    status: str
    reason: str | None
    content_sha256: str
    rows_read: int

    @property
    def key(self) -> FileKey:
        return self.sales_month, self.name


@dataclass(frozen=True)
class FileStats:
    """Rows of one processed file after the row rules."""

    rows: int = 0
    rows_accepted: int = 0

    @property
    def rows_rejected(self) -> int:
        return self.rows - self.rows_accepted


def first_with_same_bytes(files: Iterable[tuple[str, str, str]]) -> dict[FileKey, FileKey]:
    """``(sales_month, name, sha256)`` of each file -> the first file by name (code-point
    order) in its month with the same bytes: itself when it has no earlier copy. Only those
    firsts need parsing; a copy shares its first's verdict."""
    first: dict[tuple[str, str], FileKey] = {}
    result = {}
    for month, name, sha in sorted(files):
        result[(month, name)] = first.setdefault((month, sha), (month, name))
    return result


def verdicts_by_month(
    parsed: Iterable[Any],
    first_of: Mapping[FileKey, FileKey],
    judged_unparsed: Mapping[FileKey, tuple[str, str | None]],
) -> dict[str, list[FileVerdict]]:
    """Every landed file's verdict, by month.

    ``parsed`` holds one row per parsed file (``sales_month``, ``source_file``,
    ``content_sha256``, ``invalid_reason``, ``rows_read``); a byte copy shares its first's
    verdict under its own name (``first_of``); ``judged_unparsed`` gives the files judged
    without parsing their reason and sha256 (None when never read).
    """
    by_file = {(r.sales_month, r.source_file): r for r in parsed}
    by_month: dict[str, list[FileVerdict]] = defaultdict(list)
    for (month, name), first in first_of.items():
        r = by_file[first]
        by_month[month].append(FileVerdict(name, r.content_sha256, r.invalid_reason, r.rows_read))
    for (month, name), (reason, sha) in judged_unparsed.items():
        by_month[month].append(FileVerdict(name, sha, reason))
    return by_month


def decide_files(sales_month: str, verdicts: Iterable[FileVerdict]) -> list[FileDecision]:
    """Apply the invalid and duplicate-file rules to one month folder's verdicts.

    Identical bytes are processed once: the first valid file by name (code-point order);
    a byte copy of an invalid file is itself invalid, never a duplicate.
    """
    first_by_hash: dict[str, str] = {}
    decisions = []
    for verdict in sorted(verdicts, key=lambda v: v.name):
        if verdict.invalid_reason is not None:
            status, reason, rows = c.STATUS_INVALID, verdict.invalid_reason, 0
        elif verdict.content_sha256 in first_by_hash:
            status, reason, rows = c.STATUS_DUPLICATE, first_by_hash[verdict.content_sha256], 0
        else:
            first_by_hash[verdict.content_sha256] = verdict.name
            status, reason, rows = c.STATUS_PROCESSED, None, verdict.rows_read
        decisions.append(
            FileDecision(sales_month, verdict.name, status, reason, verdict.content_sha256, rows)
        )
    return decisions


def decide_months(
    months: Sequence[str], verdicts: Mapping[str, list[FileVerdict]]
) -> list[FileDecision]:
    return [d for month in months for d in decide_files(month, verdicts.get(month, []))]


def processed_keys(decisions: Iterable[FileDecision]) -> list[FileKey]:
    return [d.key for d in decisions if d.status == c.STATUS_PROCESSED]


def audit_rows(
    decisions: Iterable[FileDecision],
    stats: Mapping[FileKey, FileStats],
    processed_at: dt.datetime,
    run_id: str | None = None,
) -> list[dict[str, Any]]:
    """One ``sales_file_audit`` row per landed file; row counts for processed files only."""
    rows = []
    for d in decisions:
        s = stats.get(d.key, FileStats())
        processed = d.status == c.STATUS_PROCESSED
        rows.append(
            {
                "file": d.name,
                "sales_month": d.sales_month,
                "status": d.status,
                "reason": d.reason,
                "rows_read": d.rows_read if processed else None,
                "rows_accepted": s.rows_accepted if processed else None,
                "rows_rejected": s.rows_rejected if processed else None,
                "content_sha256": d.content_sha256,
                "processed_at": processed_at,
                "run_id": run_id,
            }
        )
    return rows

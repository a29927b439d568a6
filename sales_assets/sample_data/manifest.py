"""What the pipeline must make of a generated month: the expected outcome of every landed
file and of every rejected row (SPEC section 2), for tests to compare the pipeline with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line_number: int  # header is line 1, first record line 2 (records, not physical lines)
    reason: str


@dataclass
class MonthManifest:
    """What the pipeline must make of a month's landed files (SPEC section 2)."""

    sales_month: str
    processed_files: dict[str, int] = field(default_factory=dict)  # name -> rows read
    invalid_files: dict[str, str] = field(default_factory=dict)  # name -> reason
    duplicate_files: dict[str, str] = field(default_factory=dict)  # name -> original's name
    accepted_rows: int = 0
    accepted_total_cost: Decimal = Decimal("0.00")  # sum of accepted rows' own total_cost
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    # Accepted rows whose total_cost is off by 0.01 (within tolerance): (file, line_number).
    tolerance_rows: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.rejected_rows))

    @property
    def rejected_count(self) -> int:
        return len(self.rejected_rows)

    @property
    def rows_read(self) -> int:
        return sum(self.processed_files.values())

    @property
    def files(self) -> list[str]:
        """Every landed file name, in code-point order."""
        return sorted({**self.processed_files, **self.invalid_files, **self.duplicate_files})

"""A month folder of the landing zone: its files' bytes and the manifest of what the
pipeline must make of them.

With ``faults`` a month gets every kind of bad input the data contract (SPEC section 2)
names, scattered among valid rows at random positions; every outcome is booked in the
:class:`MonthManifest` as the file is built, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sales_assets.partitions import month_bounds
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.sample_data.dimensions import DimensionsLike
from sales_assets.sample_data.faults import PlannedLine, invalid_files, row_faults, valid_rows
from sales_assets.sample_data.formats import cents_to_decimal, csv_line, encode_lines
from sales_assets.sample_data.manifest import MonthManifest, RejectedRow
from sales_assets.sample_data.sales_files import (
    SalesKeys,
    join_records,
    month_rng,
    sales_fields,
    sales_keys,
    sample_sales,
    shuffled_header,
)

SIDE_FILE_MAX_ROWS = 1_000  # rows of each small CRLF / BOM file of a faulty month


@dataclass
class _DataFile:
    """A valid data file being built: bulk records plus hand-made lines."""

    name: str
    header: list[str]
    records: list[str]
    bulk_cents: int
    planned_lines: list[PlannedLine] = field(default_factory=list)
    line_ending: str = "\n"
    bom: bool = False

    def build(self, rng: np.random.Generator, manifest: MonthManifest) -> bytes:
        """Scatter the planned lines among the records and book every outcome in ``manifest``."""
        order = rng.permutation(len(self.planned_lines))
        positions = np.sort(rng.integers(0, len(self.records) + 1, len(self.planned_lines)))
        lines, start, placed = [csv_line(self.header)], 0, 0
        cents = self.bulk_cents
        for position, index in zip(positions.tolist(), order.tolist(), strict=True):
            planned = self.planned_lines[index]
            lines.extend(self.records[start:position])
            lines.append(planned.line)
            start = position
            if not planned.line:
                continue
            line_number = position + placed + 2
            placed += 1
            if planned.reason:
                manifest.rejected_rows.append(RejectedRow(self.name, line_number, planned.reason))
            else:
                cents += planned.total_cents
                manifest.accepted_rows += 1
                if planned.off_by_a_cent:
                    manifest.tolerance_rows.append((self.name, line_number))
        lines.extend(self.records[start:])
        manifest.processed_files[self.name] = len(self.records) + placed
        manifest.accepted_rows += len(self.records)
        manifest.accepted_total_cost += cents_to_decimal(cents)
        return encode_lines(lines, self.line_ending, self.bom)


def _data_file(
    rng: np.random.Generator, keys: SalesKeys, month: str, name: str, rows: int, messy: bool
) -> tuple[_DataFile, list[str]]:
    """A data file of ``rows`` fresh rows, and its column order (the header may be messy)."""
    order, header = shuffled_header(rng, messy)
    sample = sample_sales(rng, keys, month_bounds(month)[1].day, rows)
    records = join_records(sales_fields(sample, keys, month), order)
    return _DataFile(name, header, records, int(sample.total_cents(keys).sum())), order


def generate_month_files(
    month: str,
    rows: int,
    dims: DimensionsLike,
    seed: int = 42,
    *,
    faults: bool = True,
) -> tuple[dict[str, bytes], MonthManifest]:
    """The files of one month folder (name -> bytes) and what the pipeline must make of them.

    ``rows`` valid sales rows are spread over the data files. With ``faults`` the month also
    gets the fault rows, blank lines, odd headers, CRLF and BOM files, invalid files and a
    duplicate of the main file.
    """
    return _month_files(sales_keys(dims, seed), month, rows, seed, faults)


def _month_files(
    keys: SalesKeys, month: str, rows: int, seed: int, faults: bool
) -> tuple[dict[str, bytes], MonthManifest]:
    """:func:`generate_month_files` from ready keys: :func:`generate_landing` draws them once
    for all its months. The draws' order makes the bytes of a seed: keep it."""
    if rows < 0:
        raise ValueError(f"rows={rows} is negative.")
    rng = month_rng(seed, month, 1)
    manifest = MonthManifest(sales_month=month)
    main_name = f"sales_{month.replace('-', '_')}.csv"
    if not faults:
        main, _ = _data_file(rng, keys, month, main_name, rows, messy=False)
        return {main_name: main.build(rng, manifest)}, manifest

    side_rows = min(rows // 10, SIDE_FILE_MAX_ROWS)
    stem = main_name.removesuffix(".csv")
    main, order = _data_file(rng, keys, month, main_name, rows - 2 * side_rows, messy=True)
    bases = valid_rows(rng, keys, month)
    main.planned_lines = row_faults(bases, keys, month, order) + [PlannedLine("")] * 3
    crlf, _ = _data_file(rng, keys, month, f"{stem}_crlf.csv", side_rows, messy=False)
    crlf.line_ending = "\r\n"
    crlf.planned_lines = [PlannedLine("")]
    bom, _ = _data_file(rng, keys, month, f"{stem}_bom.CSV", side_rows, messy=True)
    bom.bom = True
    header_only, _ = _data_file(rng, keys, month, "header_only.csv", 0, messy=False)

    files = {f.name: f.build(rng, manifest) for f in (main, crlf, bom, header_only)}
    files[main_name] += b"\n"  # a trailing blank line
    # Same bytes as the main file, and a name that sorts after it: a duplicate.
    files["sales_copy.csv"] = files[main_name]
    manifest.duplicate_files["sales_copy.csv"] = main_name
    for name, (content, reason) in invalid_files(bases, order).items():
        files[name] = content
        manifest.invalid_files[name] = reason
    return files, manifest


def generate_landing(
    landing_zone: LandingZone,
    months: Sequence[str],
    rows_per_month: int,
    dims: DimensionsLike,
    seed: int = 42,
    faults: bool = True,
) -> dict[str, MonthManifest]:
    """Land every month's files under ``sales/YYYY-MM/``; the manifests by month."""
    keys = sales_keys(dims, seed)
    manifests = {}
    for month in months:
        files, manifests[month] = _month_files(keys, month, rows_per_month, seed, faults)
        for name, content in files.items():
            landing_zone.write_file(month, name, content)
    return manifests

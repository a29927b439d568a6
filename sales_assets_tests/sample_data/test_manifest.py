"""The manifest of a faulty month says what an independent reading of SPEC section 2, and
the project's own file parser, make of every landed file and row."""

from __future__ import annotations

from sales_assets import sample_data
from sales_assets.transforms import contract as c
from sales_assets.transforms.file_decisions import decide_files
from sales_assets.transforms.landing_parser import inspect_file
from sales_assets_tests.sample_data.spec_rules import (
    MONTH,
    known_keys,
    read_records,
    row_outcomes,
)


def test_manifest_matches_every_row_of_the_files(
    dims: sample_data.DimensionRows, faulty: tuple[dict[str, bytes], sample_data.MonthManifest]
) -> None:
    files, manifest = faulty
    known = known_keys(dims)
    outcomes = [
        outcome
        for name in manifest.processed_files
        for outcome in row_outcomes(name, files[name], MONTH, known)
    ]
    rejected = sorted((f, line, reason) for f, line, reason, _ in outcomes if reason)
    assert rejected == sorted((r.file, r.line_number, r.reason) for r in manifest.rejected_rows)
    accepted = [total for *_, reason, total in outcomes if reason is None]
    assert len(accepted) == manifest.accepted_rows
    assert sum(accepted) == manifest.accepted_total_cost
    assert len(outcomes) == manifest.rows_read == manifest.accepted_rows + manifest.rejected_count
    for name, rows in manifest.processed_files.items():
        assert len(read_records(files[name])[1]) == rows


def test_project_parser_agrees_with_the_manifest(
    faulty: tuple[dict[str, bytes], sample_data.MonthManifest],
) -> None:
    files, manifest = faulty
    verdicts = [inspect_file(name, content) for name, content in files.items()]
    decisions = {d.name: d for d in decide_files(MONTH, verdicts)}
    for name, rows in manifest.processed_files.items():
        assert (decisions[name].status, decisions[name].rows_read) == (c.STATUS_PROCESSED, rows)
    for name, reason in manifest.invalid_files.items():
        assert (decisions[name].status, decisions[name].reason) == (c.STATUS_INVALID, reason)
    for name, original in manifest.duplicate_files.items():
        assert (decisions[name].status, decisions[name].reason) == (c.STATUS_DUPLICATE, original)

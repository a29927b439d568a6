"""Generated data with every fault: the pipeline's rejects and audit match the generator's
manifest of what it injected."""

from __future__ import annotations

from sales_assets import sample_data
from sales_assets.io_managers.lake import read_months
from sales_assets_tests import scenario
from sales_assets_tests.support import validated_totals

MONTHS = ["2024-01", "2024-02"]


def test_generated_faulty_months_match_the_manifest(embedded, spark):
    dims = sample_data.generate_dimensions(
        customers=200, stores=3, sales_people_per_store=3, products=60, seed=11
    )
    sample_data.load_dimensions(embedded.warehouse, dims)
    manifests = sample_data.generate_landing(embedded.landing_zone, MONTHS, 300, dims, seed=5)

    assert embedded.run(MONTHS[0], MONTHS[-1]).success

    lake = embedded.settings.lake_uri
    rejected = read_months(spark, f"{lake}/rejected_sales", "rejected_sales", MONTHS)
    got = sorted(
        (r.sales_month, r.source_file, r.line_number, r.reason)
        for r in rejected.select("sales_month", "source_file", "line_number", "reason").collect()
    )
    expected = sorted(
        (month, row.file, row.line_number, row.reason)
        for month, manifest in manifests.items()
        for row in manifest.rejected_rows
    )
    assert got == expected

    assert validated_totals(spark, lake, MONTHS) == {
        m: (manifest.accepted_rows, manifest.accepted_total_cost)
        for m, manifest in manifests.items()
    }

    audit = scenario.audit_table(embedded.warehouse)
    for month, manifest in manifests.items():
        for name, reason in manifest.invalid_files.items():
            assert audit[(month, name)][:2] == ("invalid", reason)
        for name, original in manifest.duplicate_files.items():
            assert audit[(month, name)][:2] == ("duplicate", original)
        for name, rows_read in manifest.processed_files.items():
            assert audit[(month, name)][0] == "processed"
            assert audit[(month, name)][2] == rows_read

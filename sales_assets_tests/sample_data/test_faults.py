"""Fault injection: every row reason of SPEC section 2 is in a faulty month, where the
manifest says, even in a month without valid rows."""

from __future__ import annotations

from decimal import Decimal

from sales_assets import sample_data
from sales_assets.transforms import contract as c
from sales_assets_tests.sample_data.spec_rules import read_records


def test_every_row_reason_is_injected(
    faulty: tuple[dict[str, bytes], sample_data.MonthManifest],
) -> None:
    _, manifest = faulty
    expected = {
        c.REASON_MALFORMED_ROW,
        *(f"null_{column}" for column in c.MANDATORY_COLUMNS),
        *(f"invalid_{column}" for column in c.MANDATORY_COLUMNS if column != "product_name"),
        c.REASON_DATE_OUTSIDE_MONTH,
        c.REASON_NEGATIVE_PRICE,
        c.REASON_NON_POSITIVE_QUANTITY,
        c.REASON_TOTAL_COST_MISMATCH,
        c.REASON_UNKNOWN_CUSTOMER,
        c.REASON_UNKNOWN_STORE,
        c.REASON_UNKNOWN_SALES_PERSON,
        c.REASON_UNKNOWN_PRODUCT,
    }
    assert set(manifest.rejected_by_reason) == expected
    assert sum(manifest.rejected_by_reason.values()) == manifest.rejected_count
    assert len(manifest.tolerance_rows) == 2  # off by +0.01 and -0.01, accepted


def test_overflows_and_tolerance_rows_are_where_the_manifest_says(
    faulty: tuple[dict[str, bytes], sample_data.MonthManifest],
) -> None:
    files, manifest = faulty
    main = "sales_2024_02.csv"
    header, records = read_records(files[main])

    def value(line_number: int, column: str) -> str:
        return records[line_number - 2][header.index(column)].strip()

    invalid = {
        (r.reason, value(r.line_number, r.reason.removeprefix("invalid_")))
        for r in manifest.rejected_rows
        if r.reason.startswith("invalid_")
    }
    assert ("invalid_quantity", "99999999999") in invalid
    assert ("invalid_price", "123456789.00") in invalid
    assert ("invalid_customer_id", "2147483648") in invalid
    assert ("invalid_sales_date", "2024-02-30") in invalid
    for name, line_number in manifest.tolerance_rows:
        assert name == main
        gap = Decimal(value(line_number, "total_cost")) - Decimal(
            value(line_number, "price")
        ) * int(value(line_number, "quantity"))
        assert abs(gap) == Decimal("0.01")


def test_small_months_still_get_every_fault(dims: sample_data.DimensionRows) -> None:
    files, manifest = sample_data.generate_month_files("2024-12", 0, dims, seed=9)
    assert manifest.accepted_rows > 0 and manifest.rejected_count > 30
    assert manifest.rows_read == manifest.accepted_rows + manifest.rejected_count
    assert files["sales_2024_12.csv"] == files["sales_copy.csv"]

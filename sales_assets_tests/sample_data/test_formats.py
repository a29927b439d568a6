"""How generated values are written: cents as text and Decimal, RFC 4180 fields, file bytes."""

from __future__ import annotations

from decimal import Decimal

from sales_assets.sample_data.formats import (
    cents_text,
    cents_to_decimal,
    csv_field,
    csv_line,
    encode_lines,
)


def test_cents_keep_two_decimals_and_their_sign() -> None:
    assert [cents_text(c) for c in (1250, 5, -5, 0, -100)] == [
        "12.50",
        "0.05",
        "-0.05",
        "0.00",
        "-1.00",
    ]
    assert str(cents_to_decimal(1200)) == "12.00" and cents_to_decimal(-1) == Decimal("-0.01")


def test_fields_are_quoted_only_where_rfc_4180_needs_it() -> None:
    assert csv_field("Basmati Rice 1kg") == "Basmati Rice 1kg"
    assert csv_line(["a,b", 'say "hi"', "two\nlines", "cr\r", ""]) == (
        '"a,b","say ""hi""","two\nlines","cr\r",'
    )


def test_files_end_every_line_and_may_start_with_a_bom() -> None:
    assert encode_lines(["h", "1"]) == b"h\n1\n"
    assert encode_lines(["h"], "\r\n", bom=True) == b"\xef\xbb\xbfh\r\n"

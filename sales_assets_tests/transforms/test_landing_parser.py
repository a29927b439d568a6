"""File verdicts and raw records (SPEC section 2), without Spark."""

from __future__ import annotations

import hashlib
import json

import pytest

from sales_assets.transforms.landing_parser import (
    FileVerdict,
    decide_files,
    inspect_file,
    iter_records,
)

HEADER = "customer_id,store_id,product_name,sales_date,sales_person_id,price,quantity,total_cost"
ROW = "1,10,Rice,2024-01-05,101,10.50,2,21.00"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.txt", f"{HEADER}\n{ROW}\n".encode(), "not_csv"),
        ("a.csv", b"", "empty"),
        ("a.csv", b"\n\n  \n", "empty"),
        ("a.csv", b"\xef\xbb\xbf", "empty"),
        ("a.csv", f"{HEADER}\n1,10,Caf\xe9\n".encode("latin-1"), "unreadable"),
        ("a.csv", f'{HEADER}\n1,10,"unterminated\n'.encode(), "unreadable"),
        ("a.csv", f'{HEADER}\n1,10,"Rice"x,2024-01-05,101,1.00,1,1.00\n'.encode(), "unreadable"),
        (
            "a.csv",
            b"customer_id,store_id,product_name,sales_date\n",
            "missing_columns:sales_person_id,price,quantity,total_cost",
        ),
        ("a.csv", f"{HEADER},Store_ID \n".encode(), "duplicate_columns"),
        (
            "a.csv",
            b"customer_id,customer_id\n",
            "missing_columns:store_id,product_name,sales_date,sales_person_id,price,quantity,total_cost",
        ),
    ],
)
def test_invalid_file_reasons_in_spec_order(name, content, reason):
    verdict, text = inspect_file(name, content)
    assert (verdict.invalid_reason, text) == (reason, None)
    assert verdict.content_sha256 == hashlib.sha256(content).hexdigest()


def test_upper_case_extension_bom_crlf_and_free_column_order_are_valid():
    header = (
        " Total_Cost ,QUANTITY,price,sales_person_id,sales_date,product_name,store_id,customer_id"
    )
    content = ("\ufeff" + header + "\r\n21.00,2,10.50,101,2024-01-05,Rice,10,1\r\n").encode()
    verdict, text = inspect_file("SALES.CSV", content)
    assert verdict.invalid_reason is None and verdict.rows_read == 1
    [record] = list(iter_records(text, verdict.header))
    assert record.values["customer_id"] == "1" and record.values["total_cost"] == "21.00"


def test_header_only_file_is_valid_with_no_rows():
    verdict, text = inspect_file("a.csv", f"{HEADER}\n".encode())
    assert verdict.invalid_reason is None and verdict.rows_read == 0
    assert list(iter_records(text, verdict.header)) == []


def test_records_are_counted_not_physical_lines():
    content = f'{HEADER},note\n\n{ROW},"two\nlines"\n\n   \n{ROW},\n1,2\n'
    verdict, text = inspect_file("a.csv", content.encode())
    records = list(iter_records(text, verdict.header))
    assert verdict.rows_read == 3
    assert [r.line_number for r in records] == [2, 3, 4]
    assert json.loads(records[0].additional_columns) == {"note": "two\nlines"}
    assert json.loads(records[1].additional_columns) == {"note": None}
    assert records[2].malformed and json.loads(records[2].raw_record) == ["1", "2"]


def test_fields_are_trimmed_and_empty_is_null():
    verdict, text = inspect_file(
        "a.csv", f"{HEADER}\n  1 ,10, ,2024-01-05,101,10.50,2,21.00\n".encode()
    )
    [record] = list(iter_records(text, verdict.header))
    assert record.values["customer_id"] == "1" and record.values["product_name"] is None


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

"""File verdicts and raw records (SPEC section 2), without Spark."""

from __future__ import annotations

import hashlib
import json

import pytest

from sales_assets.transforms import arrow_csv_records
from sales_assets.transforms.landing_parser import (
    FileVerdict,
    RecordChunk,
    inspect_file,
    parse_file,
)


def records(name: str, content: bytes) -> tuple[FileVerdict, list[dict]]:
    """The verdict and the records of a file, one dict per record."""
    *chunks, verdict = parse_file(name, content, chunk_rows=2)
    rows = []
    for chunk in chunks:
        assert isinstance(chunk, RecordChunk)
        columns = {
            "line_number": chunk.line_numbers.to_pylist(),
            "additional_columns": chunk.additional_columns.to_pylist(),
            "raw_record": chunk.raw_records.to_pylist(),
            "malformed": chunk.malformed.to_pylist(),
            **{k: v.to_pylist() for k, v in chunk.values.items()},
        }
        rows += [
            dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        ]
    return verdict, rows


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
    verdict = inspect_file(name, content)
    assert (verdict.invalid_reason, verdict.rows_read) == (reason, 0)
    assert verdict.content_sha256 == hashlib.sha256(content).hexdigest()


def test_upper_case_extension_bom_crlf_and_free_column_order_are_valid():
    header = (
        " Total_Cost ,QUANTITY,price,sales_person_id,sales_date,product_name,store_id,customer_id"
    )
    content = ("\ufeff" + header + "\r\n21.00,2,10.50,101,2024-01-05,Rice,10,1\r\n").encode()
    verdict, [record] = records("SALES.CSV", content)
    assert verdict.invalid_reason is None and verdict.rows_read == 1
    assert record["customer_id"] == "1" and record["total_cost"] == "21.00"


def test_header_only_file_is_valid_with_no_rows():
    verdict, rows = records("a.csv", f"{HEADER}\n".encode())
    assert verdict.invalid_reason is None and verdict.rows_read == 0
    assert rows == []


def test_records_are_counted_not_physical_lines():
    content = f'{HEADER},Note, Q \n\n{ROW},"two\nlines",\n\n   \n{ROW}, ,"a""\\b"\n1,2\n'
    verdict, rows = records("a.csv", content.encode())
    assert verdict.rows_read == 3
    assert [r["line_number"] for r in rows] == [2, 3, 4]
    assert json.loads(rows[0]["additional_columns"]) == {"note": "two\nlines", "q": None}
    assert json.loads(rows[1]["additional_columns"]) == {"note": None, "q": 'a"\\b'}
    assert rows[2]["malformed"] and json.loads(rows[2]["raw_record"]) == ["1", "2"]
    assert rows[2]["customer_id"] is None and rows[2]["additional_columns"] is None


def test_fields_are_trimmed_and_empty_is_null():
    content = f"{HEADER}\n  1 ,10, ,2024-01-05,101,10.50,2,21.00\n".encode()
    _, [record] = records("a.csv", content)
    assert record["customer_id"] == "1" and record["product_name"] is None
    assert record["additional_columns"] == "{}"


def test_a_file_unreadable_part_way_is_unreadable_with_no_rows():
    content = f'{HEADER}\n{ROW}\n{ROW}\n{ROW}\n1,10,"bad"quote,x\n'.encode()
    verdict = inspect_file("a.csv", content)
    assert (verdict.invalid_reason, verdict.rows_read) == ("unreadable", 0)


def test_bad_header_and_bad_quoting_is_unreadable_first():
    verdict = inspect_file("a.csv", b'customer_id\n"open\n')
    assert verdict.invalid_reason == "unreadable"


def test_a_field_over_a_megabyte_is_still_readable():
    big = "x" * (1 << 21)
    verdict, [record] = records("a.csv", f"{HEADER},note\n{ROW},{big}\n".encode())
    assert verdict.invalid_reason is None
    assert json.loads(record["additional_columns"]) == {"note": big}


def test_only_spaces_are_trimmed():
    _, [record] = records(
        "a.csv", f"{HEADER}\n 1 ,10,\tRice ,2024-01-05,101,10.50,2,21.00\n".encode()
    )
    assert record["customer_id"] == "1" and record["product_name"] == "\tRice"


def test_arrow_and_csv_module_paths_agree_across_many_blocks(monkeypatch):
    """A plain header is read by Arrow, a quoted one by the csv module: the same body must
    give the same records, also when it spans many of Arrow's blocks (record numbers of
    malformed rows, blank lines and quoted line breaks placed across block ends)."""
    monkeypatch.setattr(arrow_csv_records, "ARROW_BLOCK_BYTES", 4096)
    lines = []
    for i in range(3000):
        kind = i % 11
        if kind == 3:
            lines.append(f'{i},10,"Rice, long\r\ngrain ""{i}""",2024-01-05,101,1.00,1,1.00,x')
        elif kind == 5:
            lines.append("")
        elif kind == 7:
            lines.append("   ")
        elif kind == 9:
            lines.append(f"{i},10,short")
        else:
            lines.append(f" {i} ,10,Rice,2024-01-05,101,1.00,1,1.00, note {i} ")
    body = "\r\n".join(lines) + "\n"
    plain = records("a.csv", f"{HEADER},note\n{body}".encode())
    quoted = records("a.csv", f'"customer_id",{HEADER.split(",", 1)[1]},note\n{body}'.encode())
    assert plain[0].invalid_reason is None
    expected_records = sum(1 for i in range(3000) if i % 11 not in (5, 7))
    assert plain[0].rows_read == quoted[0].rows_read == expected_records
    assert plain[1] == quoted[1]
    assert [r["line_number"] for r in plain[1]] == list(range(2, 2 + plain[0].rows_read))


def test_a_record_longer_than_an_arrow_block_is_read_again_by_the_csv_module(monkeypatch):
    monkeypatch.setattr(arrow_csv_records, "ARROW_BLOCK_BYTES", 1024)
    rows = [ROW] * 50 + [f'{ROW},"{"long " * 1000}"'] + [ROW] * 50
    verdict, got = records("a.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    assert verdict.invalid_reason is None and verdict.rows_read == 101
    assert [r["line_number"] for r in got] == list(range(2, 103))
    assert [r["malformed"] for r in got] == [False] * 50 + [True] + [False] * 50
    assert (
        verdict.content_sha256
        == hashlib.sha256(("\n".join([HEADER, *rows]) + "\n").encode()).hexdigest()
    )

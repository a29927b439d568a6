"""An independent reading of the row rules (SPEC section 2), written here and not shared with
the pipeline, to check the generator's manifests against; and a plain CSV reader."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sales_assets.sample_data import DimensionRows
from sales_assets.transforms import contract as c

MONTH = "2024-02"  # the month of the shared faulty fixture

_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL_LIMIT = {"price": Decimal("1e8"), "total_cost": Decimal("1e10")}  # (10,2), (12,2)


def typed_value(column: str, raw: str) -> Any:
    """The value, or None when it is not in the accepted form or overflows its type."""
    if column in c.INT_COLUMNS:
        ok = _INT.fullmatch(raw) and -(2**31) <= int(raw) < 2**31
        return int(raw) if ok else None
    if column == "sales_date":
        try:
            return dt.date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
        except ValueError:
            return None
    if column in _DECIMAL_LIMIT:
        ok = _DECIMAL.fullmatch(raw) and abs(Decimal(raw)) < _DECIMAL_LIMIT[column]
        return Decimal(raw) if ok else None
    return raw


def row_reason(raw: Mapping[str, str | None], month: str, known: dict[str, set]) -> str | None:
    """The first rule the row breaks, in SPEC order; None when it is accepted."""
    for column in c.MANDATORY_COLUMNS:
        if raw[column] is None:
            return f"null_{column}"
    typed = {}
    for column in c.MANDATORY_COLUMNS:
        typed[column] = typed_value(column, raw[column])
        if typed[column] is None:
            return f"invalid_{column}"
    if typed["sales_date"].strftime("%Y-%m") != month:
        return c.REASON_DATE_OUTSIDE_MONTH
    if typed["price"] < 0:
        return c.REASON_NEGATIVE_PRICE
    if typed["quantity"] <= 0:
        return c.REASON_NON_POSITIVE_QUANTITY
    if abs(typed["total_cost"] - typed["price"] * typed["quantity"]) > Decimal("0.01"):
        return c.REASON_TOTAL_COST_MISMATCH
    for column, reason in (
        ("customer_id", c.REASON_UNKNOWN_CUSTOMER),
        ("store_id", c.REASON_UNKNOWN_STORE),
        ("sales_person_id", c.REASON_UNKNOWN_SALES_PERSON),
        ("product_name", c.REASON_UNKNOWN_PRODUCT),
    ):
        if typed[column] not in known[column]:
            return reason
    return None


def known_keys(dims: DimensionRows) -> dict[str, set]:
    """The join keys of each dimension, by the sales column that references them."""
    return {
        "customer_id": {r["customer_id"] for r in dims["customer"]},
        "store_id": {r["id"] for r in dims["store"]},
        "sales_person_id": {r["id"] for r in dims["sales_team"]},
        "product_name": {r["name"] for r in dims["product"]},
    }


def read_records(content: bytes) -> tuple[list[str], list[list[str]]]:
    """Normalised header and the records (blank lines are not records)."""
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), strict=True)
    header, *records = [r for r in rows if r]
    return [h.strip().lower() for h in header], records


def row_outcomes(name: str, content: bytes, month: str, known: dict[str, set]) -> list[tuple]:
    """(file, line_number, reason or None, total_cost of an accepted row) per record."""
    header, records = read_records(content)
    outcomes = []
    for line_number, fields in enumerate(records, start=2):
        if len(fields) != len(header):
            outcomes.append((name, line_number, c.REASON_MALFORMED_ROW, None))
            continue
        raw = {h: (f.strip() or None) for h, f in zip(header, fields, strict=True)}
        reason = row_reason(raw, month, known)
        outcomes.append((name, line_number, reason, None if reason else Decimal(raw["total_cost"])))
    return outcomes

"""Fault injection: rows that each break exactly one row rule, valid rows in unusual but
accepted forms, and whole files the pipeline must quarantine (SPEC section 2).

Every faulty row starts as a fresh valid row (:class:`ValidRow`) and changes one field, so
the rule it breaks is the only reason the pipeline can give; each is planned with its
expected outcome (:class:`PlannedLine`) for the manifest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sales_assets.partitions import month_bounds
from sales_assets.sample_data.dimensions import INT32_MAX
from sales_assets.sample_data.formats import cents_text, csv_line, encode_lines
from sales_assets.sample_data.sales_files import (
    EXTRA_COLUMN,
    SalesKeys,
    sales_fields,
    sample_sales,
)
from sales_assets.sample_data.words import PAYMENT_MODES
from sales_assets.transforms import contract as c


@dataclass(frozen=True)
class PlannedLine:
    """A hand-made line: a record with its expected outcome, or a blank line."""

    line: str  # "" is a blank line (not a record)
    reason: str | None = None  # None: accepted
    total_cents: int = 0  # the row's own total_cost, when accepted
    off_by_a_cent: bool = False


@dataclass(frozen=True)
class ValidRow:
    """A valid sales row to mutate into one fault."""

    values: dict[str, str]
    price_cents: int
    quantity: int

    def row(self, **overrides: str) -> dict[str, str]:
        return {**self.values, **overrides}

    def priced(self, price_cents: int, quantity: int, **overrides: str) -> dict[str, str]:
        """The row with another price and quantity; ``total_cost`` stays consistent."""
        consistent = {
            "price": cents_text(price_cents),
            "quantity": str(quantity),
            "total_cost": cents_text(price_cents * quantity),
        }
        return self.row(**{**consistent, **overrides})


def valid_rows(rng: np.random.Generator, keys: SalesKeys, month: str) -> Iterator[ValidRow]:
    """Endless fresh valid rows, with plain (unquoted) values, drawn 16 at a time from the
    month's generator (the faults and the invalid files share it)."""
    while True:
        sample = sample_sales(rng, keys, month_bounds(month)[1].day, 16)
        columns = {k: v.tolist() for k, v in sales_fields(sample, keys, month).items()}
        columns["product_name"] = [keys.product_names[i] for i in sample.product.tolist()]
        columns[EXTRA_COLUMN] = [PAYMENT_MODES[i] for i in sample.payment.tolist()]
        prices = keys.product_cents[sample.product].tolist()
        for i, (price, quantity) in enumerate(zip(prices, sample.quantity.tolist(), strict=True)):
            yield ValidRow({k: v[i] for k, v in columns.items()}, price, quantity)


def _unused_id(ids: np.ndarray) -> int:
    """An id no dimension row has that still fits the warehouse's INT (so only the join fails)."""
    top = int(ids.max())
    return top + 1 if top < INT32_MAX else int(ids.min()) - 1


def _unknown_product(known: set[str]) -> str:
    """A plausible product name that is not in the catalogue."""
    candidate = "Moonlight Saffron Tea 75g"
    while candidate in known:
        candidate += "+"
    return candidate


def _case_variant(name: str, known: set[str]) -> str | None:
    """The name in another case that is no product (join keys are case-sensitive)."""
    return next((v for v in (name.upper(), name.lower()) if v not in known), None)


def row_faults(
    bases: Iterator[ValidRow], keys: SalesKeys, month: str, order: Sequence[str]
) -> list[PlannedLine]:
    """One or more rows per row reason, each breaking exactly that rule (and no earlier one)."""
    first, last = month_bounds(month)
    planned_lines: list[PlannedLine] = []

    def add(reason: str, values: dict[str, str]) -> None:
        planned_lines.append(PlannedLine(csv_line([values[n] for n in order]), reason))

    # 1. field count differs from the header
    for fields in (
        [next(bases).values[n] for n in order][:-1],
        [*[next(bases).values[n] for n in order], "extra"],
        ["garbage"],
    ):
        planned_lines.append(PlannedLine(csv_line(fields), c.REASON_MALFORMED_ROW))
    # 2. NULL mandatory fields (empty or only spaces)
    for i, column in enumerate(c.MANDATORY_COLUMNS):
        add(f"null_{column}", next(bases).row(**{column: "" if i % 2 else "   "}))
    # 3. values not in the accepted form, including overflows of their type
    impossible_day = f"{month}-{last.day + 1}"  # e.g. 2024-02-30: right form, no such day
    for column, value in (
        ("customer_id", "C-1001"),
        ("customer_id", str(INT32_MAX + 1)),
        ("store_id", "1.0"),
        ("sales_date", impossible_day),
        ("sales_date", first.strftime("%d/%m/%Y")),
        ("sales_person_id", "12x"),
        ("price", "12.345"),
        ("price", "123456789.00"),  # DECIMAL(10,2) holds at most 99999999.99
        ("price", "+5.00"),  # a sign is allowed on INT columns only
        ("quantity", "2.0"),
        ("quantity", "99999999999"),
        ("total_cost", "12,50"),
        ("total_cost", "12345678901.00"),  # DECIMAL(12,2) holds at most 9999999999.99
    ):
        add(f"invalid_{column}", next(bases).row(**{column: value}))
    # 4-7. rules between fields; the rows are otherwise valid and consistent
    outside = (first - dt.timedelta(days=1), last + dt.timedelta(days=1))
    for day in outside:
        add(c.REASON_DATE_OUTSIDE_MONTH, next(bases).row(sales_date=day.isoformat()))
    base = next(bases)
    add(c.REASON_NEGATIVE_PRICE, base.priced(-base.price_cents, base.quantity))
    for quantity in (0, -2):
        base = next(bases)
        add(c.REASON_NON_POSITIVE_QUANTITY, base.priced(base.price_cents, quantity))
    for gap in (2, 1000):
        base = next(bases)
        total = base.price_cents * base.quantity + gap
        add(c.REASON_TOTAL_COST_MISMATCH, base.row(total_cost=cents_text(total)))
    # 8. keys without a dimension row (case matters for product names)
    add(c.REASON_UNKNOWN_CUSTOMER, next(bases).row(customer_id=str(_unused_id(keys.customer_ids))))
    add(c.REASON_UNKNOWN_STORE, next(bases).row(store_id=str(_unused_id(keys.store_ids))))
    unknown_seller = str(_unused_id(keys.seller_ids))
    add(c.REASON_UNKNOWN_SALES_PERSON, next(bases).row(sales_person_id=unknown_seller))
    known = set(keys.product_names)
    add(c.REASON_UNKNOWN_PRODUCT, next(bases).row(product_name=_unknown_product(known)))
    base = next(bases)
    variant = _case_variant(base.values["product_name"], known)
    if variant is not None:
        add(c.REASON_UNKNOWN_PRODUCT, base.row(product_name=variant))
    return planned_lines + _accepted_edge_rows(bases, order)


def _accepted_edge_rows(bases: Iterator[ValidRow], order: Sequence[str]) -> list[PlannedLine]:
    """Valid rows in unusual but accepted forms."""
    rows: list[tuple[dict[str, str], int, bool]] = []
    for gap in (1, -1):  # total_cost within the 0.01 tolerance: kept as written
        base = next(bases)
        total = base.price_cents * base.quantity + gap
        rows.append((base.row(total_cost=cents_text(total)), total, True))
    base = next(bases)  # spaces around every field are trimmed
    rows.append(({k: f"  {v}  " for k, v in base.values.items()}, _total(base), False))
    base = next(bases)  # an INT may carry a sign
    rows.append((base.row(quantity=f"+{base.quantity}"), _total(base), False))
    base = next(bases)  # price with one decimal, and with none
    price = max(10, round(base.price_cents, -1))
    one_decimal = base.priced(price, base.quantity, price=f"{price // 100}.{price % 100 // 10}")
    rows.append((one_decimal, price * base.quantity, False))
    base = next(bases)
    price = max(100, round(base.price_cents, -2))
    rows.append((base.priced(price, 2, price=str(price // 100)), price * 2, False))
    base = next(bases)  # quoted extra value with a comma, a quote and a line break
    rows.append((base.row(**{EXTRA_COLUMN: 'Card, split\nwith "cash"'}), _total(base), False))
    base = next(bases)  # empty extra column: NULL in additional_columns
    rows.append((base.row(**{EXTRA_COLUMN: ""}), _total(base), False))
    return [
        PlannedLine(csv_line([values[n] for n in order]), None, total, off)
        for values, total, off in rows
    ]


def _total(base: ValidRow) -> int:
    return base.price_cents * base.quantity


def invalid_files(bases: Iterator[ValidRow], order: Sequence[str]) -> dict[str, tuple[bytes, str]]:
    """Files the pipeline must quarantine: name -> (bytes, reason)."""
    header = csv_line(order)
    latin1_row = next(bases).row(product_name="Café Latte 250g")
    # Latin-1 writes 'é' as the single byte 0xE9, which is not valid UTF-8.
    latin1 = f"{header}\n{csv_line([latin1_row[n] for n in order])}\n".encode("latin-1")
    # Text after a closing quote: strict RFC 4180 parsing fails.
    bad_row = next(bases).values
    bad_quote = ",".join('"Masala"Chai 250g' if n == "product_name" else bad_row[n] for n in order)
    without = [n for n in order if n not in ("price", "quantity")]
    missing_row = next(bases).values
    dup_header = ["Price" if n == "price" else n for n in order] + [" price"]
    dup_row = next(bases).values
    dup_fields = [dup_row[n] for n in order] + [dup_row["price"]]
    return {
        "notes.txt": (b"Uploaded by the store office; totals checked by hand.\n", c.REASON_NOT_CSV),
        "empty.csv": (b"", c.REASON_EMPTY),
        "blank_lines.csv": (b"\n\r\n\n", c.REASON_EMPTY),  # no header
        "latin1.csv": (latin1, c.REASON_UNREADABLE),
        "latin1_copy.csv": (latin1, c.REASON_UNREADABLE),  # a copy of an invalid file
        "badquote.csv": (encode_lines([header, bad_quote]), c.REASON_UNREADABLE),
        "missing.csv": (
            encode_lines([csv_line(without), csv_line([missing_row[n] for n in without])]),
            f"{c.REASON_MISSING_COLUMNS}:price,quantity",
        ),
        "dupcols.csv": (
            encode_lines([csv_line(dup_header), csv_line(dup_fields)]),
            c.REASON_DUPLICATE_COLUMNS,
        ),
    }

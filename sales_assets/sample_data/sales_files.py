"""Valid sales rows, and whole valid CSV files of a month, drawn from the dimension rows.

Hot paths draw whole columns with numpy and turn them into CSV fields by indexing lookup
tables of ready strings (:class:`SalesKeys`), so a million sales rows take seconds. The
fault injection builds its rows from the same draws, so a bad row differs from a good one
in exactly the field it breaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from sales_assets.partitions import month_bounds
from sales_assets.sample_data.dimensions import DimensionsLike
from sales_assets.sample_data.formats import cents_text, csv_field, csv_line, encode_lines
from sales_assets.sample_data.words import (
    MAX_QUANTITY,
    PAYMENT_MODES,
    PAYMENT_WEIGHTS,
    QUANTITY_WEIGHTS,
)
from sales_assets.transforms import contract as c

EXTRA_COLUMN = "payment_mode"  # the one column beyond the contract's, kept as an extra


@dataclass(frozen=True)
class SalesKeys:
    """What sales rows draw from: dimension keys, stable weights and CSV field lookups.

    Lookups are object arrays of ready CSV fields: indexing one copies only pointers, which is
    what makes a million rows cheap.
    """

    customer_ids: np.ndarray
    customer_fields: np.ndarray
    customer_weights: np.ndarray  # loyal customers buy more, every month
    seller_ids: np.ndarray
    seller_fields: np.ndarray
    seller_store_fields: np.ndarray
    seller_weights: np.ndarray  # some people sell more, every month
    store_ids: np.ndarray
    product_names: list[str]
    product_fields: np.ndarray  # names, quoted where needed
    product_cents: np.ndarray
    price_fields: np.ndarray
    total_fields: np.ndarray  # [product * MAX_QUANTITY + quantity - 1]


def _sorted(rows: Sequence[Mapping[str, Any]], key: str) -> list[Mapping[str, Any]]:
    return sorted(rows, key=lambda r: r[key])


def _seller_stores(dims: DimensionsLike) -> dict[int, int]:
    """Store of each sales person: their manager's store.

    A manager's store is the first store not yet taken whose ``store_manager_name`` is the
    manager's name, else the first store not yet taken (ids ascending on both sides).
    """
    free = [(r["id"], r["store_manager_name"]) for r in _sorted(dims["store"], "id")]
    team = _sorted(dims["sales_team"], "id")
    store_of_manager: dict[int, int] = {}
    for row in (r for r in team if r["is_manager"] == "Y"):
        if not free:
            break
        full_name = f"{row['first_name']} {row['last_name']}"
        index = next((i for i, (_, name) in enumerate(free) if name == full_name), 0)
        store_of_manager[row["id"]] = free.pop(index)[0]
    sellers = {
        r["id"]: store_of_manager[r["manager_id"]]
        for r in team
        if r["is_manager"] != "Y" and r["manager_id"] in store_of_manager
    }
    return sellers or {manager: store for manager, store in store_of_manager.items()}


def _price_cents(value: Any) -> int:
    return int(Decimal(str(value or 0)) * 100)


def _objects(values: Sequence[str]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def sales_keys(dims: DimensionsLike, seed: int) -> SalesKeys:
    """The keys of ``dims``, with weights seeded apart from the months (``[seed, 1]``): every
    month of a seed has the same loyal customers and strong sellers."""
    rng = np.random.default_rng([seed, 1])
    customers = np.fromiter((r["customer_id"] for r in dims["customer"]), dtype=np.int64)
    sellers = _seller_stores(dims)
    if not len(customers) or not sellers or not dims["product"]:
        raise ValueError("dimension rows need customers, stores with sales people and products.")
    products = _sorted(dims["product"], "id")
    names = [str(r["name"]) for r in products]
    cents = np.array([_price_cents(r["current_price"]) for r in products], dtype=np.int64)
    totals = (cents[:, None] * np.arange(1, MAX_QUANTITY + 1)).ravel().tolist()
    weights = [rng.gamma(0.8, size=len(customers)), rng.gamma(2.0, size=len(sellers))]
    return SalesKeys(
        customer_ids=customers,
        customer_fields=_objects(list(map(str, customers.tolist()))),
        customer_weights=weights[0] / weights[0].sum(),
        seller_ids=np.array(list(sellers), dtype=np.int64),
        seller_fields=_objects([str(i) for i in sellers]),
        seller_store_fields=_objects([str(i) for i in sellers.values()]),
        seller_weights=weights[1] / weights[1].sum(),
        store_ids=np.array([r["id"] for r in dims["store"]], dtype=np.int64),
        product_names=names,
        product_fields=_objects([csv_field(n) for n in names]),
        product_cents=cents,
        price_fields=_objects([cents_text(c) for c in cents.tolist()]),
        total_fields=_objects([cents_text(c) for c in totals]),
    )


@dataclass(frozen=True)
class SalesSample:
    """Valid sales rows as index/number columns."""

    customer: np.ndarray  # index into customer_ids
    seller: np.ndarray  # index into seller_ids
    product: np.ndarray
    day: np.ndarray  # 0-based day of the month
    quantity: np.ndarray
    payment: np.ndarray

    def total_cents(self, keys: SalesKeys) -> np.ndarray:
        return keys.product_cents[self.product] * self.quantity


def sample_sales(rng: np.random.Generator, keys: SalesKeys, days: int, n: int) -> SalesSample:
    """``n`` valid rows over the first ``days`` days; the draws' order is part of the seed's
    output, so keep it."""
    return SalesSample(
        customer=rng.choice(len(keys.customer_ids), size=n, p=keys.customer_weights),
        seller=rng.choice(len(keys.seller_ids), size=n, p=keys.seller_weights),
        product=rng.integers(0, len(keys.product_names), n),
        day=rng.integers(0, days, n),
        quantity=rng.choice(np.arange(1, MAX_QUANTITY + 1), size=n, p=QUANTITY_WEIGHTS),
        payment=rng.choice(len(PAYMENT_MODES), size=n, p=PAYMENT_WEIGHTS),
    )


_QUANTITY_FIELDS = _objects([str(q) for q in range(1, MAX_QUANTITY + 1)])
_PAYMENT_FIELDS = _objects([csv_field(p) for p in PAYMENT_MODES])


def sales_fields(sample: SalesSample, keys: SalesKeys, month: str) -> dict[str, np.ndarray]:
    """The CSV fields of sampled rows, column by column (object arrays)."""
    first, last = month_bounds(month)
    days = _objects([(first + dt.timedelta(days=d)).isoformat() for d in range(last.day)])
    return {
        "customer_id": keys.customer_fields[sample.customer],
        "store_id": keys.seller_store_fields[sample.seller],
        "product_name": keys.product_fields[sample.product],
        "sales_date": days[sample.day],
        "sales_person_id": keys.seller_fields[sample.seller],
        "price": keys.price_fields[sample.product],
        "quantity": _QUANTITY_FIELDS[sample.quantity - 1],
        "total_cost": keys.total_fields[sample.product * MAX_QUANTITY + sample.quantity - 1],
        EXTRA_COLUMN: _PAYMENT_FIELDS[sample.payment],
    }


def join_records(columns: Mapping[str, np.ndarray], order: Sequence[str]) -> list[str]:
    """Join the columns into CSV records (fields are already quoted)."""
    return list(map(",".join, zip(*(columns[name].tolist() for name in order), strict=True)))


def shuffled_header(rng: np.random.Generator, messy: bool) -> tuple[list[str], list[str]]:
    """Shuffled column order and the header as written (messy: odd case and spaces)."""
    order = [*c.MANDATORY_COLUMNS, EXTRA_COLUMN]
    order = [order[i] for i in rng.permutation(len(order))]
    if not messy:
        return order, list(order)
    styles = (str.upper, str.title, lambda s: f" {s} ", lambda s: s)
    return order, [styles[i % len(styles)](name) for i, name in enumerate(order)]


def month_rng(seed: int, month: str, stream: int) -> np.random.Generator:
    """The generator of one month and stream (0: a single CSV, 1: a month folder): a month's
    files do not depend on which other months are generated, or in what order."""
    first, _ = month_bounds(month)
    return np.random.default_rng([seed, first.year, first.month, stream])


def generate_month_csv(
    month: str,
    rows: int,
    dims: DimensionsLike,
    seed: int = 42,
    *,
    line_ending: str = "\n",
    bom: bool = False,
) -> bytes:
    """One valid CSV of ``rows`` sales of ``month``: shuffled columns plus ``payment_mode``.

    Keys reference ``dims``; the price is the product's current price; ``total_cost`` is
    exactly ``price * quantity``.
    """
    last = month_bounds(month)[1]
    rng = month_rng(seed, month, 0)
    keys = sales_keys(dims, seed)
    order, header = shuffled_header(rng, messy=False)
    sample = sample_sales(rng, keys, last.day, rows)
    records = join_records(sales_fields(sample, keys, month), order)
    return encode_lines([csv_line(header), *records], line_ending, bom)

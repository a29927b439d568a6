"""The four dimension tables of the sample data: rows generated from a seed, loaded into the
warehouse, or read back from it.

The rows are plain dicts keyed by column name, exactly what the warehouse tables hold, so
the same rows can be loaded and handed to the sales-file generator for its keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url
from sales_assets.sample_data.draws import random_addresses, random_dates, random_people
from sales_assets.sample_data.formats import cents_to_decimal
from sales_assets.sample_data.words import BRANDS, ITEMS, REVIEWS

DimensionRows = dict[str, list[dict[str, Any]]]
DimensionsLike = Mapping[str, Sequence[Mapping[str, Any]]]

INT32_MAX = 2**31 - 1  # the warehouse's INT: ids and quantities must fit


def _customer_rows(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    first, last = random_people(rng, n)
    addresses, pincodes = random_addresses(rng, n)
    phones = rng.integers(6_000_000_000, 10_000_000_000, n).astype(str).tolist()
    joined = random_dates(rng, dt.date(2018, 1, 1), dt.date(2023, 12, 31), n)
    return [
        {
            "customer_id": i,
            "first_name": f,
            "last_name": la,
            "address": a,
            "pincode": p,
            "phone_number": f"+91 {ph}",
            "customer_joining_date": j,
        }
        for i, f, la, a, p, ph, j in zip(
            range(1, n + 1), first.tolist(), last.tolist(), addresses, pincodes, phones, joined,
            strict=True,
        )
    ]  # fmt: skip


def _sales_team_rows(
    rng: np.random.Generator, stores: int, per_store: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows grouped by store in store order, manager first; and each store's manager name."""
    n = stores * (per_store + 1)
    first, last = random_people(rng, n)
    addresses, pincodes = random_addresses(rng, n)
    joined = random_dates(rng, dt.date(2015, 1, 1), dt.date(2023, 6, 30), n)
    rows: list[dict[str, Any]] = []
    manager_names: list[str] = []
    for i in range(n):
        is_manager = i % (per_store + 1) == 0
        if is_manager:
            manager_id = i + 1
            manager_names.append(f"{first[i]} {last[i]}")
        rows.append(
            {
                "id": i + 1,
                "first_name": first[i],
                "last_name": last[i],
                "manager_id": None if is_manager else manager_id,
                "is_manager": "Y" if is_manager else "N",
                "address": addresses[i],
                "pincode": pincodes[i],
                "joining_date": joined[i],
            }
        )
    return rows, manager_names


def _store_rows(rng: np.random.Generator, manager_names: list[str]) -> list[dict[str, Any]]:
    n = len(manager_names)
    addresses, pincodes = random_addresses(rng, n)
    opened = random_dates(rng, dt.date(2010, 1, 1), dt.date(2022, 12, 31), n)
    ratings = rng.integers(2, 6, n).tolist()
    reviews = [rng.choice(REVIEWS, size=2, replace=False).tolist() for _ in range(n)]
    return [
        {
            "id": i + 1,
            "address": addresses[i],
            "store_pincode": pincodes[i],
            "store_manager_name": manager_names[i],
            "store_opening_date": opened[i],
            "reviews": f"{ratings[i]}/5. {reviews[i][0]} {reviews[i][1]}",
        }
        for i in range(n)
    ]


def _product_catalogue(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray]:
    """``n`` unique names (brand x item x pack, then numbered variants once those run out)
    and the typical rupee price of each; a larger pack costs more."""
    combos = [
        (f"{brand} {item} {size}", price * (1 + 2.5 * k))
        for brand in BRANDS
        for item, sizes, price in ITEMS
        for k, size in enumerate(sizes)
    ]
    picks = [combos[i] for i in rng.permutation(len(combos))]
    names = [
        picks[i % len(picks)][0] + ("" if i < len(picks) else f" (Variant {i // len(picks)})")
        for i in range(n)
    ]
    return names, np.array([picks[i % len(picks)][1] for i in range(n)])


def _product_rows(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    names, typical = _product_catalogue(rng, n)
    brand_factor = rng.uniform(0.85, 1.35, n)
    # Indian shelf prices end in whole or half rupees: round to 50 paise.
    cents = (np.round(typical * brand_factor * 2) * 50).astype(np.int64)
    old_cents = (np.round(cents * rng.uniform(0.85, 1.1, n) / 50) * 50).astype(np.int64)
    created = random_dates(rng, dt.date(2019, 1, 1), dt.date(2023, 6, 30), n)
    updated = [
        d + dt.timedelta(days=k)
        for d, k in zip(created, rng.integers(0, 180, n).tolist(), strict=True)
    ]
    expiry = [
        d + dt.timedelta(days=k)
        for d, k in zip(updated, rng.integers(180, 1100, n).tolist(), strict=True)
    ]
    return [
        {
            "id": i + 1,
            "name": names[i],
            "current_price": cents_to_decimal(cents[i]),
            "old_price": cents_to_decimal(old_cents[i]),
            "created_date": created[i],
            "updated_date": updated[i],
            "expiry_date": expiry[i],
        }
        for i in range(n)
    ]


def generate_dimensions(
    customers: int = 1_000,
    stores: int = 5,
    sales_people_per_store: int = 5,
    products: int = 200,
    seed: int = 42,
) -> DimensionRows:
    """Rows of ``customer``, ``store``, ``product`` and ``sales_team`` (ids from 1).

    Each store has one manager (``is_manager`` 'Y', no ``manager_id``) and
    ``sales_people_per_store`` people reporting to them; ``sales_team`` rows are grouped
    by store in store order, manager first, and ``store_manager_name`` is the manager's name.
    """
    for name, value, least in (
        ("customers", customers, 1),
        ("stores", stores, 1),
        ("sales_people_per_store", sales_people_per_store, 0),
        ("products", products, 1),
    ):
        if value < least or value > INT32_MAX // 2:
            raise ValueError(f"{name}={value} is out of range: use {least} or more.")
    rng = np.random.default_rng([seed, 0])
    sales_team, manager_names = _sales_team_rows(rng, stores, sales_people_per_store)
    return {
        "customer": _customer_rows(rng, customers),
        "store": _store_rows(rng, manager_names),
        "product": _product_rows(rng, products),
        "sales_team": sales_team,
    }


def load_dimensions(warehouse: Warehouse, dims: DimensionsLike) -> dict[str, int]:
    """Replace the four dimension tables with ``dims`` in one transaction; row counts back.

    All four or none: a partial set would leave sales referencing ids of another seed.
    """
    tables = {t.name: t for t in ws.DIMENSION_TABLES}
    if set(dims) != set(tables):
        raise ValueError(f"dimension rows must be given for exactly {sorted(tables)}.")
    written = warehouse.replace_tables({t: dims[t.name] for t in ws.DIMENSION_TABLES})
    return {name: written[name] for name in dims}


def read_dimension_rows(warehouse: Warehouse) -> DimensionRows:
    """The dimension rows already in the warehouse (to land sales that reference them)."""
    dims: DimensionRows = {}
    for table in ws.DIMENSION_TABLES:
        rows = warehouse.read_rows(table) if warehouse.has_table(table) else []
        if not rows:
            raise WarehouseError(
                f"Dimension table {table.name!r} is missing or empty in "
                f"{describe_url(warehouse.url)}: load dimensions first (run generate without "
                "--skip-dimensions)."
            )
        dims[table.name] = rows
    return dims

"""Realistic synthetic sales data: dimension rows and the monthly files of the landing zone.

With ``faults`` a month also gets every kind of bad input the data contract (SPEC section 2)
names, and a :class:`MonthManifest` says exactly what the pipeline must make of it, so tests
can compare the pipeline's output with it.

Hot paths draw whole columns with numpy and turn them into CSV fields by indexing lookup
tables of ready strings, so a million sales rows or customers take seconds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse, WarehouseError, describe_url
from sales_assets.transforms import contract as c

DimensionRows = dict[str, list[dict[str, Any]]]
DimensionsLike = Mapping[str, Sequence[Mapping[str, Any]]]

INSERT_BATCH_ROWS = 10_000
EXTRA_COLUMN = "payment_mode"
SIDE_FILE_MAX_ROWS = 1_000  # rows of each small CRLF / BOM file of a faulty month
INT32_MAX = 2**31 - 1

_MONTH_FORM = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")

# --- small built-in word lists -------------------------------------------------------------
FIRST_NAMES = (
    "Aarav", "Aditi", "Akash", "Ananya", "Arjun", "Bhavna", "Chetan", "Deepa", "Divya",
    "Farhan", "Gaurav", "Harini", "Imran", "Ishaan", "Jaya", "Karan", "Kavya", "Lakshmi",
    "Manish", "Meera", "Mohit", "Neha", "Nikhil", "Pooja", "Pranav", "Priya", "Rahul",
    "Ritu", "Rohan", "Sanjay", "Sara", "Shreya", "Siddharth", "Sneha", "Suresh", "Tanvi",
    "Varun", "Vikram", "Yash", "Zoya",
)  # fmt: skip
LAST_NAMES = (
    "Agarwal", "Banerjee", "Bhat", "Chopra", "Das", "Desai", "Fernandes", "Ghosh", "Gupta",
    "Iyer", "Jain", "Joshi", "Kapoor", "Khan", "Kulkarni", "Kumar", "Mehta", "Menon",
    "Mishra", "Nair", "Patel", "Pillai", "Rao", "Reddy", "Saxena", "Sharma", "Shetty",
    "Singh", "Sinha", "Thomas", "Verma", "Yadav",
)  # fmt: skip
STREETS = (
    "MG", "Station", "Temple", "Lake View", "Park", "Church", "Market", "Gandhi", "Nehru",
    "Residency", "Brigade", "Hill", "Canal", "Mill", "College",
)  # fmt: skip
STREET_KINDS = ("Road", "Street", "Lane", "Cross", "Main Road", "Nagar", "Marg")
# City and the first three digits of its pincodes.
CITIES = (
    ("Bengaluru", 560), ("Mumbai", 400), ("Delhi", 110), ("Chennai", 600),
    ("Hyderabad", 500), ("Pune", 411), ("Kolkata", 700), ("Ahmedabad", 380),
    ("Jaipur", 302), ("Kochi", 682), ("Lucknow", 226), ("Indore", 452),
)  # fmt: skip
BRANDS = (
    "Annapurna Fields", "Blue Lotus", "Coastal Harvest", "Daily Basket", "Everfresh",
    "Golden Grain", "Green Valley", "Himgiri", "Kesar Kitchen", "Morning Dew",
    "Nature's Nest", "Silver Oak", "Sunrise", "Urban Pantry", "Vasant",
)  # fmt: skip
# Item, pack sizes (smallest first) and a typical price in rupees of the smallest pack.
ITEMS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Basmati Rice", ("1kg", "5kg"), 140), ("Toor Dal", ("500g", "1kg"), 95),
    ("Whole Wheat Atta", ("5kg", "10kg"), 260), ("Sunflower Oil", ("1L", "5L"), 160),
    ("Green Tea", ("25 bags", "100 bags"), 180), ("Filter Coffee", ("200g", "500g"), 220),
    ("Almonds", ("250g", "500g"), 310), ("Cashews", ("250g", "500g"), 340),
    ("Honey", ("250g", "500g"), 190), ("Ghee", ("500ml", "1L"), 330),
    ("Paneer", ("200g", "500g"), 90), ("Butter", ("100g", "500g"), 58),
    ("Curd", ("400g", "1kg"), 45), ("Milk", ("500ml", "1L"), 28),
    ("Bread", ("400g", "800g"), 40), ("Biscuits", ("200g", "600g"), 35),
    ("Potato Chips", ("52g", "150g"), 20), ("Mango Pickle", ("300g", "1kg"), 120),
    ("Masala Chai", ("250g", "500g"), 150), ("Detergent Powder", ("1kg", "4kg"), 120),
    ("Dishwash Liquid", ("500ml", "1L"), 99), ("Toothpaste", ("100g", "200g"), 55),
    ("Shampoo", ("180ml", "650ml"), 160), ("Bath Soap", ("4x100g", "8x100g"), 140),
    ("Hand Wash", ("200ml", "750ml"), 85), ("Floor Cleaner", ("1L", "2L"), 110),
    ("Jaggery", ("500g", "1kg"), 70), ("Poha", ("500g", "1kg"), 45),
    ("Oats", ("500g", "1kg"), 120), ("Cornflakes", ("475g", "875g"), 180),
    ("Tomato Ketchup", ("500g", "1kg"), 110), ("Instant Noodles", ("4-pack", "12-pack"), 56),
    ("Dark Chocolate", ("55g", "150g"), 90), ("Peanut Butter", ("350g", "1kg"), 210),
    ("Sugar", ("1kg", "5kg"), 48), ("Salt", ("1kg", "2kg"), 28),
    ("Turmeric Powder", ("100g", "500g"), 40), ("Garam Masala", ("100g", "200g"), 75),
    ("Coconut Oil", ("500ml", "1L"), 170), ("Rose Water", ("250ml", "500ml"), 60),
)  # fmt: skip
REVIEWS = (
    "Friendly staff and quick billing.", "Parking is hard to find on weekends.",
    "Good stock of fresh vegetables.", "Long queues at the counter in the evening.",
    "Clean aisles and a helpful manager.", "Prices a little higher than nearby shops.",
    "Home delivery was on time.", "Often runs out of dairy by noon.",
)  # fmt: skip
PAYMENT_MODES = ("UPI", "Card", "Cash", "Net Banking", "Wallet", "")  # "" is a NULL extra
PAYMENT_WEIGHTS = (0.42, 0.27, 0.2, 0.04, 0.04, 0.03)
MAX_QUANTITY = 10
QUANTITY_WEIGHTS = (0.34, 0.24, 0.14, 0.09, 0.06, 0.04, 0.03, 0.02, 0.02, 0.02)  # 1..10


# --- helpers -------------------------------------------------------------------------------
def _pick(rng: np.random.Generator, words: Sequence[Any], n: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]


def _dates(rng: np.random.Generator, first: dt.date, last: dt.date, n: int) -> list[dt.date]:
    """Uniform dates in [first, last]; numpy's datetime64 gives ``date`` objects in bulk."""
    offsets = rng.integers(0, (last - first).days + 1, n)
    return (np.datetime64(first, "D") + offsets).tolist()


def _cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)  # scaleb keeps two decimals: 1200 -> 12.00


def _cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _csv_field(value: str) -> str:
    """RFC 4180 quoting, only where needed."""
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_line(fields: Sequence[str]) -> str:
    return ",".join(_csv_field(f) for f in fields)


def _people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return _pick(rng, FIRST_NAMES, n), _pick(rng, LAST_NAMES, n)


def _addresses(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Street addresses and matching six-digit pincodes."""
    city_index = rng.integers(0, len(CITIES), n)
    house = rng.integers(1, 400, n).tolist()
    streets = _pick(rng, STREETS, n).tolist()
    kinds = _pick(rng, STREET_KINDS, n).tolist()
    cities = [CITIES[i][0] for i in city_index.tolist()]
    prefixes = np.array([p for _, p in CITIES])[city_index]
    pincodes = (prefixes * 1000 + rng.integers(1, 100, n)).astype(str).tolist()
    addresses = [
        f"{h}, {s} {k}, {city}" for h, s, k, city in zip(house, streets, kinds, cities, strict=True)
    ]
    return addresses, pincodes


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``; ``ValueError`` when it is not a month."""
    if not _MONTH_FORM.match(month):
        raise ValueError(f"{month!r} is not a month: use YYYY-MM, e.g. 2024-01.")
    year, number = int(month[:4]), int(month[5:])
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


# --- dimensions ----------------------------------------------------------------------------
def _customer_rows(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    first, last = _people(rng, n)
    addresses, pincodes = _addresses(rng, n)
    phones = rng.integers(6_000_000_000, 10_000_000_000, n).astype(str).tolist()
    joined = _dates(rng, dt.date(2018, 1, 1), dt.date(2023, 12, 31), n)
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
    first, last = _people(rng, n)
    addresses, pincodes = _addresses(rng, n)
    joined = _dates(rng, dt.date(2015, 1, 1), dt.date(2023, 6, 30), n)
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
    addresses, pincodes = _addresses(rng, n)
    opened = _dates(rng, dt.date(2010, 1, 1), dt.date(2022, 12, 31), n)
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
    created = _dates(rng, dt.date(2019, 1, 1), dt.date(2023, 6, 30), n)
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
            "current_price": _cents_to_decimal(cents[i]),
            "old_price": _cents_to_decimal(old_cents[i]),
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


def _insert_all(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert through the driver's ``executemany``, in batches.

    Values go through each column type's own bind processing, column by column: SQLAlchemy's
    per-row parameter building would cost several times more than the database itself.
    """
    dialect = connection.dialect
    names = [column.key for column in table.columns]
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    order = list(compiled.positiontup) if compiled.positional else names
    processors = {column.key: column.type.bind_processor(dialect) for column in table.columns}
    for start in range(0, len(rows), INSERT_BATCH_ROWS):
        batch = rows[start : start + INSERT_BATCH_ROWS]
        columns = []
        for name in order:
            values = [row.get(name) for row in batch]
            process = processors[name]
            columns.append([process(v) for v in values] if process else values)
        records = list(zip(*columns, strict=True))
        params = (
            records if compiled.positional else [dict(zip(order, r, strict=True)) for r in records]
        )
        connection.exec_driver_sql(compiled.string, params)


def load_dimensions(warehouse: Warehouse, dims: DimensionsLike) -> dict[str, int]:
    """Replace the four dimension tables with ``dims`` in one transaction; row counts back."""
    tables = {t.name: t for t in ws.DIMENSION_TABLES}
    if set(dims) != set(tables):
        raise ValueError(f"dimension rows must be given for exactly {sorted(tables)}.")
    warehouse.ensure_tables(ws.DIMENSION_TABLES)  # DDL first: MySQL commits on DDL
    try:
        with warehouse.engine().begin() as connection:
            for table in ws.DIMENSION_TABLES:
                connection.execute(table.delete())
            for table in ws.DIMENSION_TABLES:
                _insert_all(connection, table, dims[table.name])
    except sa.exc.SQLAlchemyError as error:
        original = getattr(error, "orig", None) or error
        raise WarehouseError(
            f"Loading the dimension tables into {describe_url(warehouse.url)} failed "
            f"({type(original).__name__}: {str(original).splitlines()[0][:300]}); nothing was "
            "changed. Check SALES_WAREHOUSE_URL and that the server is up."
        ) from None
    return {name: len(rows) for name, rows in dims.items()}


def read_dimension_rows(warehouse: Warehouse) -> DimensionRows:
    """The dimension rows already in the warehouse (to land sales that reference them)."""
    inspector = sa.inspect(warehouse.engine())
    dims: DimensionRows = {}
    for table in ws.DIMENSION_TABLES:
        rows = warehouse.read_rows(table) if inspector.has_table(table.name) else []
        if not rows:
            raise WarehouseError(
                f"Dimension table {table.name!r} is missing or empty in "
                f"{describe_url(warehouse.url)}: load dimensions first (run generate without "
                "--skip-dimensions)."
            )
        dims[table.name] = rows
    return dims


# --- sales rows ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Keys:
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


def _keys(dims: DimensionsLike, seed: int) -> _Keys:
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
    return _Keys(
        customer_ids=customers,
        customer_fields=_objects(list(map(str, customers.tolist()))),
        customer_weights=weights[0] / weights[0].sum(),
        seller_ids=np.array(list(sellers), dtype=np.int64),
        seller_fields=_objects([str(i) for i in sellers]),
        seller_store_fields=_objects([str(i) for i in sellers.values()]),
        seller_weights=weights[1] / weights[1].sum(),
        store_ids=np.array([r["id"] for r in dims["store"]], dtype=np.int64),
        product_names=names,
        product_fields=_objects([_csv_field(n) for n in names]),
        product_cents=cents,
        price_fields=_objects([_cents_text(c) for c in cents.tolist()]),
        total_fields=_objects([_cents_text(c) for c in totals]),
    )


@dataclass(frozen=True)
class _Sample:
    """Valid sales rows as index/number columns."""

    customer: np.ndarray  # index into customer_ids
    seller: np.ndarray  # index into seller_ids
    product: np.ndarray
    day: np.ndarray  # 0-based day of the month
    quantity: np.ndarray
    payment: np.ndarray

    def total_cents(self, keys: _Keys) -> np.ndarray:
        return keys.product_cents[self.product] * self.quantity


def _sample(rng: np.random.Generator, keys: _Keys, days: int, n: int) -> _Sample:
    return _Sample(
        customer=rng.choice(len(keys.customer_ids), size=n, p=keys.customer_weights),
        seller=rng.choice(len(keys.seller_ids), size=n, p=keys.seller_weights),
        product=rng.integers(0, len(keys.product_names), n),
        day=rng.integers(0, days, n),
        quantity=rng.choice(np.arange(1, MAX_QUANTITY + 1), size=n, p=QUANTITY_WEIGHTS),
        payment=rng.choice(len(PAYMENT_MODES), size=n, p=PAYMENT_WEIGHTS),
    )


_QUANTITY_FIELDS = _objects([str(q) for q in range(1, MAX_QUANTITY + 1)])
_PAYMENT_FIELDS = _objects([_csv_field(p) for p in PAYMENT_MODES])


def _columns(sample: _Sample, keys: _Keys, month: str) -> dict[str, np.ndarray]:
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


def _records(columns: Mapping[str, np.ndarray], order: Sequence[str]) -> list[str]:
    """Join the columns into CSV records (fields are already quoted)."""
    return list(map(",".join, zip(*(columns[name].tolist() for name in order), strict=True)))


def _header(rng: np.random.Generator, messy: bool) -> tuple[list[str], list[str]]:
    """Shuffled column order and the header as written (messy: odd case and spaces)."""
    order = [*c.MANDATORY_COLUMNS, EXTRA_COLUMN]
    order = [order[i] for i in rng.permutation(len(order))]
    if not messy:
        return order, list(order)
    styles = (str.upper, str.title, lambda s: f" {s} ", lambda s: s)
    return order, [styles[i % len(styles)](name) for i, name in enumerate(order)]


def _encode(lines: Sequence[str], line_ending: str = "\n", bom: bool = False) -> bytes:
    text = line_ending.join(lines) + line_ending
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def _month_rng(seed: int, month: str, stream: int) -> np.random.Generator:
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
    rng = _month_rng(seed, month, 0)
    keys = _keys(dims, seed)
    order, header = _header(rng, messy=False)
    records = _records(_columns(_sample(rng, keys, last.day, rows), keys, month), order)
    return _encode([_csv_line(header), *records], line_ending, bom)


# --- fault injection -----------------------------------------------------------------------
@dataclass(frozen=True)
class RejectedRow:
    file: str
    line_number: int  # header is line 1, first record line 2 (records, not physical lines)
    reason: str


@dataclass
class MonthManifest:
    """What the pipeline must make of a month's landed files (SPEC section 2)."""

    sales_month: str
    processed_files: dict[str, int] = field(default_factory=dict)  # name -> rows read
    invalid_files: dict[str, str] = field(default_factory=dict)  # name -> reason
    duplicate_files: dict[str, str] = field(default_factory=dict)  # name -> original's name
    accepted_rows: int = 0
    accepted_total_cost: Decimal = Decimal("0.00")  # sum of accepted rows' own total_cost
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    # Accepted rows whose total_cost is off by 0.01 (within tolerance): (file, line_number).
    tolerance_rows: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.rejected_rows))

    @property
    def rejected_count(self) -> int:
        return len(self.rejected_rows)

    @property
    def rows_read(self) -> int:
        return sum(self.processed_files.values())

    @property
    def files(self) -> list[str]:
        """Every landed file name, in code-point order."""
        return sorted({**self.processed_files, **self.invalid_files, **self.duplicate_files})


@dataclass(frozen=True)
class _Special:
    """A hand-made line: a record with its expected outcome, or a blank line."""

    line: str  # "" is a blank line (not a record)
    reason: str | None = None  # None: accepted
    total_cents: int = 0  # the row's own total_cost, when accepted
    off_by_a_cent: bool = False


@dataclass(frozen=True)
class _Base:
    """A valid sales row to mutate into one fault."""

    values: dict[str, str]
    price_cents: int
    quantity: int

    def row(self, **overrides: str) -> dict[str, str]:
        return {**self.values, **overrides}

    def priced(self, price_cents: int, quantity: int, **overrides: str) -> dict[str, str]:
        """The row with another price and quantity; ``total_cost`` stays consistent."""
        consistent = {
            "price": _cents_text(price_cents),
            "quantity": str(quantity),
            "total_cost": _cents_text(price_cents * quantity),
        }
        return self.row(**{**consistent, **overrides})


def _bases(rng: np.random.Generator, keys: _Keys, month: str) -> Iterator[_Base]:
    """Endless fresh valid rows, with plain (unquoted) values."""
    while True:
        sample = _sample(rng, keys, month_bounds(month)[1].day, 16)
        columns = {k: v.tolist() for k, v in _columns(sample, keys, month).items()}
        columns["product_name"] = [keys.product_names[i] for i in sample.product.tolist()]
        columns[EXTRA_COLUMN] = [PAYMENT_MODES[i] for i in sample.payment.tolist()]
        prices = keys.product_cents[sample.product].tolist()
        for i, (price, quantity) in enumerate(zip(prices, sample.quantity.tolist(), strict=True)):
            yield _Base({k: v[i] for k, v in columns.items()}, price, quantity)


def _unused_id(ids: np.ndarray) -> int:
    top = int(ids.max())
    return top + 1 if top < INT32_MAX else int(ids.min()) - 1


def _unknown_product(known: set[str]) -> str:
    candidate = "Moonlight Saffron Tea 75g"
    while candidate in known:
        candidate += "+"
    return candidate


def _case_variant(name: str, known: set[str]) -> str | None:
    """The name in another case that is no product (join keys are case-sensitive)."""
    return next((v for v in (name.upper(), name.lower()) if v not in known), None)


def _row_faults(
    bases: Iterator[_Base], keys: _Keys, month: str, order: Sequence[str]
) -> list[_Special]:
    """One or more rows per row reason, each breaking exactly that rule (and no earlier one)."""
    first, last = month_bounds(month)
    specials: list[_Special] = []

    def add(reason: str, values: dict[str, str]) -> None:
        specials.append(_Special(_csv_line([values[n] for n in order]), reason))

    # 1. field count differs from the header
    for fields in (
        [next(bases).values[n] for n in order][:-1],
        [*[next(bases).values[n] for n in order], "extra"],
        ["garbage"],
    ):
        specials.append(_Special(_csv_line(fields), c.REASON_MALFORMED_ROW))
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
        add(c.REASON_TOTAL_COST_MISMATCH, base.row(total_cost=_cents_text(total)))
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
    return specials + _accepted_edge_rows(bases, order)


def _accepted_edge_rows(bases: Iterator[_Base], order: Sequence[str]) -> list[_Special]:
    """Valid rows in unusual but accepted forms."""
    rows: list[tuple[dict[str, str], int, bool]] = []
    for gap in (1, -1):  # total_cost within the 0.01 tolerance: kept as written
        base = next(bases)
        total = base.price_cents * base.quantity + gap
        rows.append((base.row(total_cost=_cents_text(total)), total, True))
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
        _Special(_csv_line([values[n] for n in order]), None, total, off)
        for values, total, off in rows
    ]


def _total(base: _Base) -> int:
    return base.price_cents * base.quantity


@dataclass
class _DataFile:
    """A valid data file being built: bulk records plus hand-made lines."""

    name: str
    header: list[str]
    records: list[str]
    bulk_cents: int
    specials: list[_Special] = field(default_factory=list)
    line_ending: str = "\n"
    bom: bool = False

    def build(self, rng: np.random.Generator, manifest: MonthManifest) -> bytes:
        """Scatter the specials among the records and book every outcome in ``manifest``."""
        order = rng.permutation(len(self.specials))
        positions = np.sort(rng.integers(0, len(self.records) + 1, len(self.specials)))
        lines, start, placed = [_csv_line(self.header)], 0, 0
        cents = self.bulk_cents
        for position, index in zip(positions.tolist(), order.tolist(), strict=True):
            special = self.specials[index]
            lines.extend(self.records[start:position])
            lines.append(special.line)
            start = position
            if not special.line:
                continue
            line_number = position + placed + 2
            placed += 1
            if special.reason:
                manifest.rejected_rows.append(RejectedRow(self.name, line_number, special.reason))
            else:
                cents += special.total_cents
                manifest.accepted_rows += 1
                if special.off_by_a_cent:
                    manifest.tolerance_rows.append((self.name, line_number))
        lines.extend(self.records[start:])
        manifest.processed_files[self.name] = len(self.records) + placed
        manifest.accepted_rows += len(self.records)
        manifest.accepted_total_cost += _cents_to_decimal(cents)
        return _encode(lines, self.line_ending, self.bom)


def _data_file(
    rng: np.random.Generator, keys: _Keys, month: str, name: str, rows: int, messy: bool
) -> tuple[_DataFile, list[str]]:
    order, header = _header(rng, messy)
    sample = _sample(rng, keys, month_bounds(month)[1].day, rows)
    records = _records(_columns(sample, keys, month), order)
    return _DataFile(name, header, records, int(sample.total_cents(keys).sum())), order


def _invalid_files(bases: Iterator[_Base], order: Sequence[str]) -> dict[str, tuple[bytes, str]]:
    """Files the pipeline must quarantine: name -> (bytes, reason)."""
    header = _csv_line(order)
    latin1_row = next(bases).row(product_name="Café Latte 250g")
    # Latin-1 writes 'é' as the single byte 0xE9, which is not valid UTF-8.
    latin1 = f"{header}\n{_csv_line([latin1_row[n] for n in order])}\n".encode("latin-1")
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
        "badquote.csv": (_encode([header, bad_quote]), c.REASON_UNREADABLE),
        "missing.csv": (
            _encode([_csv_line(without), _csv_line([missing_row[n] for n in without])]),
            f"{c.REASON_MISSING_COLUMNS}:price,quantity",
        ),
        "dupcols.csv": (
            _encode([_csv_line(dup_header), _csv_line(dup_fields)]),
            c.REASON_DUPLICATE_COLUMNS,
        ),
    }


def generate_month_files(
    month: str,
    rows: int,
    dims: DimensionsLike,
    seed: int = 42,
    *,
    faults: bool = True,
) -> tuple[dict[str, bytes], MonthManifest]:
    """The files of one month folder (name -> bytes) and what the pipeline must make of them.

    ``rows`` valid sales rows are spread over the data files. With ``faults`` the month also
    gets the fault rows, blank lines, odd headers, CRLF and BOM files, invalid files and a
    duplicate of the main file.
    """
    return _month_files(_keys(dims, seed), month, rows, seed, faults)


def _month_files(
    keys: _Keys, month: str, rows: int, seed: int, faults: bool
) -> tuple[dict[str, bytes], MonthManifest]:
    if rows < 0:
        raise ValueError(f"rows={rows} is negative.")
    rng = _month_rng(seed, month, 1)
    manifest = MonthManifest(sales_month=month)
    main_name = f"sales_{month.replace('-', '_')}.csv"
    if not faults:
        main, _ = _data_file(rng, keys, month, main_name, rows, messy=False)
        return {main_name: main.build(rng, manifest)}, manifest

    side_rows = min(rows // 10, SIDE_FILE_MAX_ROWS)
    stem = main_name.removesuffix(".csv")
    main, order = _data_file(rng, keys, month, main_name, rows - 2 * side_rows, messy=True)
    bases = _bases(rng, keys, month)
    main.specials = _row_faults(bases, keys, month, order) + [_Special("")] * 3
    crlf, _ = _data_file(rng, keys, month, f"{stem}_crlf.csv", side_rows, messy=False)
    crlf.line_ending = "\r\n"
    crlf.specials = [_Special("")]
    bom, _ = _data_file(rng, keys, month, f"{stem}_bom.CSV", side_rows, messy=True)
    bom.bom = True
    header_only, _ = _data_file(rng, keys, month, "header_only.csv", 0, messy=False)

    files = {f.name: f.build(rng, manifest) for f in (main, crlf, bom, header_only)}
    files[main_name] += b"\n"  # a trailing blank line
    # Same bytes as the main file, and a name that sorts after it: a duplicate.
    files["sales_copy.csv"] = files[main_name]
    manifest.duplicate_files["sales_copy.csv"] = main_name
    for name, (content, reason) in _invalid_files(bases, order).items():
        files[name] = content
        manifest.invalid_files[name] = reason
    return files, manifest


def generate_landing(
    landing_zone: LandingZone,
    months: Sequence[str],
    rows_per_month: int,
    dims: DimensionsLike,
    seed: int = 42,
    faults: bool = True,
) -> dict[str, MonthManifest]:
    """Land every month's files under ``sales/YYYY-MM/``; the manifests by month."""
    keys = _keys(dims, seed)
    manifests = {}
    for month in months:
        files, manifests[month] = _month_files(keys, month, rows_per_month, seed, faults)
        for name, content in files.items():
            landing_zone.write_file(month, name, content)
    return manifests

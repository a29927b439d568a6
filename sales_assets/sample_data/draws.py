"""Random draws of whole columns: words, dates, people's names and Indian street addresses.

One numpy call per column rather than one per row keeps a million customers to seconds; the
draws are made in a fixed order from the caller's generator, so a seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from sales_assets.sample_data.words import CITIES, FIRST_NAMES, LAST_NAMES, STREET_KINDS, STREETS


def pick_words(rng: np.random.Generator, words: Sequence[Any], n: int) -> np.ndarray:
    """``n`` words drawn uniformly, with repeats."""
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]


def random_dates(rng: np.random.Generator, first: dt.date, last: dt.date, n: int) -> list[dt.date]:
    """Uniform dates in [first, last]; numpy's datetime64 gives ``date`` objects in bulk."""
    offsets = rng.integers(0, (last - first).days + 1, n)
    return (np.datetime64(first, "D") + offsets).tolist()


def random_people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last names."""
    return pick_words(rng, FIRST_NAMES, n), pick_words(rng, LAST_NAMES, n)


def random_addresses(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Street addresses and matching six-digit pincodes."""
    city_index = rng.integers(0, len(CITIES), n)
    house = rng.integers(1, 400, n).tolist()
    streets = pick_words(rng, STREETS, n).tolist()
    kinds = pick_words(rng, STREET_KINDS, n).tolist()
    cities = [CITIES[i][0] for i in city_index.tolist()]
    prefixes = np.array([p for _, p in CITIES])[city_index]
    pincodes = (prefixes * 1000 + rng.integers(1, 100, n)).astype(str).tolist()
    addresses = [
        f"{h}, {s} {k}, {city}" for h, s, k, city in zip(house, streets, kinds, cities, strict=True)
    ]
    return addresses, pincodes

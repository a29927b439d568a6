"""What the landing sensor sees of a month folder: its entries as listed, never opened."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from sales_assets.partitions import month_bounds


@dataclass(frozen=True)
class FolderEntry:
    """One entry of a month folder as listed, without reading it."""

    name: str  # path below the month folder (on S3 it may hold "/": ``extra/a.csv``)
    size: int
    modified: float  # POSIX seconds
    version: str  # what changes with the content: mtime in ns locally, the ETag on S3

    @property
    def token(self) -> str:
        """A short stable hash of (name, size, version): equal tokens, same entry."""
        return _sha256(json.dumps([self.name, self.size, self.version]))[:16]


@dataclass(frozen=True)
class MonthSnapshot:
    """A month folder as listed: its entries by name, and a fingerprint of them all."""

    sales_month: str
    entries: tuple[FolderEntry, ...]  # sorted by name

    @property
    def fingerprint(self) -> str:
        """sha256 of the sorted (name, size, version) of every entry: changes with any
        file added, removed, rewritten or touched."""
        return _sha256(json.dumps([[e.name, e.size, e.version] for e in self.entries]))

    @property
    def total_bytes(self) -> int:
        return sum(e.size for e in self.entries)

    @property
    def last_modified(self) -> float | None:
        return max((e.modified for e in self.entries), default=None)


def is_month_folder(name: str) -> bool:
    """Whether a folder name under ``sales/`` is a month (``2024-13`` is not)."""
    try:
        month_bounds(name)
    except ValueError:
        return False
    return True


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()  # json.dumps: ASCII only


def snapshot(sales_month: str, entries: list[FolderEntry]) -> MonthSnapshot:
    return MonthSnapshot(sales_month, tuple(sorted(entries, key=lambda e: e.name)))


def local_entries(folder: str) -> list[FolderEntry] | None:
    try:
        listing = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return None
    entries = []
    for entry in listing:
        try:
            stat = entry.stat(follow_symlinks=False)
        except FileNotFoundError:  # removed between the listing and the stat
            continue
        entries.append(
            FolderEntry(entry.name, stat.st_size, stat.st_mtime_ns / 1e9, str(stat.st_mtime_ns))
        )
    return entries

"""Where landed files live: a local folder or an S3 prefix, behind the same few operations.

The one place that knows the difference between the two backends of the landing zone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sales_assets.resources.landing_snapshots import (
    FolderEntry,
    MonthSnapshot,
    is_month_folder,
    local_entries,
    snapshot,
)

SALES_FOLDER = "sales"
INVALID_FOLDER = "invalid"
READ_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class LandedFile:
    sales_month: str
    name: str  # name within the month folder
    location: str  # where Spark reads it (absolute path or s3a:// URI)
    size: int

    @property
    def key(self) -> tuple[str, str]:
        return self.sales_month, self.name

    @property
    def needs_parsing(self) -> bool:
        """Whether Spark must read it: a non-CSV name or 0 bytes is judged without reading."""
        return self.name.lower().endswith(".csv") and self.size > 0


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _month_dir(self, sales_month: str) -> Path:
        return self.root / SALES_FOLDER / sales_month

    def month_files(self, sales_month: str) -> list[LandedFile]:
        folder = self._month_dir(sales_month)
        if not folder.is_dir():
            return []
        return [
            LandedFile(sales_month, p.name, str(p), p.stat().st_size)
            for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.is_file()
        ]

    def sha256(self, landed: LandedFile) -> str:
        digest = hashlib.sha256()
        with open(landed.location, "rb") as handle:
            for block in iter(lambda: handle.read(READ_BLOCK_BYTES), b""):
                digest.update(block)
        return digest.hexdigest()

    def read_bytes(self, landed: LandedFile) -> bytes:
        return Path(landed.location).read_bytes()

    def quarantine(self, landed: LandedFile) -> str:
        target_dir = self.root / INVALID_FOLDER / SALES_FOLDER / landed.sales_month
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / landed.name
        shutil.move(landed.location, target)
        return str(target)

    def write_file(self, sales_month: str, name: str, content: bytes) -> None:
        folder = self._month_dir(sales_month)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)

    def month_folders(self) -> tuple[dict[str, MonthSnapshot], list[str]]:
        """Every month folder under ``sales/`` as listed (entries are stat-ed, never opened
        nor followed), and the sorted names of what else is there: folders that are not a
        month end with "/" (``misc/``, ``2024-13/``), stray files do not."""
        months: dict[str, MonthSnapshot] = {}
        others: list[str] = []
        try:
            listing = list(os.scandir(self.root / SALES_FOLDER))
        except (FileNotFoundError, NotADirectoryError):
            return {}, []
        for entry in listing:
            # A month folder is read the way month_files reads it: a link to a folder counts.
            is_folder = entry.is_dir()
            if is_folder and is_month_folder(entry.name):
                entries = local_entries(entry.path)
                if entries is not None:  # None: gone since the listing
                    months[entry.name] = snapshot(entry.name, entries)
            else:
                others.append(entry.name + "/" if is_folder else entry.name)
        return months, sorted(others)


class S3Store:
    """The same operations on ``s3a://bucket/prefix`` (S3 has no rename: copy, then delete)."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def month_files(self, sales_month: str) -> list[LandedFile]:
        folder = self._key(SALES_FOLDER, sales_month) + "/"
        files = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder, Delimiter="/"
        ):
            for item in page.get("Contents", []):
                name = item["Key"][len(folder) :]
                if name:  # skip a folder marker
                    files.append(
                        LandedFile(
                            sales_month, name, f"s3a://{self.bucket}/{item['Key']}", item["Size"]
                        )
                    )
        return sorted(files, key=lambda f: f.name)

    def _object_key(self, landed: LandedFile) -> str:
        return self._key(SALES_FOLDER, landed.sales_month, landed.name)

    def _body(self, landed: LandedFile) -> Any:
        return self.client.get_object(Bucket=self.bucket, Key=self._object_key(landed))["Body"]

    def sha256(self, landed: LandedFile) -> str:
        body = self._body(landed)
        digest = hashlib.sha256()
        for block in iter(lambda: body.read(READ_BLOCK_BYTES), b""):
            digest.update(block)
        return digest.hexdigest()

    def read_bytes(self, landed: LandedFile) -> bytes:
        return self._body(landed).read()

    def quarantine(self, landed: LandedFile) -> str:
        source = self._object_key(landed)
        target = self._key(INVALID_FOLDER, SALES_FOLDER, landed.sales_month, landed.name)
        self.client.copy_object(
            Bucket=self.bucket, Key=target, CopySource={"Bucket": self.bucket, "Key": source}
        )
        self.client.delete_object(Bucket=self.bucket, Key=source)
        return f"s3a://{self.bucket}/{target}"

    def write_file(self, sales_month: str, name: str, content: bytes) -> None:
        key = self._key(SALES_FOLDER, sales_month, name)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=content)

    def month_folders(self) -> tuple[dict[str, MonthSnapshot], list[str]]:
        """The same as :meth:`LocalStore.month_folders`, from one listing of every key under
        ``sales/`` (no delimiter: keys below a sub-prefix of a month count as its entries).
        An entry's version is its ETag."""
        root = self._key(SALES_FOLDER) + "/"
        entries: dict[str, list[FolderEntry]] = {}
        others: set[str] = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=root
        ):
            for item in page.get("Contents", []):
                first, slash, below = item["Key"][len(root) :].partition("/")
                if not first and not slash:
                    continue  # the marker of sales/ itself
                if not slash:
                    others.add(first)  # a file directly under sales/
                elif not is_month_folder(first):
                    others.add(first + "/")
                else:
                    month = entries.setdefault(first, [])
                    if below:  # not the folder marker
                        month.append(
                            FolderEntry(
                                below,
                                item["Size"],
                                item["LastModified"].timestamp(),
                                item["ETag"].strip('"'),
                            )
                        )
        months = {name: snapshot(name, found) for name, found in entries.items()}
        return months, sorted(others)

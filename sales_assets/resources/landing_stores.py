"""Where landed files live: a local folder or an S3 prefix, behind the same few operations.

The one place that knows the difference between the two backends of the landing zone.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sales_assets.resources.landing_reader import open_regular_file
from sales_assets.resources.landing_snapshots import (
    FolderEntry,
    MonthSnapshot,
    is_month_folder,
    local_entries,
    snapshot,
)
from sales_assets.transforms.contract import REASON_BAD_FILE_NAME, REASON_NOT_REGULAR_FILE

SALES_FOLDER = "sales"
INVALID_FOLDER = "invalid"
READ_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class LandedFile:
    """An entry of a month folder, as listed: never opened here."""

    sales_month: str
    name: str  # as audited: within the month folder, undecodable bytes shown as \xNN
    location: str  # absolute path or s3a:// URI
    size: int
    regular: bool = True  # False: a link, folder, FIFO, socket, or an S3 key below a sub-prefix
    name_ok: bool = True  # False: the name is not valid UTF-8

    @property
    def key(self) -> tuple[str, str]:
        return self.sales_month, self.name

    @property
    def readable(self) -> bool:
        return self.regular and self.name_ok

    @property
    def unread_reason(self) -> str | None:
        """Why the entry is judged without reading it (SPEC order), or None."""
        if not self.regular:
            return REASON_NOT_REGULAR_FILE
        if not self.name_ok:
            return REASON_BAD_FILE_NAME
        return None


def display_name(name: str) -> str:
    r"""A local name as text: bytes that are not UTF-8 (kept by Python as surrogates) as
    ``\xNN``."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _local_entry(sales_month: str, entry: os.DirEntry) -> LandedFile:
    info = entry.stat(follow_symlinks=False)  # the entry itself: a link is not followed
    return LandedFile(
        sales_month,
        display_name(entry.name),
        entry.path,
        info.st_size,
        regular=stat.S_ISREG(info.st_mode),
        name_ok=display_name(entry.name) == entry.name,
    )


def _regular_file_sha256(path: str) -> str | None:
    """sha256 of a regular file's bytes (streamed); None for any other kind of entry."""
    try:
        handle = open_regular_file(path)
    except OSError:
        return None
    if handle is None:
        return None
    digest = hashlib.sha256()
    with handle:
        for block in iter(lambda: handle.read(READ_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry_token(path: str) -> str:
    """A stand-in for the sha256 of an entry that has no bytes to hash (a link, a folder)."""
    info = os.lstat(path)
    token = f"{path}|{info.st_ino}|{info.st_mtime_ns}".encode(errors="surrogateescape")
    return hashlib.sha256(token).hexdigest()


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _month_dir(self, sales_month: str) -> Path:
        return self.root / SALES_FOLDER / sales_month

    def month_files(self, sales_month: str) -> list[LandedFile]:
        """Every entry of the month folder, by name (code-point order of the bytes)."""
        try:
            listing = list(os.scandir(self._month_dir(sales_month)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        return sorted((_local_entry(sales_month, e) for e in listing), key=lambda f: f.name)

    def quarantine(self, landed: LandedFile, content_sha256: str | None) -> str:
        """Move an entry (a link or folder as itself) to ``invalid/sales/YYYY-MM/``, never
        over other bytes: a name already taken by other bytes gets ``.<sha256[:12]>``, and a
        copy of bytes already there is removed. Returns where the entry is now."""
        target_dir = self.root / INVALID_FOLDER / SALES_FOLDER / landed.sales_month
        target_dir.mkdir(parents=True, exist_ok=True)
        base = str(target_dir / os.path.basename(landed.location))
        suffix = (content_sha256 or _entry_token(landed.location))[:12]
        for target in (base, f"{base}.{suffix}"):
            if not os.path.lexists(target):
                os.rename(landed.location, target)
                return target
            if content_sha256 and _regular_file_sha256(target) == content_sha256:
                os.unlink(landed.location)  # the same bytes are already in quarantine
                return target
        raise FileExistsError(
            f"Cannot quarantine {landed.location}: {base} and {base}.{suffix} hold other "
            "entries. Move them aside and re-run the month."
        )

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
        """Every object of the month folder, by name; one whose key goes deeper than the
        month folder is not a regular file, named by its path below the month folder."""
        folder = self._key(SALES_FOLDER, sales_month) + "/"
        files = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder
        ):
            for item in page.get("Contents", []):
                name = item["Key"][len(folder) :]
                if name:  # skip the month folder's own marker
                    location = f"s3a://{self.bucket}/{item['Key']}"
                    files.append(
                        LandedFile(sales_month, name, location, item["Size"], "/" not in name)
                    )
        return sorted(files, key=lambda f: f.name)

    def quarantine(self, landed: LandedFile, content_sha256: str | None) -> str:
        """As :meth:`LocalStore.quarantine`; the sha256 rides along as object metadata so a
        later quarantine can tell same bytes from other bytes without reading."""
        source = self._key(SALES_FOLDER, landed.sales_month, landed.name)
        base = self._key(INVALID_FOLDER, SALES_FOLDER, landed.sales_month, landed.name)
        suffix = (content_sha256 or hashlib.sha256(source.encode()).hexdigest())[:12]
        for target in (base, f"{base}.{suffix}"):
            existing = self._sha256_metadata(target)
            if existing is None:
                self.client.copy_object(
                    Bucket=self.bucket,
                    Key=target,
                    CopySource={"Bucket": self.bucket, "Key": source},
                    Metadata={"sha256": content_sha256 or ""},
                    MetadataDirective="REPLACE",
                )
            if existing is None or (content_sha256 and existing == content_sha256):
                self.client.delete_object(Bucket=self.bucket, Key=source)
                return f"s3a://{self.bucket}/{target}"
        raise FileExistsError(
            f"Cannot quarantine s3a://{self.bucket}/{source}: {base} and its .{suffix} copy "
            "hold other bytes. Move them aside and re-run the month."
        )

    def _sha256_metadata(self, key: str) -> str | None:
        """The sha256 recorded on a quarantined object; "" when unknown; None if absent."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head.get("Metadata", {}).get("sha256", "")

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

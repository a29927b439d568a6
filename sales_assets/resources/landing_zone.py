"""The landing zone: list a month's files, hash, quarantine. Local folders or S3."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from sales_assets.config import is_s3_uri, normalize_uri

SALES_FOLDER = "sales"
INVALID_FOLDER = "invalid"


@dataclass(frozen=True)
class LandedFile:
    sales_month: str
    name: str  # name within the month folder
    spark_path: str  # where Spark reads it (absolute path or s3a:// URI)
    size: int

    @property
    def needs_parsing(self) -> bool:
        """Whether Spark must read it: a non-CSV name or 0 bytes is judged without reading."""
        return self.name.lower().endswith(".csv") and self.size > 0


def is_hidden_name(name: str) -> bool:
    """Names Spark and Hadoop treat as not there: in-flight uploads and hidden files."""
    return name.startswith((".", "_")) or name.endswith("._COPYING_")


class LandingZone(dg.ConfigurableResource):
    """Root of the landing zone: ``{uri}/sales/YYYY-MM/`` holds a month's files."""

    uri: str

    def _store(self) -> _LocalStore:
        root = normalize_uri(self.uri, "SALES_LANDING_URI")
        if is_s3_uri(root):
            raise NotImplementedError("S3 landing zone: see the S3 store")
        return _LocalStore(Path(root))

    def month_files(self, sales_month: str) -> list[LandedFile]:
        """Every regular file in the month folder, sorted by name (code-point order)."""
        return self._store().month_files(sales_month)

    def sha256(self, landed: LandedFile) -> str:
        return self._store().sha256(landed)

    def quarantine(self, landed: LandedFile) -> str:
        """Move an invalid file to ``invalid/sales/YYYY-MM/``; returns where it went."""
        return self._store().quarantine(landed)

    def write_file(self, sales_month: str, name: str, content: bytes) -> None:
        """Land a file (used by the sample-data generator and tests)."""
        self._store().write_file(sales_month, name, content)


class _LocalStore:
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
        with open(landed.spark_path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def quarantine(self, landed: LandedFile) -> str:
        target_dir = self.root / INVALID_FOLDER / SALES_FOLDER / landed.sales_month
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / landed.name
        shutil.move(landed.spark_path, target)
        return str(target)

    def write_file(self, sales_month: str, name: str, content: bytes) -> None:
        folder = self._month_dir(sales_month)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)

"""The landing zone: list a month's files, hash, quarantine. Local folders or S3."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
from dagster_aws.s3 import S3Resource

from sales_assets.config import Settings, is_s3_uri, normalize_uri

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


def spark_skips(name: str) -> bool:
    """Names Spark's file sources drop even when named explicitly (hidden files)."""
    return name.startswith((".", "_"))


class LandingZone(dg.ConfigurableResource):
    """Root of the landing zone: ``{uri}/sales/YYYY-MM/`` holds a month's files.

    A local folder or ``s3://bucket/prefix``; S3 goes through dagster-aws ``S3Resource``
    (endpoint and region from the environment, credentials from boto3's usual chain)."""

    uri: str
    s3: S3Resource

    @classmethod
    def from_settings(cls, settings: Settings) -> LandingZone:
        return cls(
            uri=settings.landing_uri,
            s3=S3Resource(endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region),
        )

    def _store(self) -> _LocalStore | _S3Store:
        root = normalize_uri(self.uri, "SALES_LANDING_URI")
        if is_s3_uri(root):
            return _S3Store(self.s3.get_client(), root)
        return _LocalStore(Path(root))

    def month_files(self, sales_month: str) -> list[LandedFile]:
        """Every regular file in the month folder, sorted by name (code-point order)."""
        return self._store().month_files(sales_month)

    def sha256(self, landed: LandedFile) -> str:
        return self._store().sha256(landed)

    def read_bytes(self, landed: LandedFile) -> bytes:
        """A file's bytes on the driver: only for the rare files Spark will not read."""
        return self._store().read_bytes(landed)

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

    def read_bytes(self, landed: LandedFile) -> bytes:
        return Path(landed.spark_path).read_bytes()

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


class _S3Store:
    """The same operations on ``s3a://bucket/prefix`` (S3 has no rename: copy, then delete)."""

    def __init__(self, client, root: str) -> None:
        self.client = client
        parsed = urlparse(root)
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")

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

    def sha256(self, landed: LandedFile) -> str:
        body = self.client.get_object(Bucket=self.bucket, Key=self._object_key(landed))["Body"]
        digest = hashlib.sha256()
        for block in iter(lambda: body.read(1 << 20), b""):
            digest.update(block)
        return digest.hexdigest()

    def read_bytes(self, landed: LandedFile) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._object_key(landed))[
            "Body"
        ].read()

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

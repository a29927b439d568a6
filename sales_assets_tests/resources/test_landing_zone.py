"""The landing zone lists a month's files, reads them once and keeps one copy per content."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.s3 import S3

CSV = b"customer_id,store_id\n1,2\n"


@pytest.fixture
def landing_zone(tmp_path: Path) -> LandingZone:
    return LandingZone(uri=str(tmp_path / "landing"), s3=S3())


def test_land_reads_every_name_once_per_content(landing_zone, spark):
    for name, content in {
        "b.csv": CSV,
        "a.csv": CSV,  # same bytes, earlier name: the one read
        "sales [1].csv": b"x\n",  # Hadoop glob characters
        "_hidden.csv": b"y\n",  # Spark hides it: read through the driver
        "notes.txt": b"hello",  # judged by its name
        "zero.csv": b"",  # judged by its size
    }.items():
        landing_zone.write_file("2024-01", name, content)
    landing_zone.write_file("2024-02", "a.csv", CSV)

    landed = landing_zone.land(spark, ["2024-01", "2024-02"])

    assert [f.key for f in landed.files] == [
        ("2024-01", "_hidden.csv"),
        ("2024-01", "a.csv"),
        ("2024-01", "b.csv"),
        ("2024-01", "notes.txt"),
        ("2024-01", "sales [1].csv"),
        ("2024-01", "zero.csv"),
        ("2024-02", "a.csv"),
    ]
    assert landed.first_of[("2024-01", "b.csv")] == ("2024-01", "a.csv")
    assert landed.first_of[("2024-02", "a.csv")] == ("2024-02", "a.csv")
    assert set(landed.unparsed) == {("2024-01", "notes.txt"), ("2024-01", "zero.csv")}
    contents = {(r.sales_month, r.source_file): bytes(r.content) for r in landed.contents.collect()}
    assert contents == {
        ("2024-01", "_hidden.csv"): b"y\n",
        ("2024-01", "a.csv"): CSV,
        ("2024-01", "sales [1].csv"): b"x\n",
        ("2024-02", "a.csv"): CSV,
    }


def test_a_month_with_no_files_lands_nothing(landing_zone, spark):
    landed = landing_zone.land(spark, ["2024-03"])
    assert landed.files == [] and landed.contents.count() == 0


def test_quarantine_moves_the_file_to_the_invalid_folder(landing_zone, tmp_path):
    landing_zone.write_file("2024-01", "notes.txt", b"hello")
    [landed] = landing_zone.month_files("2024-01")
    target = landing_zone.quarantine(landed)
    assert Path(target) == tmp_path / "landing" / "invalid" / "sales" / "2024-01" / "notes.txt"
    assert Path(target).read_bytes() == b"hello"
    assert landing_zone.month_files("2024-01") == []

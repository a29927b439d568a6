"""The landing zone lists a month's files, reads them once and keeps one copy per content."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from sales_assets.resources.landing_zone import LandingZone, spread_by_size
from sales_assets.resources.s3 import S3

CSV = b"customer_id,store_id\n1,2\n"


@pytest.fixture
def landing_zone(tmp_path: Path) -> LandingZone:
    return LandingZone(uri=str(tmp_path / "landing"), s3=S3())


def _parse_keys(landed) -> set:
    return {(r.sales_month, r.source_file) for r in landed.to_parse.collect()}


def test_land_hashes_every_file_in_the_executors_and_parses_one_per_content(landing_zone, spark):
    for name, content in {
        "b.csv": CSV,
        "a.csv": CSV,  # same bytes, earlier name: the one parsed
        "sales [1].csv": b"x\n",  # Hadoop glob characters
        "_hidden.csv": b"y\n",  # a name Spark's file sources would hide
        "a:b.csv": b"z\n",  # a name Hadoop paths refuse
        "notes.txt": CSV,  # judged by its name, even with a CSV's bytes
        "zero.csv": b"",
    }.items():
        landing_zone.write_file("2024-01", name, content)
    landing_zone.write_file("2024-02", "a.csv", CSV)

    landed = landing_zone.land(spark, ["2024-01", "2024-02"])

    assert [f.key for f in landed.files] == [
        ("2024-01", "_hidden.csv"),
        ("2024-01", "a.csv"),
        ("2024-01", "a:b.csv"),
        ("2024-01", "b.csv"),
        ("2024-01", "notes.txt"),
        ("2024-01", "sales [1].csv"),
        ("2024-01", "zero.csv"),
        ("2024-02", "a.csv"),
    ]
    assert landed.first_of[("2024-01", "b.csv")] == ("2024-01", "a.csv")
    assert landed.first_of[("2024-02", "a.csv")] == ("2024-02", "a.csv")
    assert landed.judged_unparsed == {
        ("2024-01", "notes.txt"): ("not_csv", hashlib.sha256(CSV).hexdigest())
    }
    assert _parse_keys(landed) == {
        ("2024-01", "_hidden.csv"),
        ("2024-01", "a.csv"),
        ("2024-01", "a:b.csv"),
        ("2024-01", "sales [1].csv"),
        ("2024-01", "zero.csv"),
        ("2024-02", "a.csv"),
    }


def test_entries_that_are_not_regular_files_are_never_read(landing_zone, tmp_path, spark):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(CSV)
    landing_zone.write_file("2024-01", "ok.csv", CSV)
    month = tmp_path / "landing" / "sales" / "2024-01"
    (month / "leak.csv").symlink_to(outside)
    (month / "broken.csv").symlink_to(tmp_path / "nowhere.csv")
    (month / "folder").mkdir()
    (month / "x.csv").mkdir()
    os.mkfifo(month / "pipe.csv")  # opening it for reading would block the run
    odd = os.fsdecode(b"caf\xe9.csv")  # Latin-1 bytes: not a UTF-8 name
    (month / odd).write_bytes(CSV)

    landed = landing_zone.land(spark, ["2024-01"])

    assert landed.judged_unparsed == {
        ("2024-01", "leak.csv"): ("not_regular_file", None),
        ("2024-01", "broken.csv"): ("not_regular_file", None),
        ("2024-01", "folder"): ("not_regular_file", None),
        ("2024-01", "x.csv"): ("not_regular_file", None),
        ("2024-01", "pipe.csv"): ("not_regular_file", None),
        ("2024-01", "caf\\xe9.csv"): ("bad_file_name", None),
    }
    assert _parse_keys(landed) == {("2024-01", "ok.csv")}


def test_a_month_with_no_files_lands_nothing(landing_zone, spark):
    landed = landing_zone.land(spark, ["2024-03"])
    assert landed.files == [] and landed.to_parse.count() == 0


def test_quarantine_moves_the_file_to_the_invalid_folder(landing_zone, tmp_path):
    landing_zone.write_file("2024-01", "notes.txt", b"hello")
    [landed] = landing_zone.month_files("2024-01")
    target = landing_zone.quarantine(landed, hashlib.sha256(b"hello").hexdigest())
    assert Path(target) == tmp_path / "landing" / "invalid" / "sales" / "2024-01" / "notes.txt"
    assert Path(target).read_bytes() == b"hello"
    assert landing_zone.month_files("2024-01") == []


def test_quarantine_never_overwrites_other_bytes(landing_zone, tmp_path):
    invalid = tmp_path / "landing" / "invalid" / "sales" / "2024-01"
    for content in (b"first", b"second", b"second"):
        landing_zone.write_file("2024-01", "notes.txt", content)
        [landed] = landing_zone.month_files("2024-01")
        landing_zone.quarantine(landed, hashlib.sha256(content).hexdigest())
    second = f"notes.txt.{hashlib.sha256(b'second').hexdigest()[:12]}"
    assert sorted(os.listdir(invalid)) == ["notes.txt", second]
    assert (invalid / "notes.txt").read_bytes() == b"first"  # the first version is kept
    assert (invalid / second).read_bytes() == b"second"  # the same bytes again: removed
    assert landing_zone.month_files("2024-01") == []


def test_a_link_is_quarantined_as_itself(landing_zone, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(CSV)
    landing_zone.write_file("2024-01", "ok.csv", CSV)
    month = tmp_path / "landing" / "sales" / "2024-01"
    (month / "leak.csv").symlink_to(outside)
    link = next(f for f in landing_zone.month_files("2024-01") if f.name == "leak.csv")
    target = Path(landing_zone.quarantine(link, None))
    assert target.is_symlink() and outside.read_bytes() == CSV  # the target is untouched


def test_files_spread_over_tasks_by_size_with_a_big_file_alone():
    sizes = [70, 1, 2, 3, 60, 4, 5]
    groups = spread_by_size(sizes, 3)
    assert sorted(i for g in groups for i in g) == list(range(len(sizes)))
    totals = sorted(sum(sizes[i] for i in g) for g in groups)
    assert totals == [15, 60, 70]
    assert spread_by_size([5, 5], 8) == [[0], [1]]
    assert spread_by_size([], 4) == []

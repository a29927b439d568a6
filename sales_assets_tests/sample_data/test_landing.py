"""Month folders: the files a faulty month promises, a clean month, and the landing zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_assets import sample_data
from sales_assets.config import Settings
from sales_assets.resources.landing_zone import LandingZone
from sales_assets_tests.sample_data.spec_rules import known_keys, read_records, row_outcomes

BOM = b"\xef\xbb\xbf"


def test_files_have_the_promised_bytes(
    faulty: tuple[dict[str, bytes], sample_data.MonthManifest],
) -> None:
    files, manifest = faulty
    main = "sales_2024_02.csv"
    assert sorted(files) == manifest.files
    assert files["empty.csv"] == b""
    assert b"\xe9" in files["latin1.csv"] and files["latin1_copy.csv"] == files["latin1.csv"]
    with pytest.raises(UnicodeDecodeError):
        files["latin1.csv"].decode("utf-8")
    assert not files["notes.txt"].startswith(b"\xef")
    assert files["sales_copy.csv"] == files[main] and main < "sales_copy.csv"
    assert manifest.duplicate_files == {"sales_copy.csv": main}
    crlf = files["sales_2024_02_crlf.csv"]
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 1
    assert files["sales_2024_02_bom.CSV"].startswith(BOM)
    assert b"\n\n" in files[main] and files[main].endswith(b"\n\n")  # blank lines
    assert b'"Card, split\nwith ""cash"""' in files[main]
    missing_header = read_records(files["missing.csv"])[0]
    assert "price" not in missing_header and "quantity" not in missing_header
    dup_header = read_records(files["dupcols.csv"])[0]
    assert dup_header.count("price") == 2
    assert manifest.invalid_files == {
        "notes.txt": "not_csv",
        "empty.csv": "empty",
        "blank_lines.csv": "empty",
        "latin1.csv": "unreadable",
        "latin1_copy.csv": "unreadable",
        "badquote.csv": "unreadable",
        "missing.csv": "missing_columns:price,quantity",
        "dupcols.csv": "duplicate_columns",
    }
    assert manifest.processed_files["header_only.csv"] == 0


def test_month_without_faults_is_one_clean_file(dims: sample_data.DimensionRows) -> None:
    files, manifest = sample_data.generate_month_files("2024-03", 200, dims, seed=2, faults=False)
    assert list(files) == ["sales_2024_03.csv"]
    assert manifest.processed_files == {"sales_2024_03.csv": 200}
    assert manifest.accepted_rows == 200 and manifest.rejected_rows == []
    assert not manifest.invalid_files and not manifest.duplicate_files
    content = files["sales_2024_03.csv"]
    outcomes = row_outcomes("sales_2024_03.csv", content, "2024-03", known_keys(dims))
    assert sum(total for *_, total in outcomes) == manifest.accepted_total_cost


def test_generate_landing_writes_the_month_folders(
    tmp_path: Path, dims: sample_data.DimensionRows
) -> None:
    landing = LandingZone.from_settings(Settings.from_env({"SALES_LANDING_URI": str(tmp_path)}))
    manifests = sample_data.generate_landing(landing, ["2024-01", "2024-02"], 50, dims, seed=4)
    assert list(manifests) == ["2024-01", "2024-02"]
    for month, manifest in manifests.items():
        folder = tmp_path / "sales" / month
        assert sorted(p.name for p in folder.iterdir()) == manifest.files
        expected, _ = sample_data.generate_month_files(month, 50, dims, seed=4)
        assert all((folder / name).read_bytes() == data for name, data in expected.items())

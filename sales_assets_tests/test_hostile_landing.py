"""A hostile landing zone: links, FIFOs, folders and odd names are judged, never followed,
never read, and never stop the other files of the run."""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

from sales_assets.io_managers.lake import read_months
from sales_assets_tests import scenario

ROW = "1,10,Rice 5kg,2024-05-02,101,10.50,1,10.50"


@contextmanager
def _deadline(seconds: int):
    """Fail instead of hanging (a FIFO opened for reading waits for a writer forever)."""

    def expired(*_):
        raise TimeoutError(f"the run did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_entries_that_are_not_files_and_odd_names_are_audited_and_quarantined(
    embedded, spark, tmp_path
):
    scenario.load_dimensions(embedded.warehouse)
    outside = tmp_path / "outside.csv"
    outside.write_text(f"{scenario.HEADER}\n{ROW}\n{ROW}\n{ROW}\n")
    zone = embedded.landing_zone
    zone.write_file("2024-05", "good.csv", f"{scenario.HEADER}\n{ROW}\n".encode())
    zone.write_file("2024-05", "a:b.csv", f"{scenario.HEADER}\n{ROW}\n{ROW}\n".encode())
    month = embedded.root / "landing" / "sales" / "2024-05"
    (month / "leak.csv").symlink_to(outside)
    (month / "passwd.csv").symlink_to("/etc/passwd")
    (month / "sub").mkdir()
    (month / "sub" / "inner.csv").write_text(f"{scenario.HEADER}\n{ROW}\n")
    os.mkfifo(month / "pipe.csv")
    (month / os.fsdecode(b"caf\xe9.csv")).write_text(f"{scenario.HEADER}\n{ROW}\n")
    for stray in ("misc", "2024-13"):  # folders under sales/ that are no month
        (month.parent / stray).mkdir()
        (month.parent / stray / "a.csv").write_text(f"{scenario.HEADER}\n{ROW}\n")

    with _deadline(300):
        result = embedded.run("2024-05", "2024-05")
    assert result.success

    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    folders = checks["landing_folders_are_months"]
    assert not folders.passed and folders.severity.value == "WARN"  # reported, not blocking
    assert folders.metadata["not_month_folders"].value == "2024-13/, misc/"

    audit = scenario.audit_table(embedded.warehouse)
    assert audit == {
        ("2024-05", "a:b.csv"): ("processed", None, 2, 2, 0),
        ("2024-05", "good.csv"): ("processed", None, 1, 1, 0),
        ("2024-05", "leak.csv"): ("invalid", "not_regular_file", None, None, None),
        ("2024-05", "passwd.csv"): ("invalid", "not_regular_file", None, None, None),
        ("2024-05", "sub"): ("invalid", "not_regular_file", None, None, None),
        ("2024-05", "pipe.csv"): ("invalid", "not_regular_file", None, None, None),
        ("2024-05", "caf\\xe9.csv"): ("invalid", "bad_file_name", None, None, None),
    }
    validated = read_months(
        spark, f"{embedded.settings.lake_uri}/validated_sales", "validated_sales", ["2024-05"]
    )
    assert validated.count() == 3  # none of the three rows behind the link got in
    quarantined = embedded.root / "landing" / "invalid" / "sales" / "2024-05"
    assert (quarantined / "leak.csv").is_symlink()  # the link itself, not its target
    assert outside.exists() and (quarantined / "sub" / "inner.csv").exists()
    assert sorted(os.listdir(month)) == ["a:b.csv", "good.csv"]

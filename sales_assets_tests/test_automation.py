"""The landing sensor (runs exactly the months whose files changed) and the monthly schedule,
on a landing zone in a temporary folder."""

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from sales_assets import automation
from sales_assets.automation import (
    MAX_LISTED_FILES,
    NOTHING_NEW,
    RANGE_END_TAG,
    RANGE_START_TAG,
    landing_sensor,
    last_complete_month,
    monthly_schedule,
    plan_landing_tick,
)
from sales_assets.config import Settings
from sales_assets.definitions import build_definitions
from sales_assets.partitions import next_month
from sales_assets.resources.landing_snapshots import FolderEntry, MonthSnapshot
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.s3 import S3
from sales_assets.sources import LANDING_ZONE_KEY

PARTITION_TAG = "dagster/partition"


def _zone(root: Path) -> LandingZone:
    return LandingZone(uri=str(root), s3=S3())


def _tick(zone: LandingZone, cursor: str | None = None) -> dg.SensorResult:
    with dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        cursor=cursor,
        resources={"landing_zone": zone},
    ) as context:
        return landing_sensor(context)


def _requested(result: dg.SensorResult) -> list[tuple[str, str]]:
    """(first, last) month of each run request."""
    months = []
    for request in result.run_requests or []:
        if request.partition_key:
            assert RANGE_START_TAG not in request.tags
            months.append((request.partition_key, request.partition_key))
        else:
            months.append((request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]))
    return months


def _observed(result: dg.SensorResult) -> dict[str, dg.AssetObservation]:
    events = result.asset_events or []
    assert all(e.asset_key == LANDING_ZONE_KEY for e in events)
    return {e.partition: e for e in events}


def _skip(result: dg.SensorResult) -> str:
    assert result.skip_reason is not None
    return result.skip_reason.skip_message


def _land(zone: LandingZone, *months: str, name: str = "sales.csv", content=b"h\n1\n"):
    for month in months:
        zone.write_file(month, name, content)


@pytest.fixture
def zone(tmp_path) -> LandingZone:
    return _zone(tmp_path / "landing")


def _bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


# --- the first tick ---------------------------------------------------------------------
def test_first_tick_runs_every_landed_month_contiguous_ones_as_one_range(zone):
    _land(zone, "2024-01", "2024-02", "2024-03", "2024-06")
    zone.write_file("2024-02", "more.csv", b"h\n1\n2\n")

    result = _tick(zone)

    assert _requested(result) == [("2024-01", "2024-03"), ("2024-06", "2024-06")]
    keys = [r.run_key for r in result.run_requests]
    assert keys[0].startswith("2024-01..2024-03:") and keys[1].startswith("2024-06..2024-06:")
    assert all(len(k.split(":")[1]) == automation.RUN_KEY_HASH_LENGTH for k in keys)
    assert result.skip_reason is None
    observed = _observed(result)
    assert sorted(observed) == ["2024-01", "2024-02", "2024-03", "2024-06"]
    february = observed["2024-02"].metadata
    assert february["files"].value == 2
    assert february["total_bytes"].value == 4 + 6
    assert "more.csv (6 bytes)" in february["file_list"].value
    assert "sales.csv (4 bytes)" in february["file_list"].value
    assert len(february["fingerprint"].value) == 64
    assert observed["2024-02"].tags["dagster/data_version"] == february["fingerprint"].value
    assert isinstance(february["last_modified"], dg.TimestampMetadataValue)
    assert february["folder"].value.endswith("/sales/2024-02")
    cursor = json.loads(result.cursor)
    assert sorted(cursor["months"]) == ["2024-01", "2024-02", "2024-03", "2024-06"]
    assert cursor["months"]["2024-02"]["fingerprint"] == february["fingerprint"].value


def test_nothing_landed_requests_nothing(zone):
    result = _tick(zone)
    assert _requested(result) == [] and _skip(result) == NOTHING_NEW
    assert _observed(result) == {}


# --- later ticks ------------------------------------------------------------------------
def test_a_tick_with_no_change_requests_nothing(zone):
    _land(zone, "2024-01", "2024-02")
    first = _tick(zone)

    second = _tick(zone, first.cursor)

    assert _requested(second) == []
    assert _skip(second) == NOTHING_NEW
    assert _observed(second) == {}
    assert second.cursor == first.cursor


def test_a_changed_file_reruns_its_month_and_the_next_one_when_it_has_files(zone, tmp_path):
    _land(zone, "2024-01", "2024-02", "2024-05")
    cursor = _tick(zone).cursor

    zone.write_file("2024-01", "sales.csv", b"h\n1\n2\n")  # new bytes: 2024-01, and 2024-02
    result = _tick(zone, cursor)
    assert _requested(result) == [("2024-01", "2024-02")]
    assert sorted(_observed(result)) == ["2024-01"]  # only the month that changed
    cursor = result.cursor

    _bump_mtime(tmp_path / "landing" / "sales" / "2024-05" / "sales.csv")  # touched only
    result = _tick(zone, cursor)
    assert _requested(result) == [("2024-05", "2024-05")]  # 2024-06 has no files
    assert result.run_requests[0].partition_key == "2024-05"
    cursor = result.cursor

    zone.write_file("2024-02", "late.csv", b"h\n3\n")  # 2024-03 has no folder
    assert _requested(_tick(zone, cursor)) == [("2024-02", "2024-02")]


def test_changes_in_separate_months_make_separate_runs_merged_when_adjacent(zone):
    _land(zone, "2024-01", "2024-02", "2024-03", "2024-07", "2024-09")
    cursor = _tick(zone).cursor

    _land(zone, "2024-01", "2024-03", "2024-09", name="new.csv")

    # 01 (+02 its next), 03 (+04 has no folder) join into one range; 09 alone.
    assert _requested(_tick(zone, cursor)) == [("2024-01", "2024-03"), ("2024-09", "2024-09")]


def test_the_same_change_has_the_same_run_key_and_another_change_another(zone):
    _land(zone, "2024-01")
    cursor = _tick(zone).cursor
    zone.write_file("2024-01", "b.csv", b"h\n1\n")

    key = _tick(zone, cursor).run_requests[0].run_key
    assert _tick(zone, cursor).run_requests[0].run_key == key  # a retried tick: same key
    assert key.startswith("2024-01..2024-01:")

    zone.write_file("2024-01", "b.csv", b"h\n1\n22\n")
    assert _tick(zone, cursor).run_requests[0].run_key != key


def test_files_that_only_disappeared_are_observed_not_rerun(zone, tmp_path):
    """What the pipeline does itself (quarantine of invalid files) never triggers a run."""
    _land(zone, "2024-01")
    zone.write_file("2024-01", "bad.txt", b"?")
    cursor = _tick(zone).cursor

    (tmp_path / "landing" / "sales" / "2024-01" / "bad.txt").unlink()
    result = _tick(zone, cursor)

    assert _requested(result) == []
    assert _skip(result) == NOTHING_NEW
    assert _observed(result)["2024-01"].metadata["files"].value == 1
    # A file landing afterwards is new again.
    zone.write_file("2024-01", "bad.txt", b"fixed")
    assert _requested(_tick(zone, result.cursor)) == [("2024-01", "2024-01")]


def test_an_empty_month_folder_is_observed_and_run_once_it_has_files(zone, tmp_path):
    (tmp_path / "landing" / "sales" / "2024-04").mkdir(parents=True)
    result = _tick(zone)
    assert _requested(result) == []
    assert _observed(result)["2024-04"].metadata["files"].value == 0

    _land(zone, "2024-04")
    assert _requested(_tick(zone, result.cursor)) == [("2024-04", "2024-04")]


def test_a_month_folder_that_disappeared_leaves_the_cursor_without_a_run(zone, tmp_path):
    _land(zone, "2024-01", "2024-02")
    cursor = _tick(zone).cursor

    shutil.rmtree(tmp_path / "landing" / "sales" / "2024-02")
    result = _tick(zone, cursor)

    assert _requested(result) == []
    assert sorted(json.loads(result.cursor)["months"]) == ["2024-01"]
    assert _observed(result)["2024-02"].metadata["files"].value == 0


# --- what is never read -----------------------------------------------------------------
def test_folders_that_are_not_months_are_reported_once_and_never_requested(zone, tmp_path):
    _land(zone, "2024-01", "misc", "2024-13")
    (tmp_path / "landing" / "sales" / "stray.csv").write_bytes(b"h\n1\n")

    first = _tick(zone)

    assert _requested(first) == [("2024-01", "2024-01")]
    assert sorted(_observed(first)) == ["2024-01"]
    assert json.loads(first.cursor)["not_months"] == ["2024-13/", "misc/", "stray.csv"]

    # Nothing else happens: they are named in the skip reason (with no run, no observation).
    only_odd = _zone(tmp_path / "odd")
    _land(only_odd, "misc", "2024-13")
    (tmp_path / "odd" / "sales" / "stray.csv").write_bytes(b"x")
    odd = _tick(only_odd)
    assert _requested(odd) == [] and _observed(odd) == {}
    reason = _skip(odd)
    assert "never read" in reason
    for name in ("2024-13/", "misc/", "stray.csv"):
        assert name in reason

    # Reported once: the next tick is quiet; a new odd name is reported alone.
    assert _skip(_tick(only_odd, odd.cursor)) == NOTHING_NEW
    _land(only_odd, "old")
    reason = _skip(_tick(only_odd, odd.cursor))
    assert "old/" in reason and "misc/" not in reason


def test_months_outside_the_partitions_are_reported_once_and_never_requested(zone):
    _land(zone, "2022-12", "2099-01", "2024-01")

    first = _tick(zone)

    assert _requested(first) == [("2024-01", "2024-01")]
    assert sorted(_observed(first)) == ["2024-01"]
    assert sorted(json.loads(first.cursor)["outside"]) == ["2022-12", "2099-01"]
    assert _skip(_tick(zone, first.cursor)) == NOTHING_NEW
    _land(zone, "2099-01", name="more.csv")
    reason = _skip(_tick(zone, first.cursor))
    assert "outside the partitions" in reason and "2099-01/ (2 files)" in reason
    assert "2022-12" not in reason


def test_a_month_becomes_requestable_when_it_becomes_a_partition():
    """A folder of next month, seen early, is run once that month has started."""
    months, _ = _listing_of({"2024-04": [("a.csv", 3)]})
    early = plan_landing_tick(None, months, [], _keys_until("2024-03"))
    assert early.run_requests == [] and "2024-04/" in early.skip_reason()
    started = plan_landing_tick(early.cursor, months, [], _keys_until("2024-04"))
    assert [r.partition_key for r in started.run_requests] == ["2024-04"]


def test_an_unreadable_cursor_starts_afresh(zone):
    _land(zone, "2024-01")
    assert _requested(_tick(zone, "not json")) == [("2024-01", "2024-01")]
    assert _requested(_tick(zone, '{"months": 3}')) == [("2024-01", "2024-01")]


def test_the_file_list_is_capped_and_names_are_escaped(zone):
    for index in range(MAX_LISTED_FILES + 5):
        zone.write_file("2024-01", f"f_{index:03d}.csv", b"x")
    metadata = _observed(_tick(zone))["2024-01"].metadata
    assert metadata["files"].value == MAX_LISTED_FILES + 5
    listing = metadata["file_list"].value.splitlines()
    assert len(listing) == MAX_LISTED_FILES + 1
    assert listing[0] == "- f\\_000.csv (1 bytes)"
    assert listing[-1] == "- ... and 5 more"


def test_a_file_name_that_is_not_utf8_is_listed_with_escapes(zone, tmp_path):
    _land(zone, "2024-01")
    folder = os.fsencode(tmp_path / "landing" / "sales" / "2024-01")
    with open(os.path.join(folder, b"caf\xe9.csv"), "wb") as handle:
        handle.write(b"h\n1\n")

    result = _tick(zone)

    assert _requested(result) == [("2024-01", "2024-01")]
    metadata = _observed(result)["2024-01"].metadata
    assert metadata["files"].value == 2
    assert "caf\\\\xe9.csv (4 bytes)" in metadata["file_list"].value  # shown as caf\xe9.csv
    json.loads(result.cursor)
    assert _requested(_tick(zone, result.cursor)) == []


# --- wired in a code location -----------------------------------------------------------
def test_the_sensor_resolves_its_requests_in_the_full_definitions(tmp_path):
    """In the code location: run requests resolve against the real job (a partition tag for
    one month, range tags for several) and the observations name an asset of the graph."""
    settings = Settings.from_env(
        {
            "SALES_LANDING_URI": str(tmp_path / "landing"),
            "SALES_LAKE_URI": str(tmp_path / "lake"),
            "SALES_WAREHOUSE_URL": f"sqlite:///{tmp_path}/warehouse.db",
        }
    )
    defs = build_definitions(settings)  # the code location, as deployed
    zone = LandingZone.from_settings(settings)
    _land(zone, "2024-01", "2024-02", "2024-06")

    with dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        definitions=defs,
        resources={"landing_zone": zone},
    ) as context:
        data = defs.resolve_sensor_def("landing_sensor").evaluate_tick(context)

    assert data.skip_message is None
    by_key = {r.run_key.split(":")[0]: r for r in data.run_requests}
    assert sorted(by_key) == ["2024-01..2024-02", "2024-06..2024-06"]
    assert by_key["2024-06..2024-06"].tags[PARTITION_TAG] == "2024-06"
    assert by_key["2024-01..2024-02"].tags[RANGE_START_TAG] == "2024-01"
    assert {e.partition for e in data.asset_events} == {"2024-01", "2024-02", "2024-06"}
    graph = defs.resolve_asset_graph()
    assert LANDING_ZONE_KEY in graph.get_all_asset_keys()
    assert defs.resolve_schedule_def("monthly_schedule").job_name == "sales_pipeline"
    assert defs.resolve_job_def("observe_dimensions") is not None
    assert landing_sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert landing_sensor.minimum_interval_seconds == 60


# --- the monthly schedule ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("scheduled", "month"),
    [
        (dt.datetime(2024, 3, 1, 6, tzinfo=dt.UTC), "2024-02"),
        (dt.datetime(2025, 1, 1, 6, tzinfo=dt.UTC), "2024-12"),
    ],
)
def test_the_monthly_schedule_runs_the_last_complete_month(scheduled, month):
    context = dg.build_schedule_context(scheduled_execution_time=scheduled)
    request = monthly_schedule(context)
    assert request.partition_key == month and request.run_key == month
    assert monthly_schedule.cron_schedule == "0 6 1 * *"
    assert monthly_schedule.execution_timezone == "UTC"
    assert monthly_schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_last_complete_month_is_taken_in_utc():
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert last_complete_month(dt.datetime(2024, 3, 1, 1, tzinfo=plus_two)) == "2024-01"
    assert last_complete_month(dt.datetime(2024, 3, 1, 3, tzinfo=plus_two)) == "2024-02"


# --- month helpers ----------------------------------------------------------------------


def _keys_until(last: str) -> list[str]:
    keys = ["2023-01"]
    while keys[-1] != last:
        keys.append(next_month(keys[-1]))
    return keys


def _listing_of(months: dict[str, list[tuple[str, int]]]):
    return {
        month: MonthSnapshot(
            month, tuple(FolderEntry(name, size, 1.0, str(size)) for name, size in entries)
        )
        for month, entries in months.items()
    }, []

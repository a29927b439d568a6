"""Running the pipeline unattended: the landing sensor and the monthly schedule.

``landing_sensor`` (every minute once turned on) lists the month folders under
``{SALES_LANDING_URI}/sales/`` without opening a file, and runs ``sales_pipeline`` for the
months whose files were added or changed:

- The cursor remembers, per month, a fingerprint of its entries (name, size, mtime or ETag)
  and a short token per entry. A month is *changed* when its fingerprint differs; it is
  *run* when it holds an entry the cursor has not seen (a new or rewritten file). Files that
  only disappeared (the pipeline quarantines invalid ones) are observed but not re-run, so a
  run never triggers the next one; re-run such a month by hand when that is wanted.
- Consecutive months go in one run (a partition range: every asset is single-run), together
  with the month after each run month when that one has files, since its
  ``customer_monthly_sales`` compares with it. Every write is idempotent per month.
- The run key is the range and a hash of its fingerprints: a change is never run twice.
- Only months that are partitions at tick time (``SALES_FIRST_MONTH`` to the running month) are run.
  Month folders outside them, and names under ``sales/`` that are not a month (``misc/``,
  ``2024-13/``, a stray file), are never read: they are logged as warnings and given as the
  skip reason, once per change (the cursor keeps them too).
- Each changed month is recorded as an observation of the ``landing_zone`` asset.

``monthly_schedule`` runs the last complete month on the 1st of each month at 06:00 UTC.

Both are STOPPED by default: a deployment turns them on (UI or ``dagster sensor start``), so
loading the code location never launches runs by itself.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from sales_assets.config import landing_sensor_interval, monthly_schedule_cron
from sales_assets.jobs import sales_pipeline_job
from sales_assets.partitions import (
    MONTH_KEY_FORMAT,
    month_ranges,
    monthly_partitions,
    months_between,
    next_month,
    previous_month,
)
from sales_assets.resources.landing_snapshots import MonthSnapshot
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.sources import LANDING_ZONE_KEY, observe_dimensions_schedule

MAX_LISTED_FILES = 50
RUN_KEY_HASH_LENGTH = 12
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
NOTHING_NEW = "No new or changed files under sales/."
DATA_VERSION_TAG = "dagster/data_version"  # Dagster's tag for an observation's data version


def display_name(name: str) -> str:
    """A file name fit for a message: bytes that are not UTF-8 shown as ``\\xNN``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# --- the cursor -------------------------------------------------------------------------
@dataclass
class LandingCursor:
    """What the sensor has seen: month -> fingerprint and entry tokens of each partition
    month folder; fingerprints of month folders outside the partitions; the names under
    ``sales/`` that are not months. Stored as JSON."""

    months: dict[str, dict[str, Any]] = field(default_factory=dict)
    outside: dict[str, str] = field(default_factory=dict)
    not_months: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, text: str | None) -> "LandingCursor":
        """The cursor; an empty one for no or unreadable text (every month is then new:
        their run keys, if unchanged, were already used and Dagster skips them)."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            months = {
                str(month): {
                    "fingerprint": str(seen["fingerprint"]),
                    "entries": [str(token) for token in seen["entries"]],
                }
                for month, seen in data["months"].items()
            }
            outside = {str(m): str(fingerprint) for m, fingerprint in data["outside"].items()}
            return cls(months, outside, [str(name) for name in data["not_months"]])
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls()

    @classmethod
    def of(
        cls, in_range: Mapping[str, MonthSnapshot], outside: Mapping[str, MonthSnapshot], others
    ) -> "LandingCursor":
        return cls(
            {
                month: {
                    "fingerprint": snapshot.fingerprint,
                    "entries": sorted(entry.token for entry in snapshot.entries),
                }
                for month, snapshot in sorted(in_range.items())
            },
            {month: snapshot.fingerprint for month, snapshot in sorted(outside.items())},
            sorted(others),
        )

    def dump(self) -> str:
        return json.dumps(
            {"months": self.months, "outside": self.outside, "not_months": self.not_months},
            sort_keys=True,
            separators=(",", ":"),
        )

    def fingerprint(self, month: str) -> str | None:
        return self.months.get(month, {}).get("fingerprint")

    def has_new_entries(self, snapshot: MonthSnapshot) -> bool:
        """Whether the month holds an entry (name, size, version) not seen before."""
        seen = set(self.months.get(snapshot.sales_month, {}).get("entries", []))
        return any(entry.token not in seen for entry in snapshot.entries)


# --- one tick, as a pure function of what was seen and what is there --------------------
@dataclass(frozen=True)
class LandingTick:
    run_requests: list[dg.RunRequest]
    observations: list[dg.AssetObservation]
    warnings: list[str]
    notes: list[str]  # informational: months observed without a run, and why
    cursor: str

    def skip_reason(self) -> str:
        return " ".join(self.warnings) or NOTHING_NEW


def run_key(first: str, last: str, months: Mapping[str, MonthSnapshot]) -> str:
    """``first..last:<hash of the range's fingerprints>``: one key per content of a range."""
    text = "|".join(f"{m}={months[m].fingerprint}" for m in months_between(first, last))
    digest = hashlib.sha256(text.encode()).hexdigest()[:RUN_KEY_HASH_LENGTH]
    return f"{first}..{last}:{digest}"


def run_request(first: str, last: str, months: Mapping[str, MonthSnapshot]) -> dg.RunRequest:
    """One run of the months ``first..last``: a partition, or a range run as one (every asset
    has ``BackfillPolicy.single_run()``)."""
    key = run_key(first, last, months)
    if first == last:
        return dg.RunRequest(run_key=key, partition_key=first)
    return dg.RunRequest(run_key=key, tags={RANGE_START_TAG: first, RANGE_END_TAG: last})


def _markdown_escaped(name: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in display_name(name))


def landing_observation(snapshot: MonthSnapshot, folder: str) -> dg.AssetObservation:
    """The observation of one month of ``landing_zone``: what its folder holds now."""
    entries = snapshot.entries
    listed = [f"- {_markdown_escaped(e.name)} ({e.size:,} bytes)" for e in entries]
    if len(entries) > MAX_LISTED_FILES:
        listed = [*listed[:MAX_LISTED_FILES], f"- ... and {len(entries) - MAX_LISTED_FILES} more"]
    metadata: dict[str, Any] = {
        "folder": dg.MetadataValue.text(folder),
        "files": dg.MetadataValue.int(len(entries)),
        "file_list": dg.MetadataValue.md("\n".join(listed) or "(no files)"),
        "total_bytes": dg.MetadataValue.int(snapshot.total_bytes),
        "fingerprint": dg.MetadataValue.text(snapshot.fingerprint),
    }
    if snapshot.last_modified is not None:
        metadata["last_modified"] = dg.MetadataValue.timestamp(snapshot.last_modified)
    # The month's fingerprint is its data version: the UI shows the month's validated
    # partition as changed upstream exactly when its files changed.
    return dg.AssetObservation(
        asset_key=LANDING_ZONE_KEY,
        partition=snapshot.sales_month,
        metadata=metadata,
        tags={DATA_VERSION_TAG: snapshot.fingerprint},
    )


def plan_landing_tick(
    cursor: str | None,
    months: Mapping[str, MonthSnapshot],
    not_months: Iterable[str],
    partition_keys: Iterable[str],
    landing_uri: str = "",
) -> LandingTick:
    """What a tick does, given the cursor, the month folders as listed, the names that are
    not months and the partition keys at tick time."""
    seen = LandingCursor.load(cursor)
    partitions = set(partition_keys)
    others = sorted(set(not_months))
    in_range = {m: s for m, s in months.items() if m in partitions}
    outside = {m: s for m, s in months.items() if m not in partitions}

    changed = sorted(m for m, s in in_range.items() if seen.fingerprint(m) != s.fingerprint)
    added = [m for m in changed if seen.has_new_entries(in_range[m])]
    to_run = set(added)
    for month in added:  # month M+1 compares with M: re-run it when it has files
        following = next_month(month)
        if following in in_range and in_range[following].entries:
            to_run.add(following)
    run_requests = [run_request(first, last, in_range) for first, last in month_ranges(to_run)]

    folder = f"{landing_uri.rstrip('/')}/sales/" if landing_uri else "sales/"
    observations = [landing_observation(in_range[m], folder + m) for m in changed]
    gone = sorted(m for m in seen.months if m not in in_range and m in partitions)
    observations += [landing_observation(MonthSnapshot(m, ()), folder + m) for m in gone]

    notes = [
        f"{m}: {'empty folder' if not in_range[m].entries else 'files removed only'}, "
        "observed, not run."
        for m in changed
        if m not in added
    ]
    notes += [f"{m}: month folder gone, dropped from the cursor, not run." for m in gone]

    warnings = []
    moved = sorted(m for m, s in outside.items() if seen.outside.get(m) != s.fingerprint)
    if moved:
        first, last = monthly_partitions.get_first_partition_key(), max(partitions, default="")
        listed = ", ".join(f"{m}/ ({len(outside[m].entries)} files)" for m in moved)
        warnings.append(
            f"Month folders outside the partitions ({first} to {last}) are not read: {listed}."
        )
    new_others = [name for name in others if name not in set(seen.not_months)]
    if new_others:
        listed = ", ".join(display_name(name) for name in new_others)
        warnings.append(f"Not a month folder (YYYY-MM) under {folder}, never read: {listed}.")

    return LandingTick(
        run_requests=run_requests,
        observations=observations,
        warnings=warnings,
        notes=notes,
        cursor=LandingCursor.of(in_range, outside, others).dump(),
    )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dg.sensor(
    job=sales_pipeline_job,
    minimum_interval_seconds=landing_sensor_interval(),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Runs sales_pipeline for the months whose files were added or changed under "
        "sales/YYYY-MM/ (consecutive months in one run, plus the month after each), and "
        "reports folders that are not months. STOPPED by default."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, landing_zone: LandingZone):
    months, not_months = landing_zone.month_folders()
    partition_keys = monthly_partitions.get_partition_keys(current_time=_utc_now())
    tick = plan_landing_tick(context.cursor, months, not_months, partition_keys, landing_zone.uri)
    for warning in tick.warnings:
        context.log.warning(warning)
    for note in tick.notes:
        context.log.info(note)
    for request in tick.run_requests:
        context.log.info(f"Requesting run {request.run_key}")
    if tick.run_requests:
        return dg.SensorResult(
            run_requests=tick.run_requests, asset_events=tick.observations, cursor=tick.cursor
        )
    return dg.SensorResult(
        skip_reason=dg.SkipReason(tick.skip_reason()),
        asset_events=tick.observations,
        cursor=tick.cursor,
    )


# --- the monthly schedule ---------------------------------------------------------------
def last_complete_month(when: dt.datetime) -> str:
    """The month before the one ``when`` falls in (in UTC): the running month still lands."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return previous_month(when.strftime(MONTH_KEY_FORMAT))


@dg.schedule(
    job=sales_pipeline_job,
    cron_schedule=monthly_schedule_cron(),
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "On the 1st of each month at 06:00 UTC, run the month just closed (its final files). "
        "STOPPED by default."
    ),
)
def monthly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    month = last_complete_month(context.scheduled_execution_time or _utc_now())
    return dg.RunRequest(run_key=month, partition_key=month)


SENSORS = [landing_sensor]
SCHEDULES = [monthly_schedule, observe_dimensions_schedule]

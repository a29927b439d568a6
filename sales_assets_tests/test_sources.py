"""The sources of the asset graph: the landing zone's month folders as listed (local and S3),
and the warehouse dimensions observed as external assets."""

import datetime as dt
import os
from pathlib import Path

import dagster as dg
import pytest

from sales_assets import warehouse_schema as ws
from sales_assets.partitions import monthly_partitions
from sales_assets.resources.landing_snapshots import is_month_folder
from sales_assets.resources.landing_stores import LocalStore, S3Store
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.s3 import S3, bucket_and_prefix
from sales_assets.resources.warehouse import Warehouse
from sales_assets.sources import (
    DIMENSION_KEYS,
    LANDING_ZONE_KEY,
    MISSING_DATA_VERSION,
    SOURCE_ASSETS,
    landing_zone,
    observe_dimensions_job,
    observe_dimensions_schedule,
)
from sales_assets_tests.support import s3_client


def _landing(root: Path) -> LandingZone:
    return LandingZone(uri=str(root), s3=S3())


def _land_layout(zone: LandingZone) -> None:
    """Two months, a folder that is not a month, a month-like name that is not one."""
    zone.write_file("2024-01", "a.csv", b"header\n1\n")
    zone.write_file("2024-01", "b.csv", b"header\n")
    zone.write_file("2024-02", "c.csv", b"x")
    zone.write_file("misc", "notes.csv", b"x")
    zone.write_file("2024-13", "d.csv", b"x")


# --- month folders: local --------------------------------------------------------------
def test_local_month_folders_list_months_with_sizes_and_report_what_is_not_a_month(tmp_path):
    zone = _landing(tmp_path)
    _land_layout(zone)
    (tmp_path / "sales" / "stray.csv").write_bytes(b"x")
    (tmp_path / "sales" / "2024-03").mkdir()  # an empty month folder is still a month

    months, others = zone.month_folders()

    assert sorted(months) == ["2024-01", "2024-02", "2024-03"]
    january = months["2024-01"]
    assert [(e.name, e.size) for e in january.entries] == [("a.csv", 9), ("b.csv", 7)]
    assert january.total_bytes == 16
    newest = max(os.stat(tmp_path / "sales" / "2024-01" / n).st_mtime for n in ("a.csv", "b.csv"))
    assert january.last_modified == pytest.approx(newest, abs=1e-3)
    assert months["2024-03"].entries == () and months["2024-03"].last_modified is None
    assert others == ["2024-13/", "misc/", "stray.csv"]


def test_fingerprint_is_stable_and_changes_with_any_file(tmp_path):
    zone = _landing(tmp_path)
    _land_layout(zone)
    first = zone.month_folders()[0]
    again = zone.month_folders()[0]
    assert {m: s.fingerprint for m, s in first.items()} == {
        m: s.fingerprint for m, s in again.items()
    }
    assert first["2024-01"].fingerprint != first["2024-02"].fingerprint

    # Same size, new modification time: a changed file.
    target = tmp_path / "sales" / "2024-01" / "a.csv"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    touched = zone.month_folders()[0]
    assert touched["2024-01"].fingerprint != first["2024-01"].fingerprint
    assert touched["2024-02"].fingerprint == first["2024-02"].fingerprint

    zone.write_file("2024-02", "new.csv", b"y")
    assert zone.month_folders()[0]["2024-02"].fingerprint != first["2024-02"].fingerprint


def test_links_in_a_month_folder_are_listed_not_followed(tmp_path):
    zone = _landing(tmp_path)
    zone.write_file("2024-01", "real.csv", b"0123456789" * 100)
    link = tmp_path / "sales" / "2024-01" / "link.csv"
    link.symlink_to(tmp_path / "sales" / "2024-01" / "real.csv")
    (tmp_path / "sales" / "2024-01" / "dangling.csv").symlink_to(tmp_path / "nowhere")

    entries = {e.name: e.size for e in zone.month_folders()[0]["2024-01"].entries}

    assert entries["real.csv"] == 1000
    assert entries["link.csv"] == os.lstat(link).st_size != 1000  # the link itself
    assert "dangling.csv" in entries


def test_no_sales_folder_yet_lists_nothing(tmp_path):
    assert _landing(tmp_path / "empty").month_folders() == ({}, [])
    assert LocalStore(tmp_path / "empty").month_folders() == ({}, [])


@pytest.mark.parametrize(
    ("name", "is_month"),
    [
        ("2024-01", True),
        ("2024-12", True),
        ("2024-13", False),
        ("2024-00", False),
        ("2024-1", False),
        ("misc", False),
        ("2024-01-01", False),
        ("", False),
    ],
)
def test_is_month_folder(name, is_month):
    assert is_month_folder(name) is is_month


# --- month folders: S3 (the real test server) ------------------------------------------
@pytest.mark.integration
def test_s3_month_folders_group_every_key_by_its_first_folder(s3_root):
    bucket, prefix = bucket_and_prefix(s3_root)
    client = s3_client()
    store = S3Store(client, bucket, prefix)
    store.write_file("2024-01", "a.csv", b"header\n1\n")
    store.write_file("2024-01", "b.csv", b"header\n")
    store.write_file("2024-02", "c.csv", b"x")
    store.write_file("misc", "notes.csv", b"x")
    store.write_file("2024-13", "d.csv", b"x")
    for key in ("sales/stray.csv", "sales/2024-01/extra/deep.csv"):
        client.put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=b"zz")
    client.put_object(Bucket=bucket, Key=f"{prefix}/sales/2024-03/", Body=b"")  # folder marker
    client.put_object(Bucket=bucket, Key=f"{prefix}/invalid/sales/2024-01/x.csv", Body=b"q")

    months, others = store.month_folders()

    assert sorted(months) == ["2024-01", "2024-02", "2024-03"]
    january = months["2024-01"]
    assert [(e.name, e.size) for e in january.entries] == [
        ("a.csv", 9),
        ("b.csv", 7),
        ("extra/deep.csv", 2),
    ]
    assert all(len(e.version) >= 32 for e in january.entries)  # the ETag
    assert january.total_bytes == 18 and january.last_modified is not None
    assert months["2024-03"].entries == ()
    assert others == ["2024-13/", "misc/", "stray.csv"]

    # Same listing, same fingerprint; new bytes in one month change that month only.
    assert store.month_folders()[0]["2024-01"].fingerprint == january.fingerprint
    store.write_file("2024-02", "c.csv", b"y!")
    after = store.month_folders()[0]
    assert after["2024-02"].fingerprint != months["2024-02"].fingerprint
    assert after["2024-01"].fingerprint == january.fingerprint

    # Through the resource, as the sensor calls it.
    zone = LandingZone(uri=s3_root, s3=S3(endpoint_url=os.environ["AWS_ENDPOINT_URL"]))
    assert sorted(zone.month_folders()[0]) == ["2024-01", "2024-02", "2024-03"]


def test_s3_month_folders_paginate():
    """More keys than one page: every page is read."""

    class Paginator:
        def paginate(self, **kwargs):
            assert kwargs == {"Bucket": "b", "Prefix": "p/sales/"}  # no delimiter
            yield {"Contents": [_item("p/sales/2024-01/a.csv", 1)]}
            yield {"Contents": [_item("p/sales/2024-01/b.csv", 2), _item("p/sales/x", 3)]}
            yield {}

    class Client:
        def get_paginator(self, name):
            assert name == "list_objects_v2"
            return Paginator()

    months, others = S3Store(Client(), "b", "p").month_folders()
    assert [e.name for e in months["2024-01"].entries] == ["a.csv", "b.csv"]
    assert others == ["x"]


def _item(key: str, size: int) -> dict:
    return {
        "Key": key,
        "Size": size,
        "ETag": f'"{key}-etag"',
        "LastModified": dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
    }


# --- the source assets ------------------------------------------------------------------
def _defs(warehouse_url: str) -> dg.Definitions:
    return dg.Definitions(
        assets=SOURCE_ASSETS,
        jobs=[observe_dimensions_job],
        schedules=[observe_dimensions_schedule],
        resources={"warehouse": Warehouse(url=warehouse_url)},
    )


def test_source_assets_are_in_the_sources_group_and_external(tmp_path):
    graph = _defs(f"sqlite:///{tmp_path}/w.db").resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert keys == {LANDING_ZONE_KEY, *DIMENSION_KEYS}
    assert [k.to_user_string() for k in DIMENSION_KEYS] == [
        "customer",
        "store",
        "product",
        "sales_team",
    ]
    for key in keys:
        node = graph.get(key)
        assert node.group_name == "sources"
        assert not node.is_materializable
    assert graph.get(LANDING_ZONE_KEY).partitions_def == monthly_partitions
    assert landing_zone.kinds == {"csv"}
    assert all(graph.get(key).is_observable for key in DIMENSION_KEYS)
    assert graph.get(DIMENSION_KEYS[0]).partitions_def is None
    assert observe_dimensions_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert observe_dimensions_schedule.cron_schedule == "0 * * * *"


def _latest(instance: dg.DagsterInstance, key: dg.AssetKey) -> dg.AssetObservation:
    records = instance.fetch_observations(key, limit=1).records
    assert records, f"no observation of {key.to_user_string()}"
    return records[0].asset_observation


def _observe(defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
    result = defs.resolve_job_def("observe_dimensions").execute_in_process(instance=instance)
    assert result.success


def test_observe_dimensions_job_records_row_counts_and_a_data_version(tmp_path):
    url = f"sqlite:///{tmp_path}/w.db"
    warehouse = Warehouse(url=url)
    warehouse.replace_tables(
        {
            ws.customer: [{"customer_id": i, "first_name": f"c{i}"} for i in (3, 1, 2)],
            ws.store: [{"id": 10}],
            ws.sales_team: [{"id": 5}, {"id": 6}],
        }
    )  # no product table
    defs = _defs(url)
    instance = dg.DagsterInstance.ephemeral()

    _observe(defs, instance)

    customer = _latest(instance, dg.AssetKey("customer"))
    assert customer.metadata["dagster/row_count"].value == 3
    assert customer.metadata["dagster/table_name"].value == "customer"
    assert customer.metadata["max_customer_id"].value == "3"
    first_version = customer.tags["dagster/data_version"]
    store_version = _latest(instance, dg.AssetKey("store")).tags["dagster/data_version"]
    assert _latest(instance, dg.AssetKey("sales_team")).metadata["dagster/row_count"].value == 2
    product = _latest(instance, dg.AssetKey("product"))  # missing: observed, not failed
    assert product.metadata["dagster/row_count"].value == 0
    assert product.metadata["missing"].value is True
    assert "does not exist" in product.metadata["status"].value
    assert product.tags["dagster/data_version"] == MISSING_DATA_VERSION

    def version(name: str) -> str:
        return _latest(instance, dg.AssetKey(name)).tags["dagster/data_version"]

    # Observed again unchanged: the same versions (nothing downstream shows as stale).
    _observe(defs, instance)
    assert (version("customer"), version("store")) == (first_version, store_version)
    # An in-place update of a non-key column, same row count and keys: a new version.
    with warehouse.engine().begin() as connection:
        connection.execute(
            ws.customer.update().where(ws.customer.c.customer_id == 2).values(first_name="x")
        )
    _observe(defs, instance)
    updated = version("customer")
    assert updated != first_version and version("store") == store_version
    # A new row: a new version again.
    warehouse.write({ws.customer: [{"customer_id": 4}]}, append=True)
    _observe(defs, instance)
    assert version("customer") not in (first_version, updated)
    warehouse.dispose()


def test_on_mysql_the_content_version_is_computed_by_the_server(mysql_databases):
    from sales_assets.sources import content_version
    from sales_assets_tests import scenario

    warehouse = Warehouse(url=mysql_databases())
    scenario.load_dimensions(warehouse)
    first = content_version(warehouse, ws.customer)
    assert first.startswith("checksum=") and content_version(warehouse, ws.customer) == first
    with warehouse.engine().begin() as connection:
        connection.execute(
            ws.customer.update().where(ws.customer.c.customer_id == 2).values(first_name="x")
        )
    assert content_version(warehouse, ws.customer) != first
    warehouse.dispose()

"""The Dagster UI in a real browser: ``dagster dev`` on loopback over an embedded deployment
(local lake, SQLite warehouse, small generated data for 2024-01..2024-03), driven with Playwright
and Debian's Chromium as a user would.

A range is launched the two ways the README gives, one test each: "Materialize all…" on the
job page ``/locations/sales_assets.definitions/jobs/sales_pipeline`` (a *job* backfill) and on
the global asset graph ``/asset-groups`` (an *asset* backfill); then Partition selection
"Custom" ``[2024-01...2024-03]`` -> "Launch backfill". Dagster 1.13's launch dialog has no
"Single run" toggle (it shows it only for code locations on Dagster < 1.5): the assets'
single-run backfill policies are what make either backfill ONE run over the range.

GraphQL is used only to wait for the backfill to end; every assertion is on a page. Each step
leaves a screenshot (a failing step too) in ``artifacts/ui/<job_page|asset_graph>/`` at the
repository root, beside the ``dagster dev`` log.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sales_assets_tests.ui.dagster_dev import DagsterDev
from sales_assets_tests.ui.pages import (
    GRAPH_VIEWPORT,
    INSTALL_HINT,
    VIEWPORT,
    Steps,
    dismiss_community_dialog,
    expect_visible,
    lake_row_count,
    launch_chromium,
    shown_row_count,
)

pytestmark = pytest.mark.ui

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "ui"
MONTHS = ("2024-01", "2024-02", "2024-03")
RANGE_INPUT = "[2024-01...2024-03]"  # the dialog's own range syntax (its placeholder shows it)
GROUPS = ("landing", "enrichment", "marts", "results")
ASSETS = (
    "validated_sales",
    "rejected_sales",
    "sales_file_audit",
    "enriched_sales",
    "customer_data_mart",
    "sales_team_data_mart",
    "customer_monthly_sales",
    "sales_team_incentive",
)
# `dagster dev -m sales_assets.definitions` names the code location after the module.
LOCATION = "sales_assets.definitions"
# A check declared in its asset's step, and one run as a step of its own, of each stage.
CHECKED = [
    ("validated_sales", "mandatory_columns_not_null"),  # in the landing step, blocking
    ("rejected_sales", "rows_read_equal_accepted_plus_rejected"),
    ("customer_data_mart", "mandatory_columns_not_null"),  # a step of its own
    ("sales_team_incentive", "incentive_rule"),
]
JOB_PAGE = f"/locations/{LOCATION}/jobs/sales_pipeline"
RUN_TIMEOUT = 360  # the run starts a Spark JVM


@dataclass
class UiDeployment:
    dev: DagsterDev
    lake: Path


def _embedded_env(root: Path) -> dict[str, str]:
    """The test's own settings only: no S3, MySQL or Dagster settings from the caller (CI
    exports the test servers'), and this checkout's package ahead of any installed copy."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SALES_", "AWS_", "DAGSTER_"))
    }
    env.update(
        SALES_LANDING_URI=str(root / "landing"),
        SALES_LAKE_URI=str(root / "lake"),
        SALES_WAREHOUSE_URL=f"sqlite:///{root / 'warehouse.db'}",
        SPARK_MASTER="local[2]",
        DAGSTER_HOME=str(root / "dagster_home"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def artifacts_of(request: pytest.FixtureRequest) -> Path:
    """``artifacts/ui/<launch_from>/``: the screenshots and the dagster dev log of one test."""
    return ARTIFACTS / request.node.callspec.params["launch_from"]


@pytest.fixture
def deployment(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[UiDeployment]:
    env = _embedded_env(tmp_path)
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").touch()
    generate = [sys.executable, "-m", "sales_assets.cli", "generate"]
    generate += ["--months", f"{MONTHS[0]}..{MONTHS[-1]}", "--rows-per-month", "2000"]
    generate += ["--customers", "200"]
    made = subprocess.run(
        generate, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, f"sample data not generated:\n{made.stdout}\n{made.stderr}"

    dev = DagsterDev(
        module="sales_assets.definitions",
        env=env,
        cwd=tmp_path,
        log_path=artifacts_of(request) / "dagster_dev.log",
    )
    dev.start()
    try:
        dev.wait_ready(timeout=120)
        yield UiDeployment(dev=dev, lake=tmp_path / "lake")
    finally:
        dev.stop()


@pytest.fixture
def page() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"The Python package playwright is missing. {INSTALL_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            tab = context.new_page()
            tab.set_default_timeout(30_000)
            yield tab
        finally:
            browser.close()


@pytest.mark.parametrize("launch_from", ["job_page", "asset_graph"])
def test_a_month_range_launched_from_the_ui_is_one_successful_run(
    deployment, page, launch_from, request
):
    dev, base = deployment.dev, deployment.dev.url
    steps = Steps(page, artifacts_of(request))

    # 1. The asset graph: the global lineage (groups), then the pipeline's assets by name.
    with steps.step("global_asset_lineage"):
        page.goto(f"{base}/asset-groups")
        dismiss_community_dialog(page)
        where = "global asset lineage /asset-groups"
        expect_visible(page.get_by_text("Global asset lineage"), where, "the page title")
        for group in GROUPS:
            expect_visible(page.get_by_text(group, exact=True), where, f"the group {group!r}")
    with steps.step("job_asset_graph"):
        page.set_viewport_size(GRAPH_VIEWPORT)  # room for every node with its full name
        page.goto(f"{base}{JOB_PAGE}")
        # Groups start collapsed: the graph's settings menu has "Expand all groups"; a
        # double click on the canvas (left edge, clear of the nodes) zooms to fit.
        page.get_by_role("button", name="settings", exact=True).click()
        page.get_by_role("menuitem", name=re.compile("Expand all groups")).click()
        page.keyboard.press("Escape")
        canvas = page.locator("[data-svg-viewport]")
        canvas.dblclick(position={"x": 15, "y": canvas.bounding_box()["height"] / 2})
        for asset in ASSETS:
            expect_visible(
                page.get_by_text(asset, exact=True), f"{JOB_PAGE} asset graph", f"the node {asset}"
            )
    page.set_viewport_size(VIEWPORT)

    # 2. "Materialize all…" on the job page or on the global asset graph; the range.
    launch_page = JOB_PAGE if launch_from == "job_page" else "/asset-groups"
    with steps.step("launch_dialog_range"):
        page.goto(f"{base}{launch_page}")
        page.get_by_role("button", name=re.compile(r"Materialize all")).first.click()
        dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
        expect_visible(
            dialog.get_by_text(f"Launch runs to materialize {len(ASSETS)} assets"),
            launch_page,
            f"the launch dialog 'Launch runs to materialize {len(ASSETS)} assets'",
        )
        dialog.get_by_role("button", name="Custom", exact=True).click()
        partitions = dialog.get_by_placeholder(re.compile(r"^ex:"))
        partitions.fill(RANGE_INPUT)
        partitions.press("Enter")
        expect_visible(
            dialog.get_by_text("3 partitions", exact=True),
            "launch dialog",
            f"'3 partitions' after typing {RANGE_INPUT}",
        )
        assert not dialog.get_by_text("Single run", exact=True).count(), (
            "the launch dialog now offers 'Single run': this test and the README should use it"
        )
    with steps.step("launch_preview"):
        dialog.get_by_text("Preview", exact=True).click()
        preview = page.get_by_role("dialog").filter(has_text="Backfill preview")
        where = "backfill preview"
        expect_visible(preview.get_by_text("customer_monthly_sales"), where, "the assets")
        policies = preview.get_by_text("Backfills all partitions in a single run", exact=True)
        ranges = preview.get_by_text(f"{MONTHS[0]}...{MONTHS[-1]}", exact=True)
        assert policies.count() == len(ASSETS), (
            f"{where}: expected 'Backfills all partitions in a single run' for each of the "
            f"{len(ASSETS)} assets, it shows it {policies.count()} times"
        )
        assert ranges.count() == len(ASSETS), (
            f"{where}: expected 'Partitions to launch' {MONTHS[0]}...{MONTHS[-1]} for each of "
            f"the {len(ASSETS)} assets:\n{preview.inner_text()}"
        )
    with steps.step("backfill_launched"):
        preview.get_by_role("button", name="OK").click()
        dialog.get_by_role("button", name="Launch backfill").click()
        toast = page.get_by_text(re.compile(r"Created backfill [a-z0-9]+"))
        expect_visible(toast, launch_page, "the toast 'Created backfill <id>'")
        backfill_id = re.search(r"Created backfill ([a-z0-9]+)", toast.first.inner_text())[1]

    # 3. Wait (GraphQL, waiting only) until the backfill has ended and launches nothing more;
    # the screenshot is its page, whether it succeeded or not.
    with steps.step("backfill_page"):
        waited = time.monotonic()
        try:
            ended = dev.wait_for_backfill(backfill_id, timeout=RUN_TIMEOUT)
            print(f"backfill {backfill_id}: {ended['status']} in {time.monotonic() - waited:.0f}s")
        finally:
            with contextlib.suppress(Exception):  # never hides the wait's own error
                page.goto(f"{base}/runs/b/{backfill_id}")
                page.get_by_text(backfill_id).first.wait_for(timeout=15_000)

    # 4. The Runs page, with the runs inside backfills shown: exactly one run, Success.
    with steps.step("runs_page"):
        page.goto(f"{base}/runs")
        page.get_by_text("Show runs within backfills").click()
        page.wait_for_url(re.compile(r"[?&]view=runs\b"))
        where = "Runs page (Show runs within backfills)"
        expect_visible(
            page.get_by_text(f"Backfill: {backfill_id}"), where, f"a run of backfill {backfill_id}"
        )
        run_links = page.locator("a[href^='/runs/']").filter(has_text=re.compile(r"^[0-9a-f]{8}$"))
        hrefs = sorted({link.get_attribute("href") for link in run_links.all()})
        assert len(hrefs) == 1, f"{where}: expected exactly one run, it lists {hrefs}"
        run_id = hrefs[0].rsplit("/", 1)[-1]
        row = page.locator("[data-index]").filter(has=page.locator(f"a[href='{hrefs[0]}']"))
        expect_visible(row.get_by_text("Success", exact=True), where, "the run's status Success")
        if launch_from == "job_page":
            expect_visible(row.get_by_text("sales_pipeline"), where, "the target sales_pipeline")
    with steps.step("run_tags"):
        page.goto(f"{base}/runs/{run_id}")
        page.get_by_role("button", name="View tags and config").click()
        tags = page.get_by_role("dialog").filter(has_text="Tags")
        for tag in (
            f"asset_partition_range_start: {MONTHS[0]}",
            f"asset_partition_range_end: {MONTHS[-1]}",
        ):
            expect_visible(tags.get_by_text(tag), f"run {run_id[:8]}: tags", f"the tag {tag}")

    # 5. validated_sales: the three months materialized by that run; a month's row count as
    # the UI shows it against the lake; the blocking check passed.
    asset_page = f"{base}/assets/validated_sales"
    with steps.step("validated_sales_partitions"):
        page.goto(f"{asset_page}?view=partitions")
        where = "validated_sales Partitions tab"
        expect_visible(page.get_by_text("Materialized (3)"), where, "'Materialized (3)'")
        page.get_by_placeholder("Filter by name").fill("2024-0")
        for month in MONTHS:
            page.get_by_text(month, exact=True).first.click()
            page.wait_for_url(re.compile(rf"[?&]partition={month}\b"))
            where = f"validated_sales Partitions tab, partition {month}"
            expect_visible(page.get_by_text("Materialized", exact=True), where, "'Materialized'")
            expect_visible(page.get_by_text(run_id[:8]), where, f"its run {run_id[:8]}")
    with steps.step("validated_sales_row_count_2024-02"):
        shown = shown_row_count(page, base, "validated_sales", "2024-02")
        in_lake = lake_row_count(deployment.lake, "validated_sales", "2024-02")
        assert shown == in_lake, (
            f"validated_sales 2024-02: the UI shows dagster/row_count {shown}, the lake holds "
            f"{in_lake} rows"
        )
    # 6. Every check reported one result per month of the range: the Checks tab shows each
    # check Passed, none Skipped (a result without a month leaves the planned ones skipped).
    for asset, check in CHECKED:
        with steps.step(f"{asset}_checks"):
            page.goto(f"{base}/assets/{asset}?view=checks")
            where = f"{asset} Checks tab"
            # The list may shorten a long name in the middle; the heading shows it whole.
            shown = page.get_by_text(check, exact=True).filter(visible=True)
            expect_visible(shown, where, f"the check {check}")
            expect_visible(page.get_by_text("Passed", exact=True), where, "its result 'Passed'")
            page.wait_for_load_state("networkidle")
            skipped = page.get_by_text("Skipped", exact=True).count()
            assert skipped == 0, f"{where}: {skipped} check(s) shown as Skipped"
            page.get_by_text("Execution history", exact=True).click()
            where = f"{asset} {check} execution history"
            for month in MONTHS:
                expect_visible(page.get_by_text(month, exact=True), where, f"a result for {month}")
            assert page.get_by_text("Skipped", exact=True).count() == 0, f"{where}: Skipped"

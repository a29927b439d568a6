"""Browser helpers for the UI tests: Debian's Chromium through Playwright, a screenshot per
step (also when the step fails), explicit waits that say which page and what was expected,
and the numbers a user reads on an asset's partition page."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own browser builds are never used
INSTALL_HINT = "Install the browser and its driver with `bash scripts/install_browser.sh`."
VIEWPORT = {"width": 1920, "height": 1080}
GRAPH_VIEWPORT = {"width": 2560, "height": 1440}  # the asset graph shows full node names


def launch_chromium(playwright):
    """Headless Debian Chromium; ``--no-sandbox`` since tests run as root in CI."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing. {INSTALL_HINT}", pytrace=False)
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-dev-shm-usage"],
    )


def dismiss_community_dialog(page, wait: float = 15) -> None:
    """Dagster's "Join the Dagster community" dialog opens on loopback a second or so after the
    first page of a fresh instance loads. Wait for it there and skip it (Dagster then never shows
    it again), so that it cannot close a menu later; a handler still skips it if it comes back."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    dialog = page.get_by_role("dialog").filter(has_text="Join the Dagster community")
    try:
        dialog.wait_for(state="visible", timeout=wait * 1000)
        dialog.get_by_role("button", name="Skip").click()
        dialog.wait_for(state="hidden")
    except PlaywrightTimeout:
        pass  # not shown (already dismissed for this instance)
    page.add_locator_handler(dialog, lambda: dialog.get_by_role("button", name="Skip").click())


class Steps:
    """A screenshot per step in ``folder`` (``NN_name.png``), taken in a ``finally``: a failed
    step leaves ``NN_name-FAILED.png``, showing the page as it was when the step failed."""

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.count = 0
        self.files: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.count += 1
        failed = True
        started = time.monotonic()
        try:
            yield
            failed = False
        finally:
            path = self.folder / f"{self.count:02d}_{name}{'-FAILED' if failed else ''}.png"
            try:
                self.page.screenshot(path=str(path), full_page=False)
                self.files.append(path)
                print(f"step {path.stem}: {time.monotonic() - started:.1f}s -> {path}")
            except Exception as error:  # the screenshot must never hide the step's own error
                print(f"step {path.stem}: screenshot not taken: {error}")


def expect_visible(locator, page_name: str, expected: str, timeout: float = 30) -> None:
    """Waits until ``locator`` is visible; the failure says which page and what was expected."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.first.wait_for(state="visible", timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise AssertionError(
            f"{page_name}: expected {expected} within {timeout:.0f}s, but it is not shown"
        ) from None


def shown_row_count(page, base_url: str, asset: str, month: str) -> int:
    """The ``dagster/row_count`` the asset's Partitions tab shows for ``month`` (the user's
    path: Partitions tab, filter, click the month, read the metadata table)."""
    page.goto(f"{base_url}/assets/{asset}?view=partitions")
    page_name = f"{asset} Partitions tab, partition {month}"
    page.get_by_placeholder("Filter by name").fill(month)
    page.get_by_text(month, exact=True).first.click()
    page.wait_for_url(re.compile(rf"[?&]partition={month}\b"), timeout=15_000)
    expect_visible(page.get_by_text("Metadata", exact=True), page_name, "a Metadata section")
    row = page.locator("tr").filter(
        has=page.locator("td", has_text=re.compile(r"^\s*dagster/row_count\s*$"))
    )
    try:
        row.first.wait_for(state="visible", timeout=15_000)
    except Exception:
        shown = page.locator("tr").all_inner_texts()
        raise AssertionError(
            f"{page_name}: no dagster/row_count entry in the materialization's metadata; the "
            f"metadata rows shown are {shown}"
        ) from None
    value = row.first.locator("td").nth(1).inner_text().strip()
    number = value.replace(",", "").replace("\u202f", "").replace(" ", "")
    assert number.isdigit(), f"{page_name}: dagster/row_count shows {value!r}, not a number"
    return int(number)


def lake_row_count(lake: Path, asset: str, month: str) -> int:
    """Rows of ``asset`` for ``month`` in the lake's Parquet, read without Spark."""
    import pyarrow.parquet as pq

    folder = lake / asset / f"sales_month={month}"
    assert folder.is_dir(), f"no lake folder {folder}"
    return pq.read_table(folder).num_rows

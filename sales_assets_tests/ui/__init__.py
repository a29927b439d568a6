"""The Dagster UI in a real browser (marker ``ui``): ``dagster dev`` on loopback, driven by
Playwright with Debian's Chromium. ``bash scripts/install_browser.sh`` installs both."""

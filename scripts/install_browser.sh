#!/usr/bin/env bash
# Installs what the browser tests of the Dagster UI (sales_assets_tests/ui, marker `ui`) need:
# Debian's Chromium (/usr/bin/chromium) and the Python package `playwright`, used only as the
# driver of that Chromium. Idempotent. Never runs `playwright install`: that downloads browser
# builds of its own, which a machine that reaches only the package registries cannot fetch.
# Uses the same Python as scripts/install.sh: the project's .venv when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1.65.2 bundles a driver for Chromium 159; it drives Debian 12's chromium 156 (checked below).
PLAYWRIGHT_VERSION=1.65.2
CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "== installing Debian's chromium (the browser of the UI tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; fi
installed=$($PYTHON -c 'import importlib.metadata as m; print(m.version("playwright"))' 2>/dev/null || true)
if [ "$installed" != "$PLAYWRIGHT_VERSION" ]; then
  echo "== installing playwright==$PLAYWRIGHT_VERSION with $($PYTHON --version) (the driver only, no browser download)"
  PIP_ROOT_USER_ACTION=ignore $PYTHON -m pip install --quiet --disable-pip-version-check \
    "playwright==$PLAYWRIGHT_VERSION"
fi

# The driver and the browser must agree: launch it once, headless, as the tests do.
$PYTHON - "$CHROMIUM" <<'PY'
import sys
from playwright.sync_api import sync_playwright

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(
        executable_path=sys.argv[1], headless=True, args=["--no-sandbox"]
    )
    version = browser.version
    browser.close()
print(f"== browser for the UI tests: chromium {version} driven by playwright "
      f"{__import__('importlib.metadata').metadata.version('playwright')}")
PY

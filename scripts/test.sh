#!/usr/bin/env bash
# All the tests on a fresh Debian/Ubuntu machine: installs the package, the s3a jars and the
# test servers (MariaDB, S3), starts the servers on loopback, and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
bash scripts/install_browser.sh   # Debian chromium + playwright for the UI tests (-m ui)
# A Debian-managed Python gets a project virtualenv (see scripts/install.sh).
if [ -x .venv/bin/python ]; then source .venv/bin/activate; fi
if [ "${SALES_EMBEDDED_ONLY:-0}" != "1" ]; then
  bash scripts/fetch_jars.sh
  bash scripts/services.sh up
  eval "$(bash scripts/services.sh env)"
fi

python3 -m pytest -q -p no:cacheprovider "$@"

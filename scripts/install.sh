#!/usr/bin/env bash
# Installs what the pipeline needs on a fresh Debian/Ubuntu machine: Java 17 for Spark and
# the Python package with its pinned dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "== installing Java 17 (Spark needs a JVM)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

PYTHON=${PYTHON:-python3}
echo "== installing sales_assets and its dependencies with $($PYTHON --version)"
$PYTHON -m pip install --quiet --disable-pip-version-check -e ".[dev]"

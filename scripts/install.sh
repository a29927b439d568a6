#!/usr/bin/env bash
# Installs what the pipeline needs on a fresh Debian/Ubuntu machine: Java 17 for Spark and
# the Python package with its pinned dependencies. Idempotent. The package goes into a
# project virtualenv, .venv/, whatever the Python (Debian's, pyenv's, a build of your own),
# so nothing is installed into the interpreter itself; scripts/demo.sh and scripts/test.sh
# then use it (`source .venv/bin/activate` for your own shell). PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v java >/dev/null 2>&1; then
  echo "== installing Java 17 (Spark needs a JVM)"
  apt_install openjdk-17-jre-headless
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  $PYTHON -m venv .venv 2>/dev/null || { apt_install python3-venv python3-pip; $PYTHON -m venv .venv; }
fi
PYTHON=.venv/bin/python

echo "== installing sales_assets and its dependencies with $($PYTHON --version)"
$PYTHON -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# The JDBC drivers every run needs (Spark reads the dimensions and writes the results through
# them) and the S3A connector, from Maven Central into ~/.cache/sales_assets/jars.
echo "== Spark jars (JDBC drivers, S3A connector)"
bash scripts/fetch_jars.sh >/dev/null

# Once per Java and PySpark version (about a minute): the classes Spark's driver loads,
# kept as a class-data-sharing archive that every later run maps at start (about 3 s less
# per run). Runs work without it, so a failure here is reported, not fatal.
echo "== Spark driver class archive"
$PYTHON -m sales_assets.cli spark-class-archive \
  || echo "   not built; runs start without it (see docs/performance.md)"

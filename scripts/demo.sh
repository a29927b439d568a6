#!/usr/bin/env bash
# The main job on the embedded default (local folders + SQLite, no servers): installs,
# generates a year of sample data with every kind of fault, materializes every asset for
# every month in ONE run, and prints the business report for the last month.
set -euo pipefail
cd "$(dirname "$0")/.."

MONTHS_FROM=${MONTHS_FROM:-2024-01}
MONTHS_TO=${MONTHS_TO:-2024-12}
ROWS_PER_MONTH=${ROWS_PER_MONTH:-100000}

bash scripts/install.sh
# A Debian-managed Python gets a project virtualenv (see scripts/install.sh).
if [ -x .venv/bin/python ]; then source .venv/bin/activate; fi
export DAGSTER_HOME=${DAGSTER_HOME:-$PWD/.dagster_home}
mkdir -p "$DAGSTER_HOME"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"

start=$(date +%s)
echo "== generating sample data: $MONTHS_FROM..$MONTHS_TO, $ROWS_PER_MONTH rows per month"
sales-assets generate --months "$MONTHS_FROM..$MONTHS_TO" --rows-per-month "$ROWS_PER_MONTH" --faults

echo "== materializing every asset for $MONTHS_FROM...$MONTHS_TO as one run"
dg launch --assets '*' --partition-range "$MONTHS_FROM...$MONTHS_TO"

echo "== report for $MONTHS_TO"
sales-assets report --month "$MONTHS_TO"
echo "== done in $(( $(date +%s) - start ))s (after install). Open the UI with: source .venv/bin/activate; export DAGSTER_HOME=$DAGSTER_HOME; dg dev"

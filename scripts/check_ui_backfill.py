"""Launch a twelve-month asset backfill the way the UI's launch dialog does without its
"Single run" toggle (GraphQL ``launchPartitionBackfill`` on a running ``dagster dev``), and
print the runs it made and the months each covered.

Usage: python scripts/check_ui_backfill.py [http://127.0.0.1:3000] [2024-01] [2024-12]
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

ASSETS = [
    "validated_sales",
    "rejected_sales",
    "sales_file_audit",
    "enriched_sales",
    "customer_data_mart",
    "sales_team_data_mart",
    "customer_monthly_sales",
    "sales_team_incentive",
]
LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
  }
}"""
STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill {
      status numPartitions runs(limit: 100) { runId status tags { key value } }
    }
  }
}"""


def graphql(url: str, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def month_range(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3000"
    first, last = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else ("2024-01", "2024-12")
    params = {
        "partitionNames": month_range(first, last),
        "assetSelection": [{"path": [name]} for name in ASSETS],
        "fromFailure": False,
    }
    launched = graphql(url, LAUNCH, {"params": params})["data"]["launchPartitionBackfill"]
    if launched["__typename"] != "LaunchBackfillSuccess":
        print(f"backfill refused: {launched}")
        return 1
    backfill_id = launched["backfillId"]
    started = time.time()
    while time.time() - started < 1200:
        state = graphql(url, STATUS, {"id": backfill_id})["data"]["partitionBackfillOrError"]
        if state["status"] not in ("REQUESTED", "IN_PROGRESS"):
            break
        time.sleep(5)
    runs = state["runs"]
    print(
        f"backfill {backfill_id}: status {state['status']}, {state['numPartitions']} partitions, "
        f"{len(runs)} run(s) in {time.time() - started:.0f}s"
    )
    for run in runs:
        tags = {t["key"]: t["value"] for t in run["tags"]}
        print(
            f"  run {run['runId']}: {run['status']}, range "
            f"{tags.get('dagster/asset_partition_range_start')}..{tags.get('dagster/asset_partition_range_end')}"
        )
    return 0 if runs and all(run["status"] == "SUCCESS" for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

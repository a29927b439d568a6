"""Run-failure alerts: always logged; posted as Slack-compatible JSON to a webhook when
SALES_ALERT_WEBHOOK_URL is set (a real HTTP receiver on loopback here), never a secret."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import dagster as dg
import pytest

from sales_assets import alerts
from sales_assets import warehouse_schema as ws
from sales_assets_tests import scenario

SECRET = "hooks-T0KEN-xyz"


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(
            {
                "path": self.path,
                "type": self.headers["Content-Type"],
                **json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch) -> Iterator[list[dict]]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(alerts.WEBHOOK_VARIABLE, f"http://127.0.0.1:{server.server_port}/{SECRET}")
    yield _Receiver.received
    server.shutdown()


def _failed_run(embedded) -> tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]:
    """A real failed run: two product names equal once trimmed stop it (no retry)."""
    scenario.load_dimensions(embedded.warehouse)
    twin = {**scenario.PRODUCTS[0], "id": 999, "name": f"{scenario.PRODUCTS[0]['name']} "}
    with embedded.warehouse.engine().begin() as connection:
        connection.execute(ws.product.insert(), [twin])
    scenario.land_files(embedded.landing_zone)
    instance = dg.DagsterInstance.ephemeral()
    job = embedded.defs.resolve_job_def("sales_pipeline")
    result = job.execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "2024-01",
            "dagster/asset_partition_range_end": "2024-02",
        },
        raise_on_error=False,
    )
    assert not result.success
    return instance, result


def _evaluate(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> None:
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    alerts.run_failure_alert(context)


def test_a_failed_run_is_posted_with_its_months_step_and_error(embedded, webhook, monkeypatch):
    monkeypatch.setenv("SALES_WAREHOUSE_URL", "mysql+pymysql://u:pw-in-url@db/w")
    instance, result = _failed_run(embedded)
    _evaluate(instance, result)
    [message] = webhook
    assert message["type"] == "application/json"
    assert message["months"] == "2024-01..2024-02" and message["failed_steps"] == ["landed_sales"]
    assert (
        "Product names in" in message["error"] and "match several product rows" in message["error"]
    )
    assert message["text"].startswith(f"sales_assets: run {result.run_id[:8]} of sales_pipeline")
    body = json.dumps({k: v for k, v in message.items() if k not in ("path", "type")})
    assert message["path"] == f"/{SECRET}"  # posted to the webhook, whose URL is the secret
    assert SECRET not in body and "pw-in-url" not in body


def test_a_run_that_failed_outside_its_steps_says_so_in_one_line():
    message = alerts.failure_message("abcdef123456", "sales_pipeline", "2024-03", [], "boom\nmore")
    assert message["text"] == (
        "sales_assets: run abcdef12 of sales_pipeline failed for 2024-03 at no step "
        "(the run failed before or after its steps): boom"
    )


def test_an_unreachable_webhook_is_reported_without_its_url(monkeypatch):
    with pytest.raises(OSError) as raised:
        alerts.post_alert(f"http://127.0.0.1:9/{SECRET}", {"text": "x"})
    assert SECRET not in str(raised.value) and alerts.WEBHOOK_VARIABLE in str(raised.value)
    assert alerts.without_secrets(f"see {SECRET}", {alerts.WEBHOOK_VARIABLE: SECRET}) == "see ***"

"""``dagster dev`` as a subprocess for the browser tests: started on loopback in its own process
group, waited for, always stopped with the whole group; and the GraphQL look-ups the tests use
only to wait (the assertions are on what the pages show)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # loopback only
TERMINAL_RUN_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}
# Backfill statuses that may still launch runs.
ACTIVE_BACKFILL_STATUSES = {"REQUESTED", "CANCELING", "FAILING"}

WORKSPACE_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
RUN_ERRORS_QUERY = """
query($runId: ID!) { logsForRun(runId: $runId) { __typename
  ... on EventConnection { events { __typename
    ... on MessageEvent { message level stepKey }
    ... on ErrorEvent { error { message } } } } } }"""
BACKFILL_QUERY = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
  ... on PartitionBackfill { id status numPartitions
    runs(limit: 100) { runId status } }
  ... on PythonError { message } } }"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class DagsterDev:
    """One ``dagster dev -m <module>`` on ``127.0.0.1:<port>``; its output goes to ``log_path``."""

    module: str
    env: Mapping[str, str]
    cwd: Path
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "dagster", "dev", "-h", HOST, "-p", str(self.port)]
        command += ["-m", self.module]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends every child too
            )

    def wait_ready(self, timeout: float = 120) -> None:
        """Until ``/server_info`` answers and the code location has loaded (a definitions
        error fails at once, with Dagster's message)."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"dagster dev exited with code {self.process.returncode} before it served "
                    f"{self.url}.\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/server_info", timeout=5) as answer:
                    last = f"/server_info answered {answer.status}"
                entries = self.graphql(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
                for entry in entries:
                    loaded = entry["locationOrLoadError"] or {}
                    if loaded.get("__typename") == "PythonError":
                        raise AssertionError(
                            f"code location {entry['name']!r} failed to load in dagster dev:\n"
                            f"{loaded['message']}"
                        )
                if entries and all(
                    (e["locationOrLoadError"] or {}).get("__typename") == "RepositoryLocation"
                    for e in entries
                ):
                    return
                last = f"code locations still loading: {[e['loadStatus'] for e in entries]}"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                last = f"{type(error).__name__}: {error}"
            time.sleep(1)
        raise AssertionError(
            f"dagster dev did not serve {self.url}/server_info with a loaded code location "
            f"within {timeout:.0f}s (last: {last}).\n{self.log_tail()}"
        )

    def stop(self, grace: float = 10) -> None:
        """SIGTERM to the whole process group, SIGKILL to what is left after ``grace`` s
        (``dagster dev`` does not always end on SIGTERM)."""
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the group id is the leader's pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(group):
            self.process.poll()  # reap the leader if it ended
            time.sleep(0.2)
        if _group_alive(group):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = None

    def graphql(self, query: str, variables: Mapping | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": dict(variables or {})}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = json.loads(answer.read())
        if body.get("errors"):
            raise AssertionError(f"GraphQL error from {self.url}/graphql: {body['errors']}")
        return body["data"]

    def wait_for_backfill(self, backfill_id: str, timeout: float = 360) -> dict:
        """Until the backfill launches no more runs and every run it made has ended; returns
        ``{"status", "runs": [{"runId", "status"}]}``. A failed run fails at once."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < deadline:
            state = self.graphql(BACKFILL_QUERY, {"id": backfill_id})["partitionBackfillOrError"]
            if state["__typename"] != "PartitionBackfill":
                raise AssertionError(f"backfill {backfill_id}: {state}")
            failed = [r for r in state["runs"] if r["status"] in {"FAILURE", "CANCELED"}]
            if failed:
                run_id = failed[0]["runId"]
                raise AssertionError(
                    f"backfill {backfill_id}: run(s) {failed} did not succeed. Errors of run "
                    f"{run_id} (its page: {self.url}/runs/{run_id}):\n"
                    f"{self.run_errors(run_id)}\n{self.log_tail(errors_only=True)}"
                )
            if (
                state["status"] not in ACTIVE_BACKFILL_STATUSES
                and state["runs"]
                and all(r["status"] in TERMINAL_RUN_STATUSES for r in state["runs"])
            ):
                return state
            time.sleep(3)
        raise AssertionError(
            f"backfill {backfill_id} did not finish within {timeout:.0f}s: status "
            f"{state.get('status')}, runs {state.get('runs')}.\n{self.log_tail()}"
        )

    def run_errors(self, run_id: str) -> str:
        """The run's ERROR events, with their Python errors, as the run page lists them."""
        logs = self.graphql(RUN_ERRORS_QUERY, {"runId": run_id})["logsForRun"]
        lines = []
        for event in logs.get("events", []):
            if event.get("level") == "ERROR" or event.get("error"):
                step = f"[{event['stepKey']}] " if event.get("stepKey") else ""
                lines.append(f"- {step}{event['__typename']}: {event.get('message', '')}")
                if event.get("error"):
                    lines.append("  " + event["error"]["message"].strip().replace("\n", "\n  "))
        return "\n".join(lines) or f"(no error events; logsForRun: {logs['__typename']})"

    def log_tail(self, lines: int = 40, errors_only: bool = False) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return f"(no log at {self.log_path})"
        if errors_only:
            marks = ("ERROR", "FAILURE", "Error", "Traceback", "Exception")
            text = [line for line in text if any(mark in line for mark in marks)] or text
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text[-lines:])


def _group_alive(group: int) -> bool:
    """Whether a process other than a zombie is still in the process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command name: state, ppid, pgrp, ...
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False

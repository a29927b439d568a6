"""Run a command and sample the resident memory of its whole process tree.

``/usr/bin/time`` reports the peak of one process; a Spark run is a Python driver, a JVM and
Python workers, so the tree is sampled from ``/proc`` instead (Linux only). Each process
counts its proportional set size (PSS: a page shared by N processes counts 1/N in each), so
the Python workers forked from one daemon are not counted several times over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.25


@dataclass
class Measured:
    returncode: int
    wall_s: float
    peak_rss_bytes: int
    output: str
    timed_out: bool = False


def process_stats() -> Iterator[tuple[int, str, list[str]]]:
    """Each live process: its id, its command name and the fields of ``/proc/<pid>/stat``
    after the name (state first: parent at [1], utime and stime at [11] and [12])."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        yield int(entry.name), name, stat.rsplit(")", 1)[1].split()


def _children() -> dict[int, list[int]]:
    by_parent: dict[int, list[int]] = {}
    for pid, _, fields in process_stats():
        by_parent.setdefault(int(fields[1]), []).append(pid)
    return by_parent


def _pss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_rss_bytes(root: int) -> int:
    """Resident bytes (PSS) of ``root`` and every descendant, now."""
    by_parent = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += by_parent.get(pid, [])
        try:
            total += _pss_bytes(pid)
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(
    command: list[str],
    env: dict[str, str],
    cwd: Path | None = None,
    timeout_s: float | None = None,
) -> Measured:
    """Run ``command`` to its end; wall time and the peak RSS of its process tree. With
    ``timeout_s`` the command runs in a process group of its own, stopped (TERM, then KILL)
    when the time is up."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=timeout_s is not None,
    )
    peak = 0
    done = threading.Event()
    timed_out = threading.Event()

    def stop() -> None:
        if done.wait(timeout_s):
            return
        timed_out.set()
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            if done.wait(grace):
                return

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(process.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if timeout_s is not None:
        threading.Thread(target=stop, daemon=True).start()
    try:
        output, _ = process.communicate()
    except BaseException:  # interrupted: a process group of its own gets no Ctrl-C
        if timeout_s is not None:
            os.killpg(process.pid, signal.SIGKILL)
        raise
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(process.returncode, wall, peak, output, timed_out.is_set())

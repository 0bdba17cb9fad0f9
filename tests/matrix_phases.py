"""Where a deep combination's time goes: wall and CPU seconds per phase.

Each matrix test times its phases with a :class:`PhaseClock` and records them as a user
property (pytest-xdist carries those to the controller). At the end of the session the
controller prints a table (:func:`summary`) and writes every record to
``.cache/matrix-phases.json``, which ``benchmarks/run.py`` reads.

CPU is this process's and its children's user + system time: on a shared machine wall
time says how long we waited, CPU time says how much work a phase is.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROPERTY = "matrix_phases"
# The rendered pytest run loads this plugin (by PYTHONPATH and `-p`) and writes when its
# collection finished to the file named by this variable.
PROBE_DIR = Path(__file__).with_name("rendered_plugins")
PROBE_PLUGIN = "phase_probe"
PROBE_FILE_VARIABLE = "MATRIX_PHASE_PROBE"


def cpu_seconds() -> float:
    """User + system seconds of this process and every child it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class PhaseClock:
    """Accumulates wall and CPU seconds under phase names, in the order first seen."""

    def __init__(self) -> None:
        self.phases: dict[str, dict[str, float]] = {}
        self.started = time.time()
        # Its gates ran in its journey (test_matrix.gated_by_journey), not here.
        self.gated_by_journey = False

    def record(self) -> dict[str, Any]:
        """What the test records: its phases, and when it ran (for the matrix's span)."""
        return {
            "phases": self.phases,
            "started": self.started,
            "finished": time.time(),
            "gated_by_journey": self.gated_by_journey,
        }

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, cpu_seconds() - cpu)

    def add(self, name: str, wall: float, cpu: float) -> None:
        spent = self.phases.setdefault(name, {"wall": 0.0, "cpu": 0.0})
        spent["wall"] += wall
        spent["cpu"] += cpu

    @contextmanager
    def pytest_run(self, probe_file: Path) -> Iterator[None]:
        """Time a rendered pytest run as start-up, collection and tests.

        The probe plugin writes the wall time and its process's CPU time when the session
        started and when collection finished.
        """
        probe_file.unlink(missing_ok=True)
        wall, cpu, started_at = time.perf_counter(), cpu_seconds(), time.time()
        try:
            yield
        finally:
            total_wall, total_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            if probe_file.exists():
                probe = json.loads(probe_file.read_text())
                startup = probe["session_started"] - started_at
                collection = probe["collected"] - probe["session_started"]
                self.add("pytest start-up", startup, probe["cpu_session_started"])
                collection_cpu = probe["cpu_collected"] - probe["cpu_session_started"]
                self.add("pytest collection", collection, collection_cpu)
                self.add(
                    "pytest tests",
                    total_wall - startup - collection,
                    total_cpu - probe["cpu_collected"],
                )
            else:
                self.add("pytest", total_wall, total_cpu)


def probe_env(probe_file: Path) -> dict[str, str]:
    """Environment that makes a rendered pytest run load the probe plugin."""
    path = os.pathsep.join(filter(None, [str(PROBE_DIR), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, PROBE_FILE_VARIABLE: str(probe_file)}


def matrix_span(records: Mapping[str, Mapping[str, Any]]) -> float:
    """Wall seconds from the first combination's start to the last one's end."""
    finished = max(float(r["finished"]) for r in records.values())
    return finished - min(float(r["started"]) for r in records.values())


def summary(records: Mapping[str, Mapping[str, Any]], wall: float) -> str:
    """A table of each phase's share over every recorded combination."""
    by_phase: dict[str, list[Mapping[str, float]]] = {}
    for record in records.values():
        for name, seconds in record["phases"].items():
            by_phase.setdefault(name, []).append(seconds)
    total_cpu = sum(s["cpu"] for spent in by_phase.values() for s in spent) or 1.0
    lines = [
        f"matrix phases over {len(records)} combinations (their span {matrix_span(records):.0f} s,"
        f" the session's {wall:.0f} s):",
        f"  {'phase':<18} {'wall sum':>9} {'wall mean':>10} {'wall max':>9} "
        f"{'cpu sum':>8} {'cpu %':>6}",
    ]
    for name, spent in by_phase.items():
        walls = [s["wall"] for s in spent]
        cpu = sum(s["cpu"] for s in spent)
        lines.append(
            f"  {name:<18} {sum(walls):>8.1f}s {statistics.mean(walls):>9.2f}s "
            f"{max(walls):>8.2f}s {cpu:>7.1f}s {100 * cpu / total_cpu:>5.0f}%"
        )
    totals = {
        name: sum(s["wall"] for s in record["phases"].values()) for name, record in records.items()
    }
    slowest = sorted(totals, key=totals.__getitem__, reverse=True)[:5]
    lines.append("  slowest: " + ", ".join(f"{name} {totals[name]:.0f}s" for name in slowest))
    if journeyed := sorted(name for name, r in records.items() if r.get("gated_by_journey")):
        lines.append("  gates run by their journey instead: " + ", ".join(journeyed))
    return "\n".join(lines)


class PhaseCollector:
    """Gathers the records of one session (in the xdist controller, from every worker)."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.tests = 0
        self.started = time.perf_counter()

    def add_report(self, report: Any) -> None:
        if report.when != "call":
            return
        self.tests += 1
        for name, value in report.user_properties:
            if name == PROPERTY:
                self.records[report.nodeid.rpartition("[")[2].rstrip("]")] = value

    def write(self, destination: Path, workers: int) -> str | None:
        """Write the records as JSON and return the summary, if there were any."""
        if not self.records:
            return None
        wall = time.perf_counter() - self.started
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(
            json.dumps(
                {
                    "session_wall": wall,
                    "tests": self.tests,
                    "workers": workers,
                    "matrix_span": matrix_span(self.records),
                    "combinations": self.records,
                },
                indent=1,
            )
        )
        return summary(self.records, wall)

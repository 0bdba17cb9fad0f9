"""The deep matrix and the template suite, from the phase records of the last session.

Every deep combination records where its time went (tests/matrix_phases.py) to
`.cache/matrix-phases.json` at the end of a session. This reads the last one: after
`make test` (or `.ci/run`) it holds the whole suite; after a few combinations run by
hand, the matrix figure is extrapolated to all of them and says so.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure
from tests.combinations import ALL
from tests.matrix_phases import matrix_span, summary
from tests.rendering import CACHE_DIR

RECORDS = CACHE_DIR / "matrix-phases.json"
MATRIX_BUDGET_SECONDS = 600.0
SUITE_BUDGET_SECONDS = 1200.0


def load(path: Path = RECORDS) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def figures(records: dict[str, Any]) -> tuple[list[Figure], str]:
    combinations = records["combinations"]
    count, workers = len(combinations), records["workers"] or 1
    recorded = time.strftime("%Y-%m-%d %H:%M", time.localtime(RECORDS.stat().st_mtime))
    walls = [sum(p["wall"] for p in r["phases"].values()) for r in combinations.values()]
    cpus = [sum(p["cpu"] for p in r["phases"].values()) for r in combinations.values()]
    # Two cores cannot do the work in less than its CPU seconds over two.
    cpu_floor = sum(cpus) / count * len(ALL) / (os.cpu_count() or 1)
    if count == len(ALL):
        matrix = matrix_span(combinations)
        note = f"recorded {recorded}, {workers} xdist workers"
    else:
        matrix = sum(walls) / count * len(ALL) / workers
        note = (
            f"extrapolated from the {count} combinations of the session recorded {recorded} "
            f"({workers} workers; run `make test` for the real figure)"
        )
    note += f"; its CPU seconds alone need {cpu_floor:.0f} s on {os.cpu_count()} cores"
    result = [
        Figure(
            key="matrix_wall",
            title=f"the {len(ALL)}-combination deep matrix (wall)",
            ours=matrix,
            baseline=MATRIX_BUDGET_SECONDS,
            unit="s",
            baseline_title="its budget",
            target=1.0,
            note=note,
        )
    ]
    session = float(records["session_wall"])
    if count == len(ALL):
        result.append(
            Figure(
                key="suite_wall",
                title=f"the template's pytest session, {records['tests']} tests (wall)",
                ours=session,
                baseline=SUITE_BUDGET_SECONDS,
                unit="s",
                baseline_title="the budget of the whole .ci/run",
                target=1.0,
                note="the pytest session only: .ci/run adds installing and starting services",
            )
        )
    return result, summary(combinations, session)

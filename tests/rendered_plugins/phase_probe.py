"""Loaded into a rendered project's pytest run by the matrix (``-p phase_probe``): writes
when the session started and when collection finished, with this process's CPU seconds,
to the file named by ``MATRIX_PHASE_PROBE``. Standard library only: it runs in the
rendered project's environment."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path
from typing import Any

_marks: dict[str, float] = {}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pytest_sessionstart(session: Any) -> None:
    _marks.update(session_started=time.time(), cpu_session_started=_cpu())


def pytest_collection_finish(session: Any) -> None:
    _marks.update(collected=time.time(), cpu_collected=_cpu())
    target = os.environ.get("MATRIX_PHASE_PROBE")
    if target:
        Path(target).write_text(json.dumps(_marks))

"""Benchmarks of the template, each compared with a baseline measured in the same run.

1. Render time: the default combination vs. a one-file Copier template (Copier's own cost).
2. Rendered-app throughput: requests per second through the rendered app (middleware,
   error handling, session auth against SQLite) vs. a bare FastAPI app answering the same
   JSON, both driven in-process over ASGI so the network does not blur the comparison.
3. One combination's deep gates vs. the project's bare test run.
4. AI streaming: time to the first delta through the rendered `/api/v1/ai/chat` vs.
   straight from the fake provider it streams from (the default combination has `llm`).

Run with `make bench`; figures are printed, nothing is asserted.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.rendering import copy_template, render, uv  # noqa: E402

APP_BENCH = Path(__file__).with_name("app_throughput.py")
STREAM_BENCH = Path(__file__).with_name("ai_stream_ttfb.py")


def _best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def bench_render(work: Path) -> Path:
    template = copy_template(work / "template")
    trivial = work / "trivial"
    (trivial / "t").mkdir(parents=True)
    (trivial / "copier.yml").write_text("_subdirectory: t\nname:\n  type: str\n  default: x\n")
    (trivial / "t" / "README.md.jinja").write_text("# {{ name }}\n")
    counter = iter(range(1000))

    def ours() -> None:
        render(template, work / f"out{next(counter)}", {})

    def baseline() -> None:
        render(trivial, work / f"out{next(counter)}", {})

    ours_s, base_s = _best_of(5, ours), _best_of(5, baseline)
    print(
        f"render: default combination {ours_s * 1000:.0f} ms, one-file template "
        f"{base_s * 1000:.0f} ms, ratio {ours_s / base_s:.1f}x"
    )
    project = work / "project"
    render(template, project, {})
    return project


def bench_app(project: Path) -> None:
    subprocess.run([*uv(), "lock", "-q"], cwd=project, check=True)
    subprocess.run([*uv(), "sync", "-q", "--frozen"], cwd=project, check=True)
    for script in (APP_BENCH, STREAM_BENCH):
        result = subprocess.run(
            [*uv(), "run", "--frozen", "python", str(script)],
            cwd=project,
            check=True,
            capture_output=True,
            text=True,
        )
        print(result.stdout.strip())


def bench_gates(project: Path) -> None:
    def run(*command: str) -> float:
        started = time.perf_counter()
        subprocess.run(
            [*uv(), "run", "--frozen", *command], cwd=project, check=True, capture_output=True
        )
        return time.perf_counter() - started

    tests = statistics.median(run("pytest", "-q", "-p", "no:cacheprovider") for _ in range(3))
    gates = sum(
        run(*gate)
        for gate in (
            ("ruff", "format", "--check", "."),
            ("ruff", "check", "."),
            ("mypy",),
            ("pytest", "-q", "-p", "no:cacheprovider"),
        )
    )
    print(
        f"gates of one combination: {gates:.1f} s, its bare test run {tests:.1f} s, "
        f"ratio {gates / tests:.1f}x"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = bench_render(Path(tmp))
        bench_app(project)
        bench_gates(project)


if __name__ == "__main__":
    main()

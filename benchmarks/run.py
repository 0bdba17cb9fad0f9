"""Every figure of issue 15 in one run, each against a baseline measured in the same run.

    uv run python benchmarks/run.py               # every group (`make bench`)
    uv run python benchmarks/run.py render import # some groups

Groups: render (copier copy vs a one-file template), matrix (the deep matrix and the
template suite, from the last session's phase records), throughput (uvicorn under wrk:
/health vs a bare FastAPI app, /users/me vs /health on SQLite and PostgreSQL), import
(the all-features app vs the floor), streaming (AI time to first delta vs direct),
suite (the all-features render's own tests vs 30 s). Prints a line per figure with its
ratio and target, then writes them all as JSON to benchmarks/results.json.
docs/contributing.md explains each figure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import app_figures, matrix_figures, render_time  # noqa: E402
from benchmarks.figures import Figure, machine, table, write  # noqa: E402
from tests.combinations import ALL  # noqa: E402
from tests.rendering import copy_template, render, uv  # noqa: E402

GROUPS = ("render", "matrix", "throughput", "import", "streaming", "suite")
CORE = next(c for c in ALL if c.id == "none-local-none-noai")
EVERYTHING = next(c for c in ALL if c.id == "stripe-s3-celery-llm+audio")
# Run when no session has recorded matrix phases (or with --matrix-sample).
MATRIX_SAMPLE = (CORE, EVERYTHING)


def run_matrix_sample() -> None:
    node = "tests/test_matrix.py::test_combination_renders_cleanly_and_passes_its_own_gates"
    subprocess.run(
        [*uv(), "run", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
        + [f"{node}[{c.id}]" for c in MATRIX_SAMPLE],
        cwd=REPO,
        check=True,
    )


def matrix(fresh: bool) -> list[Figure]:
    records = None if fresh else matrix_figures.load()
    if records is None:
        run_matrix_sample()
        records = matrix_figures.load()
    assert records is not None, "the matrix sample recorded nothing"
    measured, phases = matrix_figures.figures(records)
    print(phases)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", default=list(GROUPS), help=", ".join(GROUPS))
    parser.add_argument("--seconds", type=float, default=10, help="per round of load")
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("results.json"))
    parser.add_argument(
        "--matrix-sample", action="store_true", help="run two combinations for fresh records"
    )
    args = parser.parse_args()
    if unknown := set(args.groups) - set(GROUPS):
        parser.error(f"unknown groups {sorted(unknown)}: choose from {', '.join(GROUPS)}")
    started = machine()
    figures: list[Figure] = []
    errors: dict[str, str] = {}

    def report(group: str, measured: list[Figure]) -> None:
        print(f"\n[{group}]\n{table(measured)}", flush=True)
        figures.extend(measured)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        projects: dict[str, Path] = {}

        def project(name: str) -> Path:
            """The core-only or the all-features render, installed on first use."""
            if name not in projects:
                combination = CORE if name == "core" else EVERYTHING
                template = projects.get("template") or copy_template(work / "template")
                projects["template"] = template
                projects[name] = render(template, work / name, combination.answers)
                app_figures.install(projects[name])
            return projects[name]

        steps: dict[str, Callable[[], list[Figure]]] = {
            "render": lambda: render_time.measure(work / "render"),
            "matrix": lambda: matrix(args.matrix_sample),
            "throughput": lambda: app_figures.throughput(project("core"), work, args.seconds),
            "import": lambda: app_figures.import_time(project("everything")),
            "streaming": lambda: app_figures.streaming(project("everything")),
            "suite": lambda: app_figures.suite(project("everything")),
        }
        for group in args.groups:
            (work / group).mkdir(exist_ok=True)
            began = time.perf_counter()
            try:
                report(group, steps[group]())
            except Exception as error:  # one broken figure must not hide the others
                errors[group] = str(error)[-2000:]
                print(f"\n[{group}] FAILED:\n{errors[group]}", flush=True)
            print(f"    ({time.perf_counter() - began:.0f} s)")
    write(args.output, figures, started, errors)
    print(f"\nwrote {args.output}")
    if errors:
        sys.exit(f"failed: {', '.join(errors)}")


if __name__ == "__main__":
    main()

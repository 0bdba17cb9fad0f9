"""How long `copier copy` takes for the default answers, against a one-file template.

Two measures: the render alone inside one Python process (Copier's import paid once),
and the whole `copier copy` command as a user runs it, in CPU seconds (user + system,
the process and the git commands it runs), with Copier's bytecode compiled — Copier's
own start-up is most of the one-file template's time, so this ratio is what a user
feels.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from benchmarks.figures import Figure
from tests.rendering import REPO_ROOT, copy_template, render

IN_PROCESS_RUNS = 5
CLI_RUNS = 5


def one_file_template(directory: Path) -> Path:
    (directory / "t").mkdir(parents=True)
    (directory / "copier.yml").write_text("_subdirectory: t\nname:\n  type: str\n  default: x\n")
    (directory / "t" / "README.md.jinja").write_text("# {{ name }}\n")
    return directory


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _best_of(runs: int, fn: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def _cli_cpu(template: Path, work: Path, extra: tuple[str, ...] = ()) -> float:
    """Median CPU seconds of `copier copy --defaults` run as its own process.

    A first run writes Copier's bytecode, as pip and pipx do when they install it: without
    it every run compiles Copier from source and both sides pay that second of CPU.
    """
    copier_cli = Path(sys.executable).with_name("copier")
    command = [str(copier_cli), "copy", "--trust", "--defaults", "--quiet", *extra]
    samples = []
    for run in range(CLI_RUNS + 1):
        destination = work / f"{template.name}-cli{run}"
        before = _children_cpu()
        subprocess.run(
            [*command, str(template), str(destination)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""} if run == 0 else None,
        )
        if run:
            samples.append(_children_cpu() - before)
        shutil.rmtree(destination)
    return statistics.median(samples)


def measure(work: Path) -> list[Figure]:
    template = copy_template(work / "template")
    trivial = one_file_template(work / "trivial")
    counter = iter(range(1000))

    def ours() -> None:
        render(template, work / f"out{next(counter)}", {})

    def baseline() -> None:
        render(trivial, work / f"out{next(counter)}", {})

    in_process = (_best_of(IN_PROCESS_RUNS, ours), _best_of(IN_PROCESS_RUNS, baseline))
    has_tasks = "_tasks" in yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    cli = (
        _cli_cpu(template, work, ("--skip-tasks",) if has_tasks else ()),
        _cli_cpu(trivial, work),
    )
    figures = [
        Figure(
            key="render_cli_cpu",
            title="copier copy, default answers (whole process, CPU)",
            ours=cli[0],
            baseline=cli[1],
            unit="s",
            baseline_title="a one-file template",
            target=2.0,
            note="post-copy tasks skipped (--skip-tasks): see the next figure" if has_tasks else "",
        ),
        Figure(
            key="render_in_process",
            title="render of the default answers (in-process, wall, best of 5)",
            ours=in_process[0],
            baseline=in_process[1],
            unit="s",
            baseline_title="a one-file template",
            note="Copier's import excluded: what the template itself costs",
        ),
    ]
    if has_tasks:
        figures.append(
            Figure(
                key="render_cli_cpu_with_tasks",
                title="copier copy with its post-copy tasks (whole process, CPU)",
                ours=_cli_cpu(template, work),
                baseline=cli[1],
                unit="s",
                baseline_title="a one-file template",
            )
        )
    return figures

"""A benchmark figure: ours against a baseline measured in the same run, and its target."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """``ours`` / ``baseline`` is the ratio; the target bounds the ratio.

    A budget (the matrix's 10 minutes) is a baseline too: the ratio is the share used.
    ``ours`` is None when the figure could not be measured here (``note`` says why).
    """

    key: str
    title: str
    ours: float | None
    baseline: float | None
    unit: str
    baseline_title: str
    target: float | None = None  # bound on the ratio
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        if self.ratio is None or self.target is None:
            return None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f} {unit}"


def table(figures: Sequence[Figure]) -> str:
    lines = []
    for figure in figures:
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}x"
        if figure.target is None:
            verdict = ""
        else:
            sign = ">=" if figure.higher_is_better else "<="
            verdict = (
                f"target {sign} {figure.target:g}x: "
                + {
                    True: "met",
                    False: "NOT MET",
                    None: "not measured",
                }[figure.met]
            )
        lines.append(
            f"{figure.title}: {_number(figure.ours, figure.unit)} vs {figure.baseline_title} "
            f"{_number(figure.baseline, figure.unit)} = {ratio}  {verdict}"
        )
        if figure.note:
            lines.append(f"    {figure.note}")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    """What the figures depend on: a loaded machine makes every ratio noisier."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": commit,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
    }


def write(
    destination: Path,
    figures: Sequence[Figure],
    started: dict[str, object],
    errors: dict[str, str],
) -> None:
    destination.write_text(
        json.dumps(
            {
                "machine_at_start": started,
                "machine_at_end": machine(),
                "figures": [figure.as_dict() for figure in figures],
                "failed_groups": errors,
            },
            indent=1,
        )
        + "\n"
    )

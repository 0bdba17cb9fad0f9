"""Rendering the template and running a rendered project's own gates."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import copier

REPO_ROOT = Path(__file__).resolve().parent.parent
# What Copier needs to render: the rest of the repo (docs, tests, .venv) stays out.
TEMPLATE_PARTS = ("copier.yml", "template", "extensions", "copier_migrations")
CACHE_DIR = REPO_ROOT / ".cache"
# Content that is random by design (the generated secret key).
_RANDOM_CONTENT = {".env"}


def copy_template(destination: Path) -> Path:
    """A plain (non-git) copy of the template, so renders take the working tree as is."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in TEMPLATE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(
                source,
                destination / part,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache"),
            )
        else:
            shutil.copy2(source, destination / part)
    return destination


def render(
    template: Path, destination: Path, answers: Mapping[str, object], *, tasks: bool = False
) -> Path:
    """Copy the template; ``tasks`` runs copier.yml's `_tasks` too (`uv lock`: slower)."""
    copier.run_copy(
        str(template),
        str(destination),
        data=dict(answers),
        defaults=True,
        unsafe=True,
        quiet=True,
        skip_tasks=not tasks,
    )
    return destination


def project_files(project: Path) -> list[Path]:
    skip = {".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}
    return sorted(
        path
        for path in project.rglob("*")
        if path.is_file() and not skip.intersection(path.relative_to(project).parts)
    )


def leftover_jinja(project: Path) -> list[str]:
    marker = re.compile(r"\{\{|\{%")
    found = []
    for path in project_files(project):
        relative = path.relative_to(project)
        if marker.search(str(relative)):
            found.append(f"{relative} (in its name)")
            continue
        text = path.read_text(errors="replace")
        # The rendered CI workflow legitimately uses GitHub's `${{ ... }}` expressions.
        text = re.sub(r"\$\{\{[^}]*\}\}", "", text)
        # Email templates are runtime Jinja by design.
        if "templates" in relative.parts and path.suffix in {".html", ".txt"}:
            continue
        if marker.search(text):
            found.append(str(relative))
    return found


def empty_files(project: Path) -> list[str]:
    return [
        str(path.relative_to(project))
        for path in project_files(project)
        if not path.read_text(errors="replace").strip()
    ]


def forbidden_mentions(project: Path, tokens: Mapping[str, re.Pattern[str]]) -> list[str]:
    found = []
    for path in project_files(project):
        relative = path.relative_to(project)
        text = "" if path.name in _RANDOM_CONTENT else path.read_text(errors="replace")
        for name, pattern in tokens.items():
            if pattern.search(str(relative)):
                found.append(f"{relative}: path names switched-off '{name}'")
            for number, line in enumerate(text.splitlines(), 1):
                if pattern.search(line):
                    found.append(
                        f"{relative}:{number}: names switched-off '{name}': {line.strip()}"
                    )
    return found


def _run(
    command: list[str], cwd: Path, env: Mapping[str, str] | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    merged = {**os.environ, **(env or {})}
    merged.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        command,
        cwd=cwd,
        env=merged,
        # No terminal, as in CI; and never the test worker's own stdin (xdist talks on it).
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def succeeds(
    command: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 600
) -> bool:
    """Run a command whose failure the caller handles."""
    return _run(command, cwd, env, timeout).returncode == 0


def run(
    command: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 600
) -> str:
    """Run a gate; on failure raise with the command and everything it printed."""
    result = _run(command, cwd, env, timeout)
    if result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command)}` failed in {cwd} (exit {result.returncode}):\n{result.stdout}"
        )
    return result.stdout


def uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def service_reachable(url: str) -> bool:
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()

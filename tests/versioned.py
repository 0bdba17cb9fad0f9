"""A git-tagged copy of the template, and the project-side steps the update tests share."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import copier

from tests.rendering import run, uv

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def git(cwd: Path, *args: str) -> str:
    return run(["git", "-c", "init.defaultBranch=main", *args], cwd, GIT_ENV)


def release(template: Path, version: str, message: str) -> None:
    git(template, "add", "-A")
    git(template, "commit", "-qm", message, "--allow-empty")
    git(template, "tag", version)


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def migrate(project: Path, database: Path) -> None:
    """Install the project's own dependencies and apply every head to ``database``."""
    env = {"UV_PYTHON_DOWNLOADS": "never", "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    run([*uv(), "sync", "--quiet"], project, env)
    run([*uv(), "run", "--frozen", "alembic", "upgrade", "heads"], project, env)


def generate_minimal(template: Path, destination: Path, database: Path) -> Path:
    """Copy ``template`` with every optional feature off, migrate ``database`` and commit:
    the existing project an update test switches features on in."""
    answers = {"payment_provider": "none", "queue": "none", "ai_integrations": []}
    copier.run_copy(
        str(template), str(destination), data=answers, defaults=True, unsafe=True, quiet=True
    )
    migrate(destination, database)
    git(destination, "init", "-q")
    commit_all(destination, "generated without optional features")
    return destination


def update(project: Path, **answers: object) -> None:
    """`copier update` to the template's latest tag, changing ``answers``."""
    copier.run_update(
        str(project), data=answers, defaults=True, unsafe=True, overwrite=True, quiet=True
    )

"""A generated project driven the way its team drives it: `make` targets, its own
environment, a PostgreSQL database of its own, `make dev` answering `/health/ready`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from tests.rendering import CACHE_DIR, project_files, run

# What a fresh render and an updated project may differ in besides the team's own edits.
_NOT_RENDERED = {".env", "uv.lock", ".render-seconds"}


class Project:
    def __init__(self, path: Path, database_url: str) -> None:
        self.path = path
        self.database_url = database_url
        self.env = {
            "DATABASE_URL": database_url,
            "UV_PYTHON_DOWNLOADS": "never",
            # The matrix's mypy cache for this worker: most modules are already checked.
            "MYPY_CACHE_DIR": str(
                CACHE_DIR / "mypy" / os.environ.get("PYTEST_XDIST_WORKER", "main")
            ),
        }

    def make(self, *targets: str, **variables: str) -> str:
        assignments = [f"{name}={value}" for name, value in variables.items()]
        return run(["make", "--no-print-directory", *targets, *assignments], self.path, self.env)

    def suite(self, postgres_url: str, redis_url: str | None) -> str:
        """`make test`, as the team and its CI run it: every core, the coverage gate, on
        PostgreSQL (and Redis for its Celery worker tests). The suite reads its settings
        from the environment, so none of ours leak in."""
        env = {"TEST_DATABASE_URL": postgres_url, "UV_PYTHON_DOWNLOADS": "never"}
        if redis_url:
            env["TEST_REDIS_URL"] = redis_url
        output = run(["make", "--no-print-directory", "test"], self.path, env)
        assert re.search(r"\d+ passed", output), output
        assert re.search(r"Required test coverage of [\d.]+% reached", output), output
        return output

    @contextmanager
    def dev_server(self) -> Iterator[str]:
        """`make dev` on a free port; yields its base URL once it answers."""
        port = _free_port()
        log = self.path / "var" / f"make-dev-{port}.log"
        log.parent.mkdir(exist_ok=True)
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["make", "--no-print-directory", "dev", f"PORT={port}"],
                cwd=self.path,
                env={**_environ(), **self.env, "PUBLIC_URL": f"http://127.0.0.1:{port}"},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                _wait_for(f"http://127.0.0.1:{port}", process, log)
                yield f"http://127.0.0.1:{port}"
            finally:
                _stop(process)

    def ready(self) -> tuple[int, object]:
        """`/health/ready` of the app that `make dev` starts."""
        with self.dev_server() as base:
            return get_json(f"{base}/health/ready")


def get_json(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def differences(project: Path, fresh: Path) -> list[str]:
    """Files that differ between an updated project and a fresh render of its answers."""

    def tree(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in project_files(root)
            if path.name not in _NOT_RENDERED
            and path.relative_to(root).parts[0] != "var"  # runtime state: logs, files
            and not str(path.relative_to(root)).startswith("migrations/removed/")
        }

    ours, theirs = tree(project), tree(fresh)
    return sorted(
        name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name)
    )


def conflicted_files(project: Path) -> list[str]:
    marker = re.compile(r"^(<<<<<<< |>>>>>>> )", re.MULTILINE)
    return [
        str(path.relative_to(project))
        for path in project_files(project)
        if marker.search(path.read_text(errors="replace"))
    ]


class Database:
    """A PostgreSQL database of the test's own, for a project's `DATABASE_URL`."""

    def __init__(self, server_url: str, name: str) -> None:
        self.name = name
        self._admin = _libpq(server_url, "postgres")
        self._dsn = _libpq(server_url, name)
        self.url = re.sub(r"/[^/]*$", f"/{name}", server_url)

    def create(self) -> None:
        with psycopg.connect(self._admin, autocommit=True) as connection:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(statement.format(sql.Identifier(self.name)))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        with psycopg.connect(self._admin, autocommit=True) as connection:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            connection.execute(statement.format(sql.Identifier(self.name)))

    def query(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        with psycopg.connect(self._dsn, autocommit=True) as connection:
            cursor = connection.execute(statement.encode(), params or None)
            return cursor.fetchall() if cursor.description else []

    def tables(self) -> set[str]:
        rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {str(name) for (name,) in rows}

    def versions(self) -> set[str]:
        return {str(v) for (v,) in self.query("SELECT version_num FROM alembic_version")}


def _libpq(sqlalchemy_url: str, database: str) -> str:
    without_driver = re.sub(r"^postgresql\+\w+://", "postgresql://", sqlalchemy_url)
    return re.sub(r"/[^/]*$", f"/{database}", without_driver)


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl+C, as the team stops `make dev`; the reloader is killed if it hangs."""
    os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"`make dev` exited with {process.returncode}:\n{log.read_text()}")
        try:
            get_json(f"{base}/health")
            return
        except (OSError, ValueError):
            time.sleep(0.3)
    raise AssertionError(f"`make dev` did not answer on {base} in {timeout} s:\n{log.read_text()}")

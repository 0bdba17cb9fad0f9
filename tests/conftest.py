"""Fixtures for the template's own tests: a renderable copy of the template and the
services rendered projects are tested against."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.combinations import Combination
from tests.matrix_phases import PhaseCollector
from tests.rendering import CACHE_DIR, copy_template, service_reachable
from tests.versioned import GIT_ENV, Releases, tag_releases

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
# Rendered worker tests use their own queue names and key prefixes, so projects may share it.
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    """PostgreSQL for rendered projects: required in CI, used locally when it is up."""
    url = os.environ.get("MATRIX_DATABASE_URL", DEFAULT_POSTGRES)
    if service_reachable(url):
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but PostgreSQL is not reachable at {url}: start it, don't skip.")
    return None


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    """Redis for rendered projects' tests (Celery workers, the shared throttle): required in CI."""
    url = os.environ.get("MATRIX_REDIS_URL", DEFAULT_REDIS)
    if service_reachable(url):
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but Redis is not reachable at {url}: start it, don't skip.")
    return None


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Releases]:
    """This repository cloned, with its previous release and the working tree tagged.
    Copier's own git commits during an update need an identity."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        yield tag_releases(tmp_path_factory.mktemp("releases") / "template")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """What `-n auto` means here: one worker more than the cores this process may run on.
    A combination's tests wait for about a fifth of their time (worker processes starting,
    PostgreSQL and Redis answering), and the extra worker keeps the cores busy meanwhile
    (docs/contributing.md, "Where the matrix time goes"). `PYTEST_XDIST_AUTO_NUM_WORKERS`
    still decides when it is set."""
    if hasattr(os, "sched_getaffinity"):  # not on macOS
        return len(os.sched_getaffinity(0)) + 1
    return (os.cpu_count() or 1) + 1


# Minutes each, so they start first: the update scenarios, then the journeys and the API
# clients.
_LONGEST = {"update": 2000, "journey": 1000, "clients": 1000}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, the deep combinations heaviest first; then the rest in order.

    With pytest-xdist the session ends when its last test does: a long test started last
    would keep one worker busy while the others idle.
    """

    def weight(item: pytest.Item) -> int:
        if item.get_closest_marker("update") is not None:
            return _LONGEST["update"]
        if item.get_closest_marker("clients") is not None:
            return _LONGEST["clients"]
        if item.get_closest_marker("matrix") is None:
            return 0
        if "journey" in item.nodeid or "minimum_versions" in item.nodeid:
            return _LONGEST["journey"]
        callspec = getattr(item, "callspec", None)
        combination = callspec.params.get("combination") if callspec else None
        return 1 + (combination.weight if isinstance(combination, Combination) else 0)

    items.sort(key=weight, reverse=True)


_phases = PhaseCollector()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _phases.add_report(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the deep combinations' time went (see tests/matrix_phases.py)."""
    if hasattr(terminalreporter.config, "workerinput"):
        return
    workers = terminalreporter.config.getoption("numprocesses", None) or 0
    table = _phases.write(CACHE_DIR / "matrix-phases.json", int(workers))
    if table:
        terminalreporter.write_line(table)

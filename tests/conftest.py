"""Fixtures for the template's own tests: a renderable copy of the template and the
services rendered projects are tested against."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rendering import copy_template, service_reachable
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long update scenarios first, so that in a parallel run they overlap the matrix
    instead of running alone at its end."""
    items.sort(key=lambda item: item.get_closest_marker("update") is None)

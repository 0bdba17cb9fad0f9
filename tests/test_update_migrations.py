"""Copier `_migrations`: what an update does to a project besides applying the diff."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.generated import Database, Project
from tests.versioned import Releases, commit_all, generate, update

pytestmark = pytest.mark.update

BILLING = {"subscription", "billing_event"}


@pytest.fixture
def database(postgres_url: str | None) -> Iterator[Database]:
    if postgres_url is None:
        pytest.skip("the update scenarios run on PostgreSQL: start it on 127.0.0.1:5432")
    database = Database(postgres_url, f"up{secrets.token_hex(4)}_earlier")
    database.create()
    yield database
    database.drop()


def test_billing_switched_off_before_0_1_0_deploys_again_once_updated(
    releases: Releases, tmp_path: Path, database: Database
) -> None:
    minimal = {"queue": "none", "ai_integrations": []}
    path = generate(
        releases,
        releases.pre_release,
        tmp_path / "project",
        payment_provider="lemonsqueezy",
        **minimal,
    )
    project = Project(path, database.url)
    project.make("db-deploy")
    commit_all(path, "lock")
    user = str(uuid.uuid4())
    database.query(
        "INSERT INTO user_account (id, email, role, is_active, created_at, updated_at)"
        " VALUES (%s, 'early@example.com', 'user', true, now(), now())",
        user,
    )
    # Before 0.1.0, switching billing off deleted its migration: every database that had
    # it could not be migrated any more.
    update(path, releases.pre_release, payment_provider="none")
    commit_all(path, "billing off")
    with pytest.raises(AssertionError, match="Can't locate revision identified by 'billing_0001'"):
        project.make("db-deploy")
    commit_all(path, "lock without billing")

    update(path, releases.current)

    # The 0.1.0 migration found the deleted script in git history and kept it.
    assert (path / "migrations/removed/billing_0001_billing_tables.py").is_file()
    project.make("db-deploy")
    assert database.tables() >= BILLING
    assert database.query("SELECT email FROM user_account WHERE id = %s", user) == [
        ("early@example.com",)
    ]
    project.make("db-drop-feature", name="billing")
    assert not BILLING & database.tables()

"""Turning payments on later with `copier update` creates the billing tables on an
existing database and keeps its rows: each feature's migration is its own branch."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from tests.versioned import generate_minimal, migrate, release, tables, update

pytestmark = pytest.mark.matrix


def test_switching_lemonsqueezy_on_later_creates_its_tables_and_keeps_the_rows(
    versioned_template: Path,
    tmp_path: Path,
) -> None:
    database = tmp_path / "existing.db"
    project = generate_minimal(versioned_template, tmp_path / "project", database)
    assert {"user_account", "user_session"} <= tables(database)
    assert not {"subscription", "billing_event"} & tables(database)
    user_id = uuid.uuid4().hex
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO user_account (id, email, role, is_active, created_at, updated_at)"
            " VALUES (?, 'early@example.com', 'user', 1, '2026-01-01', '2026-01-01')",
            (user_id,),
        )
    release(versioned_template, "1.0.1", "no-op release")

    update(project, payment_provider="lemonsqueezy")
    migrate(project, database)

    assert (project / "src/my_saas/billing/providers/lemonsqueezy.py").is_file()
    assert {"subscription", "billing_event", "user_account"} <= tables(database)
    with sqlite3.connect(database) as connection:
        emails = connection.execute("SELECT email FROM user_account WHERE id = ?", (user_id,))
        assert emails.fetchall() == [("early@example.com",)]
        heads = {v for (v,) in connection.execute("SELECT version_num FROM alembic_version")}
    # The billing branch is applied beside the others; core_0001 is no longer a head.
    assert "billing_0001" in heads
    assert "core_0001" not in heads

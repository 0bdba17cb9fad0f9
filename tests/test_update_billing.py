"""Turning payments on later with `copier update` creates the billing tables on an
existing database and keeps its rows: each feature's migration is its own branch."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import copier
import pytest

from tests.rendering import CACHE_DIR, run, uv
from tests.test_update import git, release

pytestmark = pytest.mark.matrix

# The fixtures of tests/test_update.py (a git-tagged copy of the template, a git identity).
from tests.test_update import _git_identity, versioned_template  # noqa: E402, F401

GATE_ENV = {"MYPY_CACHE_DIR": str(CACHE_DIR / "mypy"), "UV_PYTHON_DOWNLOADS": "never"}


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def migrate(project: Path, database: Path) -> None:
    env = {**GATE_ENV, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    run([*uv(), "lock", "--quiet"], project, env)
    run([*uv(), "sync", "--frozen", "--quiet"], project, env)
    run([*uv(), "run", "--frozen", "alembic", "upgrade", "heads"], project, env)


def test_switching_lemonsqueezy_on_later_creates_its_tables_and_keeps_the_rows(
    versioned_template: Path,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    answers = {"payment_provider": "none", "queue": "none", "ai_integrations": []}
    copier.run_copy(
        str(versioned_template), str(project), data=answers, defaults=True, unsafe=True, quiet=True
    )
    database = tmp_path / "existing.db"
    migrate(project, database)
    assert {"user_account", "user_session"} <= tables(database)
    assert not {"subscription", "billing_event"} & tables(database)
    user_id = uuid.uuid4().hex
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO user_account (id, email, role, is_active, created_at, updated_at)"
            " VALUES (?, 'early@example.com', 'user', 1, '2026-01-01', '2026-01-01')",
            (user_id,),
        )
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated without billing")
    release(versioned_template, "1.0.1", "no-op release")

    copier.run_update(
        str(project),
        data={"payment_provider": "lemonsqueezy"},
        defaults=True,
        unsafe=True,
        overwrite=True,
        quiet=True,
    )
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

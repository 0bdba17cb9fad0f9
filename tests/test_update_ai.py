"""Turning the AI features on later with `copier update` creates the usage ledger, then the
audio tables, on an existing database: `ai` branches off core, `audio` off `ai`."""

from __future__ import annotations

from pathlib import Path

import copier
import pytest

from tests.versioned import commit_all, git, migrate, release, tables

pytestmark = pytest.mark.matrix


LEDGER = {"usage_record", "usage_counter", "usage_reservation"}


def test_switching_ai_on_later_creates_its_tables_branch_by_branch(
    versioned_template: Path,
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    answers = {"payment_provider": "none", "queue": "none", "ai_integrations": []}
    copier.run_copy(
        str(versioned_template), str(project), data=answers, defaults=True, unsafe=True, quiet=True
    )
    database = tmp_path / "existing.db"
    migrate(project, database)
    assert not (LEDGER | {"transcription_job"}) & tables(database)
    git(project, "init", "-q")
    commit_all(project, "generated without AI")
    release(versioned_template, "1.0.1", "no-op release")

    copier.run_update(
        str(project),
        data={"ai_integrations": ["llm"]},
        defaults=True,
        unsafe=True,
        overwrite=True,
        quiet=True,
    )
    migrate(project, database)
    assert tables(database) >= LEDGER
    assert "transcription_job" not in tables(database)
    commit_all(project, "llm on")

    copier.run_update(
        str(project),
        data={"ai_integrations": ["llm", "audio"]},
        defaults=True,
        unsafe=True,
        overwrite=True,
        quiet=True,
    )
    migrate(project, database)

    assert (project / "src/my_saas/ai/audio/router.py").is_file()
    assert LEDGER | {"transcription_job", "user_account"} <= tables(database)

"""Turning the AI features on later with `copier update` creates the usage ledger, then the
audio tables, on an existing database: `ai` branches off core, `audio` off `ai`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.versioned import commit_all, generate_minimal, migrate, release, tables, update

pytestmark = pytest.mark.matrix


LEDGER = {"usage_record", "usage_counter", "usage_reservation"}


def test_switching_ai_on_later_creates_its_tables_branch_by_branch(
    versioned_template: Path,
    tmp_path: Path,
) -> None:
    database = tmp_path / "existing.db"
    project = generate_minimal(versioned_template, tmp_path / "project", database)
    assert not (LEDGER | {"transcription_job"}) & tables(database)
    release(versioned_template, "1.0.1", "no-op release")

    update(project, ai_integrations=["llm"])
    migrate(project, database)
    assert tables(database) >= LEDGER
    assert "transcription_job" not in tables(database)
    commit_all(project, "llm on")

    update(project, ai_integrations=["llm", "audio"])
    migrate(project, database)

    assert (project / "src/my_saas/ai/audio/router.py").is_file()
    assert LEDGER | {"transcription_job", "user_account"} <= tables(database)

"""Changing answers with `copier update` on a project whose PostgreSQL database holds a
user, a subscription and every feature's tables.

One project walks every answer change and its reverse — none<->stripe,
stripe<->lemonsqueezy, lemonsqueezy->none, local<->s3, none<->celery, []<->[llm, audio] —
in five updates, the first of them from the previous release. After each: no conflict,
the project equals a fresh render of its answers (so the matrix's gates cover its code),
`make db-deploy` succeeds, the user survives and `make dev` answers ready. A switched-off
feature's tables stay until `make db-drop-feature` drops them; a feature switched back on
finds its data again. The last state keeps a switched-off feature's migrations in
`migrations/removed/`, the one thing a fresh render does not have: ruff and mypy pass on
it too.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import copier
import pytest

from tests.generated import Database, Project, conflicted_files, differences
from tests.versioned import Releases, commit_all, generate, update

pytestmark = pytest.mark.update

EVERYTHING = {
    "payment_provider": "lemonsqueezy",
    "storage_backend": "s3",
    "queue": "celery",
    "ai_integrations": ["llm", "audio"],
}
BILLING = {"subscription", "billing_event"}
AI = {"usage_record", "usage_counter", "usage_reservation"}
AUDIO = {"transcription_job"}
READY: tuple[int, object] = (
    200,
    {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}},
)


@pytest.fixture
def database(postgres_url: str | None) -> Iterator[Database]:
    if postgres_url is None:
        pytest.skip("the update scenarios run on PostgreSQL: start it on 127.0.0.1:5432")
    database = Database(postgres_url, f"up{secrets.token_hex(4)}_answers")
    database.create()
    yield database
    database.drop()


def test_every_answer_change_and_its_reverse_keeps_the_data(
    releases: Releases,
    tmp_path: Path,
    database: Database,
    capfd: pytest.CaptureFixture[str],
) -> None:
    path = generate(releases, releases.previous, tmp_path / "project", **EVERYTHING)
    project = Project(path, database.url)
    project.make("db-deploy")
    commit_all(path, "lock")
    assert database.tables() >= BILLING | AI | AUDIO
    user = add_user_with_subscription(database)
    answers: dict[str, object] = dict(EVERYTHING)

    def step(ready: bool = True, **changes: object) -> None:
        answers.update(changes)
        update(path, releases.current, **changes)
        assert [p.name for p in path.rglob("*.rej")] == []
        assert conflicted_files(path) == []
        fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
        copier.run_copy(
            str(releases.template),
            str(fresh),
            data=answers,
            vcs_ref=releases.current,
            defaults=True,
            unsafe=True,
            quiet=True,
        )
        assert differences(path, fresh) == []
        project.make("db-deploy")
        commit_all(path, f"answers: {changes}")
        assert database.query("SELECT email FROM user_account WHERE id = %s", user) == [
            ("early@example.com",)
        ]
        if ready:
            assert project.ready() == READY

    # 1. From the previous release, every feature but billing switched off or swapped;
    # the team had changed one file of the LLM feature.
    service = path / "src/my_saas/ai/llm/service.py"
    service.write_text(service.read_text() + "# our prompt tweaks\n")
    commit_all(path, "tweak the prompts")
    capfd.readouterr()
    step(payment_provider="stripe", storage_backend="local", queue="none", ai_integrations=[])
    told = capfd.readouterr().out
    assert "make db-drop-feature name=ai" in told
    assert "src/my_saas/ai/llm/service.py    (your version: git show " in told
    assert "ai/llm/router.py" not in told, "only the files the team changed"
    assert sorted(p.name for p in (path / "migrations/removed").iterdir()) == [
        "ai_0001_usage_ledger.py",
        "audio_0001_transcription_jobs.py",
    ]
    assert database.tables() >= AI | AUDIO | BILLING, "switched off, the tables stay"
    project.make("db-drop-feature", name="audio")
    assert not AUDIO & database.tables()
    assert database.tables() >= AI
    project.make("db-drop-feature", name="ai")
    assert not (AI | AUDIO) & database.tables()
    assert subscriptions(database, user) == 1

    # 2. Everything back on: the dropped tables are created again.
    step(
        ready=False,
        payment_provider="lemonsqueezy",
        storage_backend="s3",
        queue="celery",
        ai_integrations=["llm", "audio"],
    )
    assert not (path / "migrations/removed").exists()
    assert database.tables() >= AI | AUDIO | BILLING

    # 3. Billing off, its tables kept...
    step(payment_provider="none")
    assert database.tables() >= BILLING
    assert "billing_0001" not in database.versions()

    # 4. ...and back on: the subscription is still there.
    step(payment_provider="stripe")
    assert "billing_0001" in database.versions()
    assert subscriptions(database, user) == 1

    # 5. Billing off for good: dropped, the user stays.
    step(payment_provider="none")
    project.make("db-drop-feature", name="billing")
    assert not BILLING & database.tables()

    # Besides what a fresh render has, the last state keeps billing's migrations.
    project.make("lint", "typecheck")


def add_user_with_subscription(database: Database) -> str:
    user = str(uuid.uuid4())
    database.query(
        "INSERT INTO user_account (id, email, role, is_active, created_at, updated_at)"
        " VALUES (%s, 'early@example.com', 'user', true, now(), now())",
        user,
    )
    database.query(
        "INSERT INTO subscription (id, user_id, provider, external_id, status,"
        " cancel_at_period_end, provider_updated_at, created_at, updated_at)"
        " VALUES (%s, %s, 'lemonsqueezy', 'sub_1', 'active', false, now(), now(), now())",
        str(uuid.uuid4()),
        user,
    )
    return user


def subscriptions(database: Database, user: str) -> int:
    (count,) = database.query("SELECT count(*) FROM subscription WHERE user_id = %s", user)
    return int(str(count[0]))

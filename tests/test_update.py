"""`copier update` from the previous release to this one, the way a team meets it: a
project with its own edits and a migrated database, updated, its suite still green."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.generated import Database, Project, conflicted_files, get_json
from tests.rendering import run, uv
from tests.versioned import Releases, commit_all, generate, git, update

pytestmark = pytest.mark.update

NOTES_ROUTER = '''"""Notes: the team's own feature."""

from fastapi import APIRouter

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("")
async def list_notes() -> list[str]:
    return ["first note"]
'''

NOTES_TEST = """from httpx import AsyncClient


async def test_the_teams_own_router_is_served(client: AsyncClient) -> None:
    response = await client.get("/api/v1/notes")

    assert response.json() == ["first note"]
"""

NOTE_MODEL = '''"""A note: the team's own table."""

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db.base import Base


class Note(Base):
    __tablename__ = "note"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    text: Mapped[str] = mapped_column(String(500))
'''


@pytest.fixture
def database(postgres_url: str | None) -> Iterator[Database]:
    if postgres_url is None:
        pytest.skip("the update scenarios run on PostgreSQL: start it on 127.0.0.1:5432")
    database = Database(postgres_url, f"up{secrets.token_hex(4)}_edits")
    database.create()
    yield database
    database.drop()


def test_update_to_this_release_keeps_the_teams_edits_and_its_suite_passes(
    releases: Releases,
    tmp_path: Path,
    database: Database,
    postgres_url: str,
    redis_url: str | None,
) -> None:
    path = generate(releases, releases.previous, tmp_path / "project")
    project = Project(path, database.url)
    package = path / "src/my_saas"
    project.make("db-deploy")
    commit_all(path, "lock")
    secret = (path / ".env").read_text()

    # The team's edits: its own router registered the documented way, a changed default,
    # a new dependency, its own README section.
    (package / "notes").mkdir()
    (package / "notes/__init__.py").write_text('"""Notes."""\n')
    (package / "notes/router.py").write_text(NOTES_ROUTER)
    (path / "tests/test_notes.py").write_text(NOTES_TEST)
    registered_in_api = register_router(package)
    config = package / "core/config.py"
    config.write_text(config.read_text().replace("timedelta(days=14)", "timedelta(days=30)"))
    run([*uv(), "add", "--quiet", "humanize>=4"], path, project.env)
    readme = path / "README.md"
    readme.write_text(readme.read_text() + "\n## Our runbook\n\nPage the on-call.\n")
    commit_all(path, "our edits")

    update(path, releases.current)

    assert [p.name for p in path.rglob("*.rej")] == []
    if registered_in_api:
        # The conflict CHANGELOG.md announces for a router registered in `api.py` before
        # 0.1.0, resolved as it says: the template's side kept, the team's lines moved.
        assert [f for f in conflicted_files(path) if f != "README.md"] == ["src/my_saas/api.py"]
        move_registration_to_custom(package)
    assert [f for f in conflicted_files(path) if f != "README.md"] == []
    assert "## Our runbook" in readme.read_text()
    assert "timedelta(days=30)" in config.read_text()
    assert '"humanize>=4"' in (path / "pyproject.toml").read_text()
    assert (package / "notes/router.py").read_text() == NOTES_ROUTER
    assert (path / ".env").read_text() == secret
    answers = (path / ".copier-answers.yml").read_text()
    assert f"_commit: {releases.current}" in answers
    # This release's template changes arrived.
    assert (package / "custom/routers.py").is_file()
    assert "db-drop-feature:" in (path / "Makefile").read_text()

    # The database the team had is migrated forward; the app says it is ready.
    project.make("db-deploy")
    with project.dev_server() as base:
        assert get_json(f"{base}/health/ready") == (
            200,
            {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}},
        )
        assert get_json(f"{base}/api/v1/notes") == (200, ["first note"])

    # A model of the team's own goes on its branch, which builds on core only.
    (package / "notes/models.py").write_text(NOTE_MODEL)
    custom_models = package / "custom/models.py"
    custom_models.write_text(
        custom_models.read_text() + "\nfrom ..notes import models as note_models  # noqa: F401\n"
    )
    project.make("db-migrate", m="add notes")
    (revision,) = (path / "migrations/versions").glob("*_add_notes.py")
    script = revision.read_text()
    assert 'down_revision: str | Sequence[str] | None = "app_0001"' in script
    assert re.findall(r"op\.create_table\(\s*\"(\w+)\"", script) == ["note"]
    assert "drop_table" not in script.split("def downgrade", 1)[0]
    project.make("db-deploy")
    assert "note" in database.tables()

    # The updated project passes its own gates.
    project.make("lint", "typecheck")
    project.suite(postgres_url, redis_url)


_API_IMPORT = "from .notes.router import router as notes_router\n"
_API_INCLUDE = "api_router.include_router(notes_router)\n"


def register_router(package: Path) -> bool:
    """The documented place: `custom/routers.py` since 0.1.0, `api.py` before it (True)."""
    custom = package / "custom/routers.py"
    if custom.is_file():
        text = custom.read_text().replace(
            "\n\nrouter = APIRouter",
            "\n\nfrom ..notes.router import router as notes_router\n\nrouter = APIRouter",
        )
        custom.write_text(text + "router.include_router(notes_router)\n")
        return False
    api = package / "api.py"
    text = api.read_text().replace("from .storage.router", _API_IMPORT + "from .storage.router")
    api.write_text(text + _API_INCLUDE)
    return True


def move_registration_to_custom(package: Path) -> None:
    """Keep the template's side of each conflict in `api.py`, take the team's import out of
    it, and register the router in `custom/routers.py`."""
    api = package / "api.py"
    resolved = re.sub(
        r"^<<<<<<< [^\n]*\n.*?^=======\n(.*?)^>>>>>>> [^\n]*\n",
        r"\1",
        api.read_text(),
        flags=re.MULTILINE | re.DOTALL,
    )
    assert _API_IMPORT in resolved
    assert _API_INCLUDE not in resolved
    api.write_text(resolved.replace(_API_IMPORT, ""))
    register_router(package)


# The cheap scenarios render the smallest project: fewer files, same mechanics.
SMALLEST = {"payment_provider": "none", "queue": "none", "ai_integrations": []}


def test_a_file_the_team_deleted_stays_deleted(releases: Releases, tmp_path: Path) -> None:
    path = generate(releases, releases.previous, tmp_path / "project", **SMALLEST)
    # A team on GitLab without Docker Compose.
    deleted = ["compose.yaml", ".github/workflows/ci.yml"]
    for name in deleted:
        (path / name).unlink()
    commit_all(path, "no compose, no GitHub")

    update(path, releases.current)

    assert [name for name in deleted if (path / name).exists()] == []
    assert conflicted_files(path) == []


def test_an_update_to_the_same_release_changes_nothing(releases: Releases, tmp_path: Path) -> None:
    path = generate(releases, releases.current, tmp_path / "project", **SMALLEST)

    update(path, releases.current)

    assert git(path, "status", "--porcelain", "--untracked-files=all") == ""


# Run by the Copier that copier.yml names as its minimum, in an environment of its own.
_COPY_AND_SWITCH_BILLING_OFF = """
import subprocess, sys
import copier

template, project, version = sys.argv[1:]
copier.run_copy(template, project, data={"payment_provider": "stripe", "queue": "none",
                "ai_integrations": []}, vcs_ref=version,
                defaults=True, unsafe=True, quiet=True)
for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "generated"]):
    subprocess.run(["git", *command], cwd=project, check=True)
copier.run_update(project, data={"payment_provider": "none"}, vcs_ref=version,
                  defaults=True, overwrite=True, unsafe=True, quiet=True)
"""


def test_the_minimum_copier_version_copies_and_updates(releases: Releases, tmp_path: Path) -> None:
    config = yaml.safe_load((releases.template / "copier.yml").read_text())
    minimum = config["_min_copier_version"]
    project = tmp_path / "project"
    requirements = ["--with", f"copier=={minimum}", "--with", "copier-template-extensions"]
    command = [*uv(), "run", "--isolated", "--no-project", *requirements, "python", "-c"]
    run(
        [
            *command,
            _COPY_AND_SWITCH_BILLING_OFF,
            str(releases.template),
            str(project),
            releases.current,
        ],
        tmp_path,
    )

    assert (project / "migrations/removed/billing_0001_billing_tables.py").is_file()
    assert not (project / "src/my_saas/billing").exists()

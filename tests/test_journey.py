"""A new project's journey, from `copier copy` to a running stack, walked the way a team
walks it — on the real PostgreSQL and Redis, for the smallest, the default and the
all-features combinations:

render (the copy's own `uv lock`) → the lock is current → git init and the first commit →
every `run:` step of the rendered CI workflow, in order → its pre-commit hooks pass →
`cp .env.example .env` and `make dev` answers /health/ready → `make db-deploy` on
PostgreSQL → `make env` → the Docker image, built by following the Dockerfile, runs the
compose services (migrate, api, worker, beat) on loopback stand-ins: a first user registers,
gets the verification email in the Mailpit stand-in, uploads and downloads a file.

The other 45 combinations get the checks that need no install in the matrix's static part
(`tests/deployment.py`: compose schema, Dockerfile inputs, `.env.example` completeness).
"""

from __future__ import annotations

import json
import mailbox
import re
import secrets
import shutil
import time
from pathlib import Path

import pytest

from tests.combinations import ALL, DEFAULT, Combination
from tests.deployment import (
    assert_deployable,
    ci_workflow,
    compose_file,
    package_name,
    service_environment,
)
from tests.env_settings import INTROSPECT, settings_read_by
from tests.journey import (
    ADMIN_DATABASE,
    FIRST_USER,
    Process,
    StandIns,
    build_image,
    clean_env,
    compose_command,
    free_port,
    http_get,
    processes,
    run_workflow_steps,
    service_process_env,
    start,
    wait_until,
)
from tests.rendering import CACHE_DIR, render, run, succeeds, uv, with_database
from tests.versioned import GIT_ENV, commit_all, git

pytestmark = pytest.mark.matrix

SMALLEST = next(c for c in ALL if c.id == "none-local-none-noai")
LARGEST = next(c for c in ALL if c.id == "stripe-s3-celery-llm+audio")
JOURNEYS = (SMALLEST, DEFAULT, LARGEST)
# /health/ready when the database answers and every migration is applied.
READY_CHECKS = {"database": "ok", "migrations": "ok"}
READY = {"status": "ok", "checks": READY_CHECKS}

# Unique to this run: concurrent runs on one server never touch each other's data.
_RUN = secrets.token_hex(3)


@pytest.mark.parametrize("combination", JOURNEYS, ids=[c.id for c in JOURNEYS])
def test_a_new_project_goes_from_copy_to_a_running_stack(
    combination: Combination,
    template_dir: Path,
    tmp_path: Path,
    postgres_url: str | None,
    redis_url: str | None,
) -> None:
    if not (postgres_url and redis_url):
        pytest.skip("the journey needs PostgreSQL and Redis (CI fails instead of skipping)")
    started = time.perf_counter()
    project = render(template_dir, tmp_path / "project", combination.answers, tasks=True)
    assert_deployable(project, combination)
    uv_env = clean_env()

    # The copy wrote a lock, and it is current.
    assert (project / "uv.lock").is_file()
    run([*uv(), "lock", "--check"], project, uv_env)

    git(project, "init", "-q")
    commit_all(project, "Generated with copier-saas")

    databases: list[str] = []

    def database(purpose: str) -> str:
        name = f"jy{_RUN}_{purpose}_{re.sub(r'[^a-z0-9]+', '_', combination.id)}"
        databases.append(with_database(postgres_url, name))
        return databases[-1]

    try:
        _ci_workflow_passes(project, combination, database("ci"), redis_url)
        _pre_commit_hooks_pass(project, combination)
        _the_copied_example_boots_with_make_dev(project, tmp_path)
        _settings_match_the_example(project)
        deploy_database = database("deploy")
        _make_db_deploy_migrates_postgresql(project, deploy_database)
        _make_db_migrate_writes_the_teams_model(project, deploy_database)
        _make_create_admin_needs_no_terminal(project, deploy_database)
        run(["make", "env"], project, clean_env())
        _compose_stack_runs(project, combination, tmp_path, database("compose"))
    finally:
        for url in databases:
            run(
                [*uv(), "run", "--frozen", "python", "-c", ADMIN_DATABASE, url, "drop"],
                project,
                clean_env(),
            )
    print(f"\njourney {combination.id}: {time.perf_counter() - started:.0f}s")


def _ci_workflow_passes(
    project: Path, combination: Combination, database_url: str, redis_url: str
) -> None:
    """Every `run:` step of the rendered workflow, with its services on loopback: the job's
    PostgreSQL database (POSTGRES_DB) is created first, as the service container would."""
    run(
        [*uv(), "run", "--frozen", "python", "-c", ADMIN_DATABASE, database_url, "create"],
        project,
        clean_env(),
    )  # uv run syncs the project first; CI's own sync follows.
    services = {
        "postgres": {"TEST_DATABASE_URL": database_url},
        "redis": {"TEST_REDIS_URL": redis_url},
    }
    ran = run_workflow_steps(
        ci_workflow(project), project, services, MYPY_CACHE_DIR=_mypy_cache(combination)
    )
    assert ran[0] == "uv sync --locked"
    assert any("pytest" in step and "--cov" in step for step in ran)


def _mypy_cache(combination: Combination) -> str:
    """One per journey, kept between runs: the workflow's mypy step and the pre-commit
    hook's share it (the second would check every module again in a cache of its own)."""
    return str(CACHE_DIR / "mypy" / f"journey-{combination.id}")


def _pre_commit_hooks_pass(project: Path, combination: Combination) -> None:
    """The README's `uv run pre-commit install`, and every hook on the first commit."""
    env = clean_env(
        PRE_COMMIT_HOME=str(CACHE_DIR / "pre-commit"),
        MYPY_CACHE_DIR=_mypy_cache(combination),
        **GIT_ENV,
    )
    run([*uv(), "run", "--frozen", "pre-commit", "install"], project, env)
    output = run([*uv(), "run", "--frozen", "pre-commit", "run", "--all-files"], project, env)
    assert "Failed" not in output
    assert git(project, "status", "--porcelain") == "", "the hooks changed a rendered file"


def _the_copied_example_boots_with_make_dev(project: Path, tmp_path: Path) -> None:
    shutil.copy(project / ".env.example", project / ".env")
    port = free_port()
    with processes() as started:
        dev = start(
            started, "make-dev", ["make", "dev", f"PORT={port}"], project, clean_env(), tmp_path
        )
        status, body = wait_until(
            lambda: http_get(f"http://127.0.0.1:{port}/health/ready"), "make dev", [dev]
        )
    assert status == 200, body
    assert json.loads(body) == READY


def _settings_match_the_example(project: Path) -> None:
    """The installed settings classes agree with the source reading every combination gets,
    and `.env.example` holds exactly their defaults."""
    output = run(
        [*uv(), "run", "--frozen", "python", "-c", INTROSPECT, package_name(project)],
        project,
        clean_env(),
    )
    report = json.loads(output.strip().splitlines()[-1])
    assert set(report["names"]) == set(settings_read_by(project / "src" / package_name(project)))
    assert report["differ"] == {}, "values in .env.example that are not the defaults"


def _make_db_deploy_migrates_postgresql(project: Path, database_url: str) -> None:
    admin = [*uv(), "run", "--frozen", "python", "-c", ADMIN_DATABASE, database_url]
    run([*admin, "create"], project, clean_env())
    output = run(["make", "db-deploy"], project, clean_env(DATABASE_URL=database_url))
    assert "Running upgrade" in output


# A model of the team's own, registered where the template's comment says.
_NOTE_MODEL = """\"\"\"The team's first table.\"\"\"

from sqlalchemy.orm import Mapped, mapped_column

from ..core.db.base import Base, IdMixin


class Note(IdMixin, Base):
    __tablename__ = "note"

    text: Mapped[str] = mapped_column()
"""


def _make_db_migrate_writes_the_teams_model(project: Path, database_url: str) -> None:
    """The README's loop: add a model, `make db-migrate m=…`, `make db-deploy`."""
    package = next(p for p in (project / "src").iterdir() if p.is_dir())
    (package / "notes").mkdir()
    (package / "notes" / "__init__.py").write_text('"""Notes."""\n')
    (package / "notes" / "models.py").write_text(_NOTE_MODEL)
    custom_models = package / "custom" / "models.py"
    custom_models.write_text(
        custom_models.read_text() + "\nfrom ..notes import models as note_models  # noqa: F401\n"
    )
    env = clean_env(DATABASE_URL=database_url)
    run(["make", "db-migrate", "m=add notes"], project, env)
    [revision] = (project / "migrations" / "versions").glob("*_add_notes.py")
    assert 'op.create_table(\n        "note"' in revision.read_text()
    assert "Running upgrade" in run(["make", "db-deploy"], project, env)


def _make_create_admin_needs_no_terminal(project: Path, database_url: str) -> None:
    """`make create-admin` as a script or a container runs it: no terminal, the password
    from the environment; and a clear one-line error without it."""
    env = clean_env(DATABASE_URL=database_url)
    created = run(
        ["make", "create-admin", "email=ops@example.com"],
        project,
        {**env, "ADMIN_PASSWORD": "a strong password"},
    )
    assert "created admin ops@example.com" in created
    refused = succeeds(["make", "create-admin", "email=new@example.com"], project, env)
    assert refused is False


def _compose_stack_runs(
    project: Path, combination: Combination, tmp_path: Path, database_url: str
) -> None:
    image = build_image(project, tmp_path / "image")
    compose = compose_file(project)
    venv_bin = project / ".venv" / "bin"
    port = free_port()
    maildir = tmp_path / "mailpit"
    stand_ins = StandIns(
        addresses={
            "redis": ("127.0.0.1", 6379),
            "mailpit": ("127.0.0.1", free_port()),
            "minio": ("127.0.0.1", free_port()),
        },
        urls={"db": database_url},
    )
    # Isolation on the shared Redis: a queue of this run's own.
    overrides = {"CELERY_DEFAULT_QUEUE": f"journey-{_RUN}-{combination.id}"}
    run(
        [*uv(), "run", "--frozen", "python", "-c", ADMIN_DATABASE, database_url, "create"],
        project,
        clean_env(),
    )

    with processes() as started:
        smtp_host, smtp_port = stand_ins.addresses["mailpit"]
        mailpit = start(
            started,
            "mailpit",
            [
                str(venv_bin / "python"),
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"{smtp_host}:{smtp_port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(maildir),
            ],
            project,
            clean_env(),
            tmp_path,
        )
        watched = [mailpit]
        if combination.storage_backend == "s3":
            watched.append(_start_minio_stand_in(project, stand_ins, started, tmp_path))

        def env(service: str) -> dict[str, str]:
            return service_process_env(project, service, image, stand_ins, **overrides)

        def argv(service: str) -> list[str]:
            command = compose_command(project, service, image)
            if service == "api":  # the published port, and loopback instead of 0.0.0.0
                host, published = command.index("--host") + 1, command.index("--port") + 1
                assert (command[host], command[published]) == ("0.0.0.0", "8000")  # noqa: S104
                command[host], command[published] = "127.0.0.1", str(port)
            return command

        workdir = image.path(image.workdir)
        run(argv("migrate"), workdir, env("migrate"))
        api_env = env("api")
        api_env["PUBLIC_URL"] = api_env["PUBLIC_URL"].replace(":8000", f":{port}")
        assert compose["services"]["api"]["ports"] == ["127.0.0.1:8000:8000"]
        api = start(started, "api", argv("api"), workdir, api_env, tmp_path)
        watched.append(api)
        for service in ("worker", "beat"):
            if service in compose["services"]:
                watched.append(
                    start(started, service, argv(service), workdir, env(service), tmp_path)
                )

        status, body = wait_until(
            lambda: http_get(f"http://127.0.0.1:{port}/health/ready"), "the api", watched
        )
        # The stack also shares the throttle's counters in Redis, and has a broker with Celery.
        checks = {**READY_CHECKS, "rate_limit_storage": "ok"}
        if "worker" in compose["services"]:
            checks["broker"] = "ok"
        assert (status, json.loads(body)) == (200, {"status": "ok", "checks": checks}), body
        if "worker" in compose["services"]:
            wait_until(lambda: " ready." in watched[-2].output(), "the worker", watched)
            wait_until(lambda: "beat: Starting" in watched[-1].output(), "beat", watched)

        output = run(
            [str(venv_bin / "python"), "-c", FIRST_USER, f"http://127.0.0.1:{port}"],
            project,
            clean_env(),
        )
        first_user = json.loads(output.strip().splitlines()[-1])
        assert first_user["status"] == "ready"
        if combination.storage_backend == "s3":
            host, minio_port = stand_ins.addresses["minio"]
            assert first_user["upload_url"].startswith(f"http://{host}:{minio_port}/")

        def verification_mail() -> bool:
            if not maildir.exists():
                return False
            return any(
                first_user["email"] in str(message["To"])
                and "Confirm your email" in str(message["Subject"])
                for message in mailbox.Maildir(maildir, create=False)
            )

        wait_until(verification_mail, "the verification email in Mailpit", watched, 60)


def _start_minio_stand_in(
    project: Path, stand_ins: StandIns, started: list[Process], tmp_path: Path
) -> Process:
    """moto's S3 server where MinIO would be, and the bucket `minio-bucket` creates."""
    host, port = stand_ins.addresses["minio"]
    venv_bin = project / ".venv" / "bin"
    minio = start(
        started,
        "minio",
        [str(venv_bin / "moto_server"), "-H", host, "-p", str(port)],
        project,
        clean_env(),
        tmp_path,
    )
    bucket_service = compose_file(project)["services"]["minio-bucket"]
    assert 'mc mb --ignore-existing "local/$$S3_BUCKET"' in bucket_service["command"][0]
    bucket = service_environment(project, "minio-bucket")["S3_BUCKET"]
    wait_until(lambda: http_get(f"http://{host}:{port}/") is not None, "moto", [minio])
    create = (
        "import boto3, sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',"
        " aws_access_key_id='minioadmin', aws_secret_access_key='minioadmin')"
        ".create_bucket(Bucket=sys.argv[2])"
    )
    run(
        [str(venv_bin / "python"), "-c", create, f"http://{host}:{port}", bucket],
        project,
        clean_env(),
    )
    return minio


def test_the_declared_minimum_versions_pass_the_suite(
    template_dir: Path, tmp_path: Path, postgres_url: str | None, redis_url: str | None
) -> None:
    """pyproject's lower bounds are true: with every direct dependency at the lowest version
    it allows (a throwaway lock: `lowest-direct` is recorded in uv.lock), the suite passes."""
    if not (postgres_url and redis_url):
        pytest.skip("the suite needs PostgreSQL and Redis (CI fails instead of skipping)")
    project = render(template_dir, tmp_path / "project", LARGEST.answers)
    env = clean_env(
        CI="true",
        TEST_DATABASE_URL=with_database(postgres_url, f"jy{_RUN}_lowest"),
        TEST_REDIS_URL=redis_url,
    )

    run([*uv(), "sync", "--resolution", "lowest-direct", "--quiet"], project, env)
    output = run([*uv(), "run", "--frozen", "pytest", "-q", "-p", "no:cacheprovider"], project, env)

    assert re.search(r"\d+ passed", output), output
    assert "skipped" not in output, output

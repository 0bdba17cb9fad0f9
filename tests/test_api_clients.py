"""The typed API end to end, for the smallest and the all-features combination: the
rendered project's OpenAPI document, the clients a team generates from it, and a fuzzer
that holds the document to what the running app answers.

`make openapi` → the document validates (openapi-spec-validator) → `make client` (the
TypeScript client, @hey-api/openapi-ts through npx) → `tsc --strict` on it and on
tests/api_clients/*.ts, the typed usage the docs show → `make dev` → `make client-python`
→ tests/api_clients/usage.py drives the app through that client (register, login, me, a
404, a 422) → on the all-features render, schemathesis as a user and as an admin: no
crash, no status the document does not list, no answer that breaks its schema.

npm's cache lives in `.cache/npm`, so only a first run downloads the Node tools.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.combinations import ALL, Combination
from tests.generated import Database, Project
from tests.rendering import CACHE_DIR, REPO_ROOT, render, run, succeeds, uv

pytestmark = pytest.mark.clients

SMALLEST = next(c for c in ALL if c.id == "none-local-none-noai")
LARGEST = next(c for c in ALL if c.id == "stripe-s3-celery-llm+audio")
USAGE = REPO_ROOT / "tests" / "api_clients"
NPM_CACHE = CACHE_DIR / "npm"
# Pinned like the rendered Makefile's client tools.
TSC = ["npx", "--yes", "-p", "typescript@5.9.3", "tsc"]
# What the fuzzed app runs with: every integration answering locally where it can (billing
# stays unconfigured: its documented 503), and the throttles out of the fuzzer's way.
FUZZED_APP_ENV = {
    "STORAGE_BACKEND": "local",
    "LLM_MODELS": '["echo:echo"]',
    "AUDIO_PROVIDER": "local",
}
# The fuzzer runs as these two; logging out would end its own session midway.
NOT_FUZZED = ("auth-logout", "auth-logout-everywhere")
# Per operation and phase; fixed, so a run repeats exactly (change it to explore).
MAX_EXAMPLES = "10"
SEED = "1"

_RUN = secrets.token_hex(3)


@pytest.mark.parametrize("combination", [SMALLEST, LARGEST], ids=lambda c: c.id)
def test_the_api_document_gives_typed_clients_that_work(
    combination: Combination, template_dir: Path, tmp_path: Path, postgres_url: str | None
) -> None:
    times: dict[str, float] = {}
    project = Project(
        render(template_dir, tmp_path / "project", combination.answers),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
    )
    project.env.update(
        {
            "npm_config_cache": str(NPM_CACHE),
            "npm_config_update_notifier": "false",
            # The matrix's environment for this worker: most packages are already there.
            "UV_PROJECT_ENVIRONMENT": str(
                CACHE_DIR / "venvs" / os.environ.get("PYTEST_XDIST_WORKER", "main")
            ),
        }
    )
    with _timed(times, "install"):
        _lock(project)
    with _timed(times, "openapi"):
        project.make("openapi")
        document = json.loads((project.path / "openapi.json").read_text())
        validate(document)
    _document_is_complete(document, combination)

    with _timed(times, "typescript"):
        project.make("client")
        _typecheck(project, combination)

    with _database(postgres_url, combination) as url:
        if url:
            project.database_url = project.env["DATABASE_URL"] = url
        project.env.update(FUZZED_APP_ENV)
        with project.dev_server() as base:
            with _timed(times, "python"):
                project.make("client-python")
                script = [str(USAGE / "usage.py"), base, f"client-{_RUN}@example.com"]
                output = run(
                    [*uv(), "run", "--project", "python-client", "python", *script],
                    project.path,
                    {"UV_PYTHON_DOWNLOADS": "never"},
                )
                assert "404 and 422 came back as ErrorResponse" in output, output
            if combination is LARGEST:
                with _timed(times, "schemathesis"):
                    _fuzz(project, base, tmp_path)
    phases = ", ".join(f"{phase} {seconds:.0f}s" for phase, seconds in times.items())
    print(f"\napi clients {combination.id}: {phases}")


def _document_is_complete(document: dict[str, Any], combination: Combination) -> None:
    paths = document["paths"]
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert {"auth-register", "auth-login", "users-read-me"} <= set(ids)
    assert ("ai-chat" in ids) == ("llm" in combination.ai_integrations)
    # The mailed-link pages and the local storage's signed URLs are not the API.
    assert not [p for p in paths if p in ("/verify-email", "/reset-password", "/magic-link")]
    assert not [p for p in paths if p.startswith("/api/v1/files/content")]


def _typecheck(project: Project, combination: Combination) -> None:
    """The generated client and the typed usage compile with `tsc --strict`; usage.ts holds
    an `@ts-expect-error` on an unknown error code, so a loosely typed code fails too."""
    sources = ["usage.ts"] + (["chat.ts"] if "llm" in combination.ai_integrations else [])
    for name in [*sources, "tsconfig.json"]:
        shutil.copy(USAGE / name, project.path / name)
    config = json.loads((project.path / "tsconfig.json").read_text())
    config["include"] = [*sources, "client/**/*.ts"]
    (project.path / "tsconfig.json").write_text(json.dumps(config))
    run([*TSC, "-p", "tsconfig.json"], project.path, project.env)


def _fuzz(project: Project, base: str, tmp_path: Path) -> None:
    """Schemathesis against `make dev`: as a user over every operation (stateful too), then
    as an admin over the admin ones."""
    user = f"fuzz-{_RUN}@example.com"
    admin = f"fuzz-admin-{_RUN}@example.com"
    password = "fuzzing-password-1"  # noqa: S105 (a throwaway account)
    _post(f"{base}/api/v1/auth/register", {"email": user, "password": password})
    run(
        ["make", "--no-print-directory", "create-admin", f"email={admin}"],
        project.path,
        {**project.env, "ADMIN_PASSWORD": password},
    )
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(USAGE / "schemathesis.toml"),
        "run",
        f"{base}/openapi.json",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        *[arg for operation in NOT_FUZZED for arg in ("--exclude-operation-id", operation)],
    ]
    as_user = [*command, "--exclude-path-regex", "/admin/"]
    as_admin = [*command, "--include-path-regex", "/admin/"]
    for email, arguments in ((user, as_user), (admin, as_admin)):
        token = _post(f"{base}/api/v1/auth/login", {"email": email, "password": password})
        # Its own directory: schemathesis and Hypothesis keep state where they run.
        output = run(
            [*arguments, "-H", f"Authorization: Bearer {token['access_token']}"],
            tmp_path,
            {"NO_COLOR": "1"},
            timeout=300,
        )
        summary = re.search(r"(\d+) generated, (\d+) passed", output)
        assert summary is not None, output
        assert summary.group(1) == summary.group(2), output
        print(f"\nschemathesis as {email.split('@')[0]}: {summary.group(0)}")


def _post(url: str, body: dict[str, str]) -> dict[str, str]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return dict(json.loads(response.read()))


def _lock(project: Project) -> None:
    """The lock from uv's cache when the matrix refreshed it this session, else online."""
    lock = [*uv(), "lock", "--quiet"]
    if not succeeds([*lock, "--offline"], project.path, project.env):
        run(lock, project.path, project.env)


@contextmanager
def _database(postgres_url: str | None, combination: Combination) -> Iterator[str | None]:
    if postgres_url is None:
        yield None
        return
    name = f"ac{_RUN}_{re.sub(r'[^a-z0-9]+', '_', combination.id)}"
    database = Database(postgres_url, name)
    database.create()
    try:
        yield database.url
    finally:
        database.drop()


@contextmanager
def _timed(times: dict[str, float], phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        times[phase] = time.perf_counter() - started

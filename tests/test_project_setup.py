"""The first minutes with a new project: the copy's lock and message, the license, the Make
targets that set things up, the image's entrypoint, a workflow zizmor finds nothing in."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

import copier
import pytest

from tests.combinations import ALL, Combination
from tests.rendering import render, run

SMALLEST = next(c for c in ALL if c.id == "none-local-none-noai")
LARGEST = next(c for c in ALL if c.id == "stripe-s3-celery-llm+audio")


@pytest.fixture(scope="module")
def projects(template_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The smallest and the largest combination, rendered once for this module."""
    return {
        c.id: render(template_dir, tmp_path_factory.mktemp(c.id), c.answers)
        for c in (SMALLEST, LARGEST)
    }


def test_the_message_after_copy_gives_the_first_commit_and_how_to_update(
    template_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copier.run_copy(
        str(template_dir), str(tmp_path / "p"), defaults=True, unsafe=True, skip_tasks=True
    )

    printed = capsys.readouterr()
    message = printed.out + printed.err
    assert 'git init && git add -A && git commit -m "Generated with copier-saas"' in message
    assert "copier update --trust" in message
    assert "Commit uv.lock" in message


def test_an_offline_copy_says_the_first_make_command_writes_the_lock(
    template_dir: Path, tmp_path: Path
) -> None:
    # No network and an empty cache: `uv lock` cannot resolve anything. The copy runs as a
    # command, as a user runs it (Copier's tasks see the environment of its process).
    env = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    answers = [f"--data={key}={value}" for key, value in SMALLEST.answers.items()]
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", *answers]

    printed = run([*command, str(template_dir), str(tmp_path / "p")], tmp_path, env)

    project = tmp_path / "p"
    assert "uv.lock was not written" in printed
    assert "The first make command (make dev, make install) writes it" in printed
    assert not (project / "uv.lock").exists()
    assert (project / "pyproject.toml").is_file(), "the copy itself went through"
    # ...and the Makefile's own rule for it is what `make install` runs first.
    assert re.search(r"^uv\.lock: pyproject\.toml$", (project / "Makefile").read_text(), re.M)


@pytest.mark.parametrize("combination", [SMALLEST, LARGEST], ids=lambda c: c.id)
def test_zizmor_finds_nothing_in_the_rendered_workflow(
    combination: Combination, projects: dict[str, Path]
) -> None:
    workflows = projects[combination.id] / ".github" / "workflows"

    output = run(["zizmor", "--offline", "--no-progress", str(workflows)], workflows)

    assert "No findings to report" in output


def test_the_license_is_mit_by_default_with_the_author(projects: dict[str, Path]) -> None:
    project = projects[SMALLEST.id]

    assert (project / "LICENSE").read_text().startswith("MIT License\n\nCopyright (c) Your Name\n")
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["license"] == "MIT"


def test_a_proprietary_project_reserves_every_right(template_dir: Path, tmp_path: Path) -> None:
    project = render(
        template_dir, tmp_path / "p", {"license": "Proprietary", "author_name": "Acme Ltd"}
    )

    assert "Copyright (c) Acme Ltd. All rights reserved." in (project / "LICENSE").read_text()
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["license"] == "LicenseRef-Proprietary"
    assert "Private :: Do Not Upload" in metadata["classifiers"]


def test_make_help_prints_commands_not_make_variables(projects: dict[str, Path]) -> None:
    output = run(["make", "help"], projects[LARGEST.id])

    assert "$(" not in output
    assert re.search(r"make dev +run the API with reload on http://127\.0\.0\.1:8000", output)
    assert "make env" in output


def test_make_env_writes_env_from_the_example_with_a_generated_secret_once(
    template_dir: Path, tmp_path: Path
) -> None:
    project = render(template_dir, tmp_path / "p", SMALLEST.answers)
    (project / ".env").unlink()  # a fresh clone: .env is not committed

    run(["make", "env"], project)
    written = (project / ".env").read_text()
    run(["make", "env"], project)

    secret = re.search(r"^SECRET_KEY=(.{60,})$", written, re.M)
    assert secret
    example = (project / ".env.example").read_text().replace("SECRET_KEY=\n", "")
    assert written.replace(secret.group(0) + "\n", "") == example
    assert (project / ".env").read_text() == written, "a second run changes nothing"


def test_make_env_fills_in_the_secret_of_a_copied_example(
    template_dir: Path, tmp_path: Path
) -> None:
    project = render(template_dir, tmp_path / "p", SMALLEST.answers)
    run(["cp", ".env.example", ".env"], project)

    run(["make", "env"], project)

    written = (project / ".env").read_text()
    assert re.search(r"^SECRET_KEY=.{60,}$", written, re.M)
    assert "DATABASE_URL=sqlite+aiosqlite:///./app.db" in written


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://u:p@db.internal:5432/app?sslmode=require",
            "postgresql+asyncpg://u:p@db.internal:5432/app?ssl=require",
        ),
        (
            "postgresql://u:p@db:5432/app?application_name=x&sslmode=disable",
            "postgresql+asyncpg://u:p@db:5432/app?application_name=x&ssl=disable",
        ),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite+aiosqlite:///./app.db", "sqlite+aiosqlite:///./app.db"),
    ],
)
def test_the_image_entrypoint_turns_platform_database_urls_into_asyncpg_ones(
    projects: dict[str, Path], given: str, expected: str
) -> None:
    project = projects[SMALLEST.id]
    env = {**os.environ, "DATABASE_URL": given}

    output = run(
        ["sh", "docker-entrypoint.sh", "sh", "-c", 'printf "%s" "$DATABASE_URL"'], project, env
    )

    assert output == expected

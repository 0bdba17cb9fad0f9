"""Template releases as tags in a temporary clone, and the steps a team takes with a
generated project: generate, commit, edit, `copier update`, migrate.

A tag made in the developer's own clone may not travel with a submission, so the tests
make their tags in a clone of their own: the previous release (the newest one in
CHANGELOG.md that is not the working tree itself; before the first release, the last
commit before it) and the working tree as the next one.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import copier
from packaging.version import Version

from tests.rendering import REPO_ROOT, TEMPLATE_PARTS, run

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}
# The last commit before the first release: projects generated from it are the ones the
# first release must update (their databases included).
PRE_RELEASE = ("0.0.0", "c59ebb2d9960c53735f849378b68df99288eae4d")
_RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", re.MULTILINE)


def git(cwd: Path, *args: str) -> str:
    return run(["git", "-c", "init.defaultBranch=main", *args], cwd, GIT_ENV)


@dataclass(frozen=True)
class Releases:
    template: Path  # a git clone of this repository with the tags below
    previous: str  # the previous release
    current: str  # the working tree, tagged as the next release
    pre_release: str = PRE_RELEASE[0]  # the last commit before the first release


def tag_releases(destination: Path) -> Releases:
    """Clone this repository, tag its previous release, and commit and tag the working
    tree (uncommitted changes included) as the next one."""
    previous, commit = previous_release()
    git(destination.parent, "clone", "--quiet", str(REPO_ROOT), destination.name)
    git(destination, "tag", previous, commit)
    if previous != PRE_RELEASE[0]:
        git(destination, "tag", *PRE_RELEASE)
    for part in TEMPLATE_PARTS:
        target = destination / part
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        source = REPO_ROOT / part
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")
            shutil.copytree(source, target, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target)
    git(destination, "add", "-A")
    git(destination, "commit", "--quiet", "--allow-empty", "-m", "the working tree")
    current = _next_version(previous)
    git(destination, "tag", current)
    return Releases(destination, previous, current)


def previous_release() -> tuple[str, str]:
    """The newest release in CHANGELOG.md made before the working tree, and its commit."""
    head = git(REPO_ROOT, "rev-parse", "HEAD").strip()
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    for version in _RELEASE_HEADING.findall(changelog):
        found = git(
            REPO_ROOT,
            "log",
            "--format=%H",
            "--reverse",
            "-S",
            f"## [{version}]",
            "--",
            "CHANGELOG.md",
        ).split()
        if found and found[0] != head:
            return version, found[0]
    version, commit = PRE_RELEASE
    if git(REPO_ROOT, "cat-file", "-t", commit).strip() != "commit":
        raise AssertionError(f"{commit} is missing: the update tests need the full git history")
    return version, commit


def _next_version(previous: str) -> str:
    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    if Version(declared) > Version(previous):
        return str(declared)
    return f"{previous}.post1"


def generate(releases: Releases, version: str, destination: Path, **answers: object) -> Path:
    """`copier copy` at ``version``, then `git init` and the first commit."""
    copier.run_copy(
        str(releases.template),
        str(destination),
        data=answers,
        vcs_ref=version,
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    git(destination, "init", "--quiet")
    commit_all(destination, "generated")
    return destination


def update(project: Path, version: str, **answers: object) -> None:
    """`copier update` to ``version``, changing ``answers``; the rest stay as recorded."""
    copier.run_update(
        str(project),
        data=answers,
        vcs_ref=version,
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
    )


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "--allow-empty", "-m", message)

"""Integrations are named only in their own paths and at the seams in docs/architecture.md."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest
import yaml

from tests.rendering import REPO_ROOT

TEMPLATE = REPO_ROOT / "template"

# The word that names each integration, and the flags whose paths may hold it.
INTEGRATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "billing": (r"billing", ("use_billing", "use_stripe", "use_lemonsqueezy")),
    "stripe": (r"stripe", ("use_stripe",)),
    "lemonsqueezy": (r"lemon[ _-]?squeezy", ("use_lemonsqueezy",)),
    "s3": (r"\bs3\b|boto3", ("use_s3",)),
    "celery": (r"celery", ("use_celery",)),
    "llm": (r"\bllm\b|anthropic", ("use_llm",)),
    "audio": (r"\baudio\b|transcri", ("use_audio",)),
}


def seam_patterns() -> list[re.Pattern[str]]:
    """The seam table of docs/architecture.md, as patterns over template paths."""
    doc = (REPO_ROOT / "docs/architecture.md").read_text()
    table = doc.split("| seam (under `template/`)", 1)[1].split("\n\n", 1)[0]
    patterns = []
    for row in table.splitlines()[2:]:
        for path in re.findall(r"`([^`]+)`", row.split("|")[1]):
            regex = re.escape(path).replace(r"\*", ".+")
            patterns.append(re.compile(f"^{regex}$"))
    return patterns


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_the_seam_table_is_readable() -> None:
    patterns = seam_patterns()

    assert len(patterns) >= 12
    assert any(p.match("src/{{package_name}}/api.py") for p in patterns)


@pytest.mark.parametrize("integration", sorted(INTEGRATIONS))
def test_integration_is_named_only_in_its_paths_and_the_seams(integration: str) -> None:
    word, flags = INTEGRATIONS[integration]
    pattern = re.compile(word, re.IGNORECASE)
    seams = seam_patterns()
    misplaced = []
    for path in template_files():
        relative = str(path.relative_to(TEMPLATE))
        if any(flag in relative for flag in flags):
            continue  # the integration's own directory or file
        hits = [
            n
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
            if pattern.search(line)
        ]
        if hits and not any(seam.match(relative.removesuffix(".jinja")) for seam in seams):
            misplaced.append(f"{relative}: lines {hits}")

    assert misplaced == []


def test_no_file_is_wrapped_whole_in_a_condition() -> None:
    wrapped = []
    for path in template_files():
        if path.suffix != ".jinja":
            continue
        text = path.read_text().strip()
        if re.match(r"^\{%-?\s*if\b", text) and re.search(r"\{%-?\s*endif\s*-?%\}$", text):
            wrapped.append(str(path.relative_to(TEMPLATE)))

    assert wrapped == [], "switch a whole file by its path, not by wrapping it in {% if %}"


def test_only_files_with_template_logic_end_in_jinja() -> None:
    needless = [
        str(path.relative_to(TEMPLATE))
        for path in template_files()
        if path.suffix == ".jinja" and "{{" not in path.read_text() and "{%" not in path.read_text()
    ]

    assert needless == []


# Each template-owned registry, and how it pulls in the team's own counterpart.
TEAM_REGISTRATIONS = {
    "src/{{package_name}}/main.py.jinja": "from .custom.routers import router as custom_router",
    "src/{{package_name}}/core/db/registry.py.jinja": "from ...custom import models",
    "src/{{package_name}}/worker/task_list.py.jinja": "from ..custom import tasks",
    "src/{{package_name}}/worker/schedule.py.jinja": "from ..custom import schedule",
}


def test_the_teams_registrations_live_in_files_copier_update_never_changes() -> None:
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    skipped = [pattern.replace(" ", "") for pattern in config["_skip_if_exists"]]
    team_files = sorted(
        str(path.relative_to(TEMPLATE))
        for path in (TEMPLATE / "src/{{package_name}}/custom").iterdir()
    )

    assert team_files == [
        f"src/{{{{package_name}}}}/custom/{name}.py"
        for name in ("__init__", "models", "routers", "schedule", "tasks")
    ]
    assert [f for f in team_files if not any(fnmatch.fnmatch(f, p) for p in skipped)] == []
    missing = [
        seam
        for seam, line in TEAM_REGISTRATIONS.items()
        if line not in (TEMPLATE / seam).read_text()
    ]
    assert missing == [], "each template registry includes the team's own"

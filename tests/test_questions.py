"""copier.yml: defaults, derived answers, validators and the answers file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.rendering import render


def test_defaults_render_the_documented_default_combination(
    template_dir: Path, tmp_path: Path
) -> None:
    project = render(template_dir, tmp_path / "p", {})

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["payment_provider"] == "stripe"
    assert answers["storage_backend"] == "local"
    assert answers["queue"] == "celery"
    assert answers["ai_integrations"] == ["llm"]
    assert answers["project_slug"] == "my-saas"
    assert answers["package_name"] == "my_saas"
    assert (project / "src/my_saas/main.py").is_file()


def test_slug_and_package_are_derived_from_the_name(template_dir: Path, tmp_path: Path) -> None:
    project = render(template_dir, tmp_path / "p", {"project_name": "Acme Cloud"})

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["project_slug"], answers["package_name"]) == ("acme-cloud", "acme_cloud")
    assert 'name = "acme-cloud"' in (project / "pyproject.toml").read_text()


def test_computed_flags_and_the_secret_are_not_recorded(template_dir: Path, tmp_path: Path) -> None:
    project = render(template_dir, tmp_path / "p", {})

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert not {k for k in answers if k.startswith("use_")}
    assert "secret_key" not in answers
    secret = (project / ".env").read_text().split("SECRET_KEY=")[1].strip()
    assert len(secret) >= 60
    assert secret not in (project / ".copier-answers.yml").read_text()


def test_each_copy_gets_its_own_secret(template_dir: Path, tmp_path: Path) -> None:
    first = render(template_dir, tmp_path / "a", {})
    second = render(template_dir, tmp_path / "b", {})

    assert (first / ".env").read_text() != (second / ".env").read_text()


@pytest.mark.parametrize(
    ("answers", "question", "reason"),
    [
        ({"project_slug": "My Project"}, "project_slug", "not a valid slug"),
        ({"package_name": "my-project"}, "package_name", "not a valid package name"),
        ({"package_name": "json"}, "package_name", "standard library"),
        ({"author_email": "not-an-email"}, "author_email", "is not an email address"),
        ({"project_name": "   "}, "project_name", "cannot be empty"),
    ],
)
def test_bad_answers_are_rejected_with_a_reason(
    template_dir: Path, tmp_path: Path, answers: dict[str, str], question: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=f"Validation error for question '{question}'") as caught:
        render(template_dir, tmp_path / "p", answers)

    assert reason in str(caught.value)
    assert not (tmp_path / "p" / "pyproject.toml").exists()


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"payment_provider": "paypal"}, "payment_provider"),
        ({"queue": "rq"}, "queue"),
        ({"ai_integrations": ["llm", "video"]}, "ai_integrations"),
    ],
)
def test_unknown_choices_are_rejected(
    template_dir: Path, tmp_path: Path, answers: dict[str, object], question: str
) -> None:
    with pytest.raises(ValueError, match=question):
        render(template_dir, tmp_path / "p", answers)

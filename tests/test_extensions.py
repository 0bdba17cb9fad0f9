"""Unit tests of the Jinja filters in extensions/filters.py (pure functions)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.rendering import REPO_ROOT


def _load() -> ModuleType:
    # Copier loads the file by path (copier-template-extensions); so do we.
    spec = importlib.util.spec_from_file_location(
        "saas_filters", REPO_ROOT / "extensions/filters.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


filters = _load()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("My SaaS", "my-saas"),
        ("  Acme   Cloud!! ", "acme-cloud"),
        ("Café Crème", "cafe-creme"),
        ("42 Widgets", "widgets"),
        ("!!!", "app"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert filters.slugify(name) == slug
    assert filters.slug_error(slug) == ""


@pytest.mark.parametrize(
    ("slug", "package"),
    [
        ("my-saas", "my_saas"),
        ("acme", "acme"),
        ("json", "json_app"),
        ("class", "class_app"),
        ("fastapi", "fastapi_app"),
    ],
)
def test_to_package_name_always_gives_a_valid_package(slug: str, package: str) -> None:
    assert filters.to_package_name(slug) == package
    assert filters.package_name_error(package) == ""


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("My-Saas", "not a valid slug"),
        ("my_saas", "not a valid slug"),
        ("-saas", "not a valid slug"),
        ("saas-", "not a valid slug"),
        ("my--saas", "not a valid slug"),
        ("a" * 65, "too long"),
    ],
)
def test_slug_error_explains(slug: str, reason: str) -> None:
    assert reason in filters.slug_error(slug)


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        ("My_Saas", "not a valid package name"),
        ("1saas", "not a valid package name"),
        ("my-saas", "not a valid package name"),
        ("import", "Python keyword"),
        ("json", "standard library"),
        ("sqlalchemy", "shadow a dependency"),
        ("tests", "shadow a dependency"),
    ],
)
def test_package_name_error_explains(package: str, reason: str) -> None:
    assert reason in filters.package_name_error(package)


@pytest.mark.parametrize("email", ["you@example.com", "a.b+c@sub.example.co.uk"])
def test_valid_emails_pass(email: str) -> None:
    assert filters.email_error(email) == ""


@pytest.mark.parametrize("email", ["you", "you@", "@example.com", "you@example", "a b@example.com"])
def test_invalid_emails_are_explained(email: str) -> None:
    assert "is not an email address" in filters.email_error(email)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("!!!", "at least one letter"),
        ('My "App"', "quotes"),
    ],
)
def test_project_name_error_explains(name: str, reason: str) -> None:
    assert reason in filters.project_name_error(name)


def test_token_urlsafe_is_random_and_long_enough() -> None:
    first, second = filters.token_urlsafe(48), filters.token_urlsafe("48")

    assert first != second
    assert len(first) == 64


def test_the_extension_registers_every_filter() -> None:
    from jinja2 import Environment

    env = Environment(extensions=[filters.SaasFiltersExtension], autoescape=True)

    assert env.from_string("{{ 'My App' | slugify | to_package_name }}").render() == "my_app"
    assert set(filters.FILTERS) <= set(env.filters)


def test_filters_file_is_where_copier_yml_says() -> None:
    copier_yml = (REPO_ROOT / "copier.yml").read_text()

    assert "extensions/filters.py:SaasFiltersExtension" in copier_yml
    assert Path(REPO_ROOT / "extensions/filters.py").is_file()

"""Jinja filters for copier-saas: naming, validation messages and secrets.

Loaded by copier-template-extensions (see ``_jinja_extensions`` in copier.yml).
Every filter is a pure function of its input (``token_urlsafe`` aside, which is
random by design) so the unit tests in ``tests/test_extensions.py`` call them
directly.
"""

from __future__ import annotations

import keyword
import re
import secrets
import sys
import unicodedata

from jinja2 import Environment
from jinja2.ext import Extension

_SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_PACKAGE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is
# the user's business; this catches typos at generation time.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Names that would shadow a dependency or a module the rendered project imports.
_RESERVED_PACKAGES = frozenset(
    {
        "alembic",
        "celery",
        "fastapi",
        "httpx",
        "migrations",
        "pydantic",
        "sqlalchemy",
        "starlette",
        "stripe",
        "structlog",
        "tests",
        "uvicorn",
    }
)


def slugify(value: str) -> str:
    """Turn a display name into a slug: ``"My SaaS!"`` -> ``"my-saas"``."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_only.lower())
    slug = "-".join(words)
    return slug.lstrip("0123456789-") or "app"


def to_package_name(slug: str) -> str:
    """Turn a slug into a Python import name: ``"my-saas"`` -> ``"my_saas"``."""
    name = re.sub(r"[^a-z0-9_]", "_", slug.lower()).strip("_")
    name = name.lstrip("0123456789_") or "app"
    if keyword.iskeyword(name) or name in _RESERVED_PACKAGES or name in sys.stdlib_module_names:
        name = f"{name}_app"
    return name


def project_name_error(value: str) -> str:
    """Empty when ``value`` is a usable project name, else why it is not."""
    if not value.strip():
        return "The project name cannot be empty."
    if not slugify(value) or not re.search(r"[A-Za-z0-9]", value):
        return "The project name needs at least one letter or digit."
    if any(ch in value for ch in '"\\\n'):
        return "The project name cannot contain quotes, backslashes or line breaks."
    return ""


def slug_error(value: str) -> str:
    """Empty when ``value`` is a valid slug, else why it is not."""
    if not _SLUG_RE.match(value):
        return (
            f"'{value}' is not a valid slug: use lowercase letters, digits and single "
            "hyphens, starting with a letter (e.g. 'my-saas')."
        )
    if len(value) > 64:
        return f"'{value}' is too long: a slug has at most 64 characters."
    return ""


def package_name_error(value: str) -> str:
    """Empty when ``value`` is a usable Python package name, else why it is not."""
    if not _PACKAGE_RE.match(value):
        return (
            f"'{value}' is not a valid package name: use lowercase letters, digits and "
            "underscores, starting with a letter (e.g. 'my_saas')."
        )
    if keyword.iskeyword(value):
        return f"'{value}' is a Python keyword and cannot be a package name."
    if value in sys.stdlib_module_names:
        return f"'{value}' would shadow the standard library module of the same name."
    if value in _RESERVED_PACKAGES:
        return f"'{value}' would shadow a dependency or folder of the rendered project."
    return ""


def email_error(value: str) -> str:
    """Empty when ``value`` looks like an email address, else why it does not."""
    if not _EMAIL_RE.match(value):
        return f"'{value}' is not an email address (expected something like you@example.com)."
    return ""


def token_urlsafe(nbytes: int) -> str:
    """A random URL-safe secret of ``nbytes`` bytes of entropy."""
    return secrets.token_urlsafe(int(nbytes))


FILTERS = {
    "slugify": slugify,
    "to_package_name": to_package_name,
    "project_name_error": project_name_error,
    "slug_error": slug_error,
    "package_name_error": package_name_error,
    "email_error": email_error,
    "token_urlsafe": token_urlsafe,
}


class SaasFiltersExtension(Extension):
    """Registers :data:`FILTERS` on Copier's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)

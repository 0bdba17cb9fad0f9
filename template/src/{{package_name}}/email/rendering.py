"""Runtime Jinja templates for emails: an HTML and a plain-text part for each."""

from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


@lru_cache
def _environment() -> "Environment":
    # Jinja is loaded by the first message sent, not by every process importing the app.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader(__package__ or __name__.rpartition(".")[0], "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_names() -> list[str]:
    """Every message there is a template pair for (the layouts excluded)."""
    templates = files(__package__ or __name__.rpartition(".")[0]) / "templates"
    names = {
        entry.name.removesuffix(".html")
        for entry in templates.iterdir()
        if entry.name.endswith(".html")
    }
    return sorted(names - {"base"})


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render ``<template>.html`` and ``<template>.txt``; missing variables raise."""
    env = _environment()
    html = env.get_template(f"{template}.html").render(context)
    text = env.get_template(f"{template}.txt").render(context)
    return html, text

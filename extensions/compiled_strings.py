"""Compile each templated string once per render instead of once per use.

Copier renders every part of every path (and the answers-file name, once per part)
through ``Environment.from_string``, which Jinja never caches: the default render
compiled about 1,900 strings, about 250 of them distinct, and compiling was half
of the render's time. A compiled Jinja template is immutable and renders from the
context it is given, so handing back the one compiled for the same source changes
nothing in the output (``tests/test_extensions.py`` and the render benchmark check it).

Loaded by copier-template-extensions (see ``_jinja_extensions`` in copier.yml).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from jinja2 import Environment, Template
from jinja2.ext import Extension

FromString = Callable[..., Template]


def reusing_compiled(environment: Environment, compile_string: FromString) -> FromString:
    """``compile_string`` (an ``Environment.from_string``) that compiles a source once."""
    compiled: MutableMapping[str, Template] = {}

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return compile_string(source, globals, template_class)
        if source not in compiled:
            compiled[source] = compile_string(source)
        else:
            # Compiling runs the extensions' preprocess hooks, which reset per-string
            # state (Copier's `yield` tag context): run them for a reused template too.
            environment.preprocess(source)
        return compiled[source]

    return from_string


class CompiledStringsExtension(Extension):
    """Makes this environment's ``from_string`` reuse what it compiled."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.from_string = reusing_compiled(  # type: ignore[method-assign]
            environment, environment.from_string
        )

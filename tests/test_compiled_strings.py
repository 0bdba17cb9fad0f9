"""extensions/compiled_strings.py: each templated string compiled once, output unchanged."""

from __future__ import annotations

import filecmp
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from copier._jinja_ext import YieldExtension, get_yield_context
from jinja2.sandbox import SandboxedEnvironment

from tests.combinations import ALL, Combination
from tests.rendering import REPO_ROOT, copy_template, render

EXTENSION_LINE = "  - extensions/compiled_strings.py:CompiledStringsExtension\n"


def _load() -> ModuleType:
    # Copier loads the file by path (copier-template-extensions); so do we.
    spec = importlib.util.spec_from_file_location(
        "compiled_strings", REPO_ROOT / "extensions/compiled_strings.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compiled_strings = _load()


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        extensions=[YieldExtension, compiled_strings.CompiledStringsExtension]
    )


def test_a_repeated_string_is_compiled_once_and_renders_each_context() -> None:
    env = _environment()

    first = env.from_string("{% if use_s3 %}s3.py{% endif %}")
    again = env.from_string("{% if use_s3 %}s3.py{% endif %}")

    assert again is first
    assert again.render(use_s3=True) == "s3.py"
    assert again.render(use_s3=False) == ""


def test_a_reused_string_resets_copiers_yield_context() -> None:
    env = _environment()
    plain = "{{ name }}"
    env.from_string(plain)

    env.from_string("{% yield item from items %}{{ item }}{% endyield %}").render(items=[1])
    assert get_yield_context(env).yield_name == "item"
    env.from_string(plain).render(name="x")

    assert get_yield_context(env).yield_name is None


def test_the_extension_is_loaded_by_copier_yml() -> None:
    assert EXTENSION_LINE in (REPO_ROOT / "copier.yml").read_text()


@pytest.mark.parametrize("combination", [ALL[0], ALL[-1]], ids=[ALL[0].id, ALL[-1].id])
def test_rendering_with_the_cache_changes_no_byte(combination: Combination, tmp_path: Path) -> None:
    with_cache = copy_template(tmp_path / "with")
    without_cache = copy_template(tmp_path / "without")
    copier_yml = without_cache / "copier.yml"
    copier_yml.write_text(copier_yml.read_text().replace(EXTENSION_LINE, ""))
    answers = combination.answers

    cached = render(with_cache, tmp_path / "a", answers)
    uncached = render(without_cache, tmp_path / "b", answers)

    for project in (cached, uncached):
        env_file = project / ".env"  # its secret is random by design
        env_file.write_text(re.sub(r"(?m)^SECRET_KEY=.*$", "SECRET_KEY=", env_file.read_text()))
        answers_file = project / ".copier-answers.yml"  # names the template's path
        answers_file.write_text(re.sub(r"(?m)^_src_path: .*$", "", answers_file.read_text()))
    comparison = filecmp.dircmp(cached, uncached)
    assert _differences(comparison) == []


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    found += mismatch + errors
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found

"""The environment variables a rendered project reads, and the ones its `.env.example` lists.

Read from the source without installing the project (so every combination can afford it):
each pydantic-settings class (`class X(BaseSettings)`, or a subclass of one) contributes its
`env_prefix` + field name, or the names in a field's `validation_alias=AliasChoices(...)`.
The journey test checks this reading against the real classes of an installed project.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

# Read by something other than a settings class: the server, or the test suite.
READ_ELSEWHERE = {
    "WEB_CONCURRENCY": "uvicorn's number of API processes",
    "TEST_DATABASE_URL": "the test suite (tests/conftest.py)",
    "TEST_REDIS_URL": "the tests that need Redis",
}

_ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


@dataclass
class SettingsClass:
    name: str
    bases: list[str]
    prefix: str | None
    # Each field: the environment names that set it (the first is the documented one).
    fields: dict[str, list[str]] = field(default_factory=dict)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _alias_names(value: ast.expr | None) -> list[str] | None:
    """Names given by `validation_alias=AliasChoices("A", "B")` or `="A"`, if any."""
    if not isinstance(value, ast.Call):
        return None
    alias = _keyword(value, "validation_alias") or _keyword(value, "alias")
    if isinstance(alias, ast.Constant) and isinstance(alias.value, str):
        return [alias.value]
    if isinstance(alias, ast.Call):
        return [str(a.value) for a in alias.args if isinstance(a, ast.Constant)]
    return None


def _settings_classes(source: str) -> list[SettingsClass]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
        settings = SettingsClass(node.name, bases, prefix=None)
        for statement in node.body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets
            ):
                if isinstance(statement.value, ast.Call):
                    prefix = _keyword(statement.value, "env_prefix")
                    if isinstance(prefix, ast.Constant):
                        settings.prefix = str(prefix.value)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                names = _alias_names(statement.value)
                settings.fields[statement.target.id] = names or []
        found.append(settings)
    return found


def settings_read_by(package: Path) -> dict[str, str]:
    """Every environment variable a settings class of ``package`` reads: name -> class."""
    classes: dict[str, SettingsClass] = {}
    for path in sorted(package.rglob("*.py")):
        for settings in _settings_classes(path.read_text()):
            classes[settings.name] = settings

    def is_settings(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name == "BaseSettings":
            return True
        known = classes.get(name)
        return (
            bool(known)
            and name not in seen
            and any(
                is_settings(base, seen | {name})
                for base in known.bases  # type: ignore[union-attr]
            )
        )

    def inherited(settings: SettingsClass) -> tuple[str, dict[str, list[str]]]:
        prefix, fields = settings.prefix, dict(settings.fields)
        for base in settings.bases:
            if base in classes:
                base_prefix, base_fields = inherited(classes[base])
                prefix = prefix if prefix is not None else base_prefix
                fields = {**base_fields, **fields}
        return prefix or "", fields

    read: dict[str, str] = {}
    for settings in classes.values():
        if settings.name == "BaseSettings" or not is_settings(settings.name):
            continue
        prefix, fields = inherited(settings)
        for name, aliases in fields.items():
            if name == "model_config":
                continue
            env_name = aliases[0] if aliases else f"{prefix}{name}".upper()
            read[env_name] = settings.name
    return read


def env_example_names(text: str) -> list[str]:
    """Every variable `.env.example` sets or shows commented out, in order."""
    return [m.group(1) for line in text.splitlines() if (m := _ASSIGNMENT.match(line.strip()))]


def undocumented_settings(project: Path, package_name: str) -> list[str]:
    """Settings the code reads that `.env.example` does not list."""
    listed = set(env_example_names((project / ".env.example").read_text()))
    read = settings_read_by(project / "src" / package_name)
    return sorted(f"{name} ({owner})" for name, owner in read.items() if name not in listed)


def unread_examples(project: Path, package_name: str) -> list[str]:
    """Variables `.env.example` lists that nothing reads (a stale or misspelt name)."""
    read = settings_read_by(project / "src" / package_name)
    names = env_example_names((project / ".env.example").read_text())
    return sorted(n for n in names if n not in read and n not in READ_ELSEWHERE)


def undescribed_examples(text: str) -> list[str]:
    """Variables with no comment above them: a comment describes the run of variables
    directly under it (a group's `# --- name ---` heading does not count)."""
    missing, described = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("# ---"):
            described = False
        elif stripped.startswith("#") and not _ASSIGNMENT.match(stripped):
            described = True
        elif (match := _ASSIGNMENT.match(stripped)) and not described:
            missing.append(match.group(1))
    return missing


# Run inside an installed project: prints, as JSON, every settings class's environment names
# (computed by pydantic-settings itself) and the fields whose value differs when the class
# reads `.env.example` instead of nothing — each should be none: the file lists defaults.
INTROSPECT = """
import importlib, json, os, pkgutil, sys
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

def env_names(cls):
    prefix = cls.model_config.get("env_prefix", "")
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            yield name, str(alias.choices[0]).upper()
        elif isinstance(alias, str):
            yield name, alias.upper()
        else:
            yield name, (prefix + name).upper()

report = {"names": {}, "differ": {}}
classes = [c for c in subclasses(BaseSettings) if c.__module__.startswith(package.__name__)]
for cls in classes:
    for name, env in env_names(cls):
        report["names"][env] = cls.__name__
        os.environ.pop(env, None)
for cls in classes:
    from_example = cls(_env_file=".env.example").model_dump(mode="json")
    from_nothing = cls(_env_file=None).model_dump(mode="json")
    for key in from_nothing:
        if from_example[key] != from_nothing[key]:
            report["differ"][f"{cls.__name__}.{key}"] = [from_nothing[key], from_example[key]]
print(json.dumps(report))
"""

"""What a rendered project ships for deployment, read the way Docker, Compose and the
platforms read it — and the checks every combination can afford (no install, no Docker):
compose against the compose-spec schema, every file the Dockerfile copies, `.env.example`
against the settings classes, the CI workflow and Dependabot against their schemas, the
Render and Fly.io recipes, one Python version."""

from __future__ import annotations

import fnmatch
import importlib.resources
import json
import re
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.combinations import Combination
from tests.env_settings import undescribed_examples, undocumented_settings, unread_examples

# check-jsonschema (PyPI) vendors these schemas from their projects and SchemaStore, and
# keeps them current; its `--builtin-schema vendor.<name>` options use the same files.
_VENDORED_SCHEMAS = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")


def schema_errors(document: Any, schema: str) -> list[str]:
    """Where ``document`` breaks the vendored ``schema`` (e.g. "compose-spec")."""
    loaded = json.loads((_VENDORED_SCHEMAS / f"{schema}.json").read_text())
    validator = jsonschema.validators.validator_for(loaded)(loaded)
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    )


def package_name(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["package_name"])


# --- Dockerfile ---------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    arguments: str

    def words(self) -> list[str]:
        """The arguments, in exec (JSON) form or shell-split, options included."""
        if self.arguments.startswith("["):
            return [str(word) for word in json.loads(self.arguments)]
        return shlex.split(self.arguments)


@dataclass
class Stage:
    name: str | None
    instructions: list[Instruction]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Copy:
    sources: list[str]
    destination: str
    from_stage: str | None


def dockerfile_stages(project: Path) -> tuple[dict[str, str], list[Stage]]:
    """The build arguments declared before the first stage, and the stages in order."""
    text = re.sub(r"\\\n", " ", (project / "Dockerfile").read_text())
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        instruction = Instruction(keyword.upper(), rest.strip())
        if instruction.keyword == "FROM":
            words = instruction.words()
            stages.append(Stage(words[2] if len(words) > 2 else None, []))
            stages[-1].instructions.append(instruction)
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            name, _, value = instruction.arguments.partition("=")
            arguments[name] = value
    return arguments, stages


def copy_of(instruction: Instruction) -> Copy:
    words = instruction.words()
    paths = [w for w in words if not w.startswith("--")]
    from_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
    return Copy(paths[:-1], paths[-1], from_stage)


def copies(stage: Stage) -> list[Copy]:
    return [copy_of(instruction) for instruction in stage.all("COPY")]


def dockerignored(project: Path, relative: str) -> bool:
    """Whether `.dockerignore` keeps ``relative`` (or a folder holding it) out of the build."""
    patterns = [
        p.strip()
        for p in (project / ".dockerignore").read_text().splitlines()
        if p.strip() and not p.startswith("#")
    ]
    assert not any(p.startswith("!") for p in patterns), "exceptions are not modelled here"
    parts = Path(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern)
        # `**/name` matches at any depth.
        or (pattern.startswith("**/") and fnmatch.fnmatch(Path(prefix).name, pattern[3:]))
        for pattern in patterns
        for prefix in prefixes
    )


def missing_build_inputs(project: Path) -> list[str]:
    """Files the Dockerfile copies from the build context that are absent or ignored."""
    _, stages = dockerfile_stages(project)
    problems = []
    for stage in stages:
        for copy in copies(stage):
            if copy.from_stage:
                continue
            for source in copy.sources:
                if not (project / source).exists():
                    problems.append(f"{source}: missing")
                elif dockerignored(project, source):
                    problems.append(f"{source}: excluded by .dockerignore")
    return problems


# --- compose --------------------------------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}` and `$$`."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        value = variables.get(name)
        unset = value is None or (operator is not None and operator.startswith(":") and not value)
        if operator and operator.endswith("?") and unset:
            raise ValueError(f"compose stops: {name}: {argument}")
        if operator and operator.endswith("-") and unset:
            return str(argument)
        return value or ""

    return _INTERPOLATION.sub(substitute, value)


def dotenv(path: Path) -> dict[str, str]:
    """A `.env` file as Compose reads it (KEY=VALUE, comments, optional quotes)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def compose_file(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / "compose.yaml").read_text())
    return loaded


def service_environment(project: Path, service: str) -> dict[str, str]:
    """The environment Compose gives ``service``: its env files, then `environment:` (which
    wins), interpolated from the project's `.env` the way `docker compose` does."""
    definition = compose_file(project)["services"][service]
    variables = dotenv(project / ".env") if (project / ".env").exists() else {}
    environment: dict[str, str] = {}
    for entry in definition.get("env_file", []):
        path = project / (entry["path"] if isinstance(entry, dict) else entry)
        if path.exists():
            environment.update(dotenv(path))
        elif not isinstance(entry, dict) or entry.get("required", True):
            raise FileNotFoundError(path)
    for key, value in (definition.get("environment") or {}).items():
        environment[key] = interpolate(str(value), variables)
    return environment


def expected_services(combination: Combination) -> set[str]:
    services = {"db", "redis", "mailpit", "migrate", "api"}
    if combination.queue == "celery":
        services |= {"worker", "beat"}
    if combination.storage_backend == "s3":
        services |= {"minio", "minio-bucket"}
    return services


def compose_problems(project: Path, combination: Combination) -> list[str]:
    compose = compose_file(project)
    problems = schema_errors(compose, "compose-spec")
    services = compose["services"]
    if set(services) != expected_services(combination):
        problems.append(f"services {sorted(services)} != {sorted(expected_services(combination))}")
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            if needed not in services:
                problems.append(f"{name} depends on a service that does not exist: {needed}")
    environment = service_environment(project, "api")
    if environment.get("ENVIRONMENT") == "production":
        problems.append("compose runs ENVIRONMENT=production: it would refuse to start locally")
    if not environment.get("SECRET_KEY"):
        problems.append("api gets no SECRET_KEY")
    return problems


# --- the rest -------------------------------------------------------------------------------


def ci_workflow(project: Path) -> dict[Any, Any]:
    """The rendered workflow; YAML 1.1 reads its `on:` key as True, GitHub as "on"."""
    workflow: dict[Any, Any] = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    workflow["on"] = workflow.pop(True)
    return workflow


def python_versions(project: Path) -> dict[str, str]:
    """Every place the Python version is written: all must agree."""
    arguments, _ = dockerfile_stages(project)
    requires = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    return {
        ".python-version": (project / ".python-version").read_text().strip(),
        "Dockerfile PYTHON_VERSION": arguments["PYTHON_VERSION"],
        "pyproject requires-python": requires["requires-python"].removeprefix(">="),
    }


def _render_role(service: dict[str, Any]) -> str:
    command = f" {service.get('dockerCommand', '')} "
    role = next((word for word in ("worker", "beat") if f" {word} " in command), None)
    return f"{service['type']}:{role}" if role else str(service["type"])


def recipe_problems(project: Path, combination: Combination) -> list[str]:
    """The Render Blueprint and fly.toml, by structure: neither platform publishes its schema
    in a package registry, so the checks follow their reference documentation."""
    problems = []
    blueprint = yaml.safe_load((project / "render.yaml").read_text())
    services = {service["name"]: service for service in blueprint["services"]}
    database_names = {database["name"] for database in blueprint["databases"]}
    roles = {_render_role(service) for service in services.values()}
    expected = {"web", "keyvalue"} | (
        {"worker:worker", "worker:beat"} if combination.queue == "celery" else set()
    )
    if roles != expected:
        problems.append(f"render.yaml runs {sorted(roles)}, expected {sorted(expected)}")
    for service in services.values():
        if service["type"] == "keyvalue":
            if "ipAllowList" not in service:
                problems.append("render.yaml: a keyvalue service needs ipAllowList")
            continue
        if service.get("runtime") != "docker":
            problems.append(f"render.yaml: {service['name']} does not build the Dockerfile")
        for variable in service["envVars"]:
            source = variable.get("fromDatabase") or variable.get("fromService")
            if variable.get("fromDatabase") and source["name"] not in database_names:
                problems.append(f"render.yaml: no database named {source['name']}")
            if variable.get("fromService") and source["name"] not in services:
                problems.append(f"render.yaml: no service named {source['name']}")
        if _render_role(service) == "worker:beat" and service.get("numInstances") != 1:
            problems.append("render.yaml: beat must run exactly one instance")
    web = next(s for s in services.values() if s["type"] == "web")
    if "alembic upgrade heads" not in web.get("preDeployCommand", ""):
        problems.append("render.yaml: migrations are not the web service's pre-deploy step")

    fly = tomllib.loads((project / "fly.toml").read_text())
    processes = set(fly["processes"])
    expected_processes = {"app"} | ({"worker", "beat"} if combination.queue == "celery" else set())
    if processes != expected_processes:
        problems.append(f"fly.toml processes {sorted(processes)} != {sorted(expected_processes)}")
    if "alembic upgrade heads" not in fly["deploy"]["release_command"]:
        problems.append("fly.toml: migrations are not the release command")
    if fly["http_service"]["internal_port"] != 8000 or fly["http_service"]["processes"] != ["app"]:
        problems.append("fly.toml: the HTTP service does not reach the API on port 8000")
    return problems


def assert_deployable(project: Path, combination: Combination) -> None:
    """Everything a deployment needs, checked without Docker or an install."""
    package = package_name(project)
    assert compose_problems(project, combination) == []
    assert missing_build_inputs(project) == []
    assert undocumented_settings(project, package) == [], ".env.example lacks settings"
    assert unread_examples(project, package) == [], ".env.example lists what nothing reads"
    assert undescribed_examples((project / ".env.example").read_text()) == []
    assert len(set(python_versions(project).values())) == 1, python_versions(project)
    assert schema_errors(ci_workflow(project), "github-workflows") == []
    dependabot = yaml.safe_load((project / ".github/dependabot.yml").read_text())
    assert schema_errors(dependabot, "dependabot") == []
    assert recipe_problems(project, combination) == []

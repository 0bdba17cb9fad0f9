"""The steps of a new project's journey, run the way a user or a platform runs them:
the rendered CI workflow's `run:` steps, the Docker image built by following the Dockerfile,
and the compose services started from that image with their hostnames mapped to loopback
stand-ins (the real PostgreSQL and Redis; an SMTP mailbox for Mailpit; moto for MinIO)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.deployment import (
    Instruction,
    compose_file,
    copy_of,
    dockerfile_stages,
    dotenv,
    interpolate,
    service_environment,
)
from tests.rendering import run

# Only what a login shell has: nothing from the test run's environment (a DATABASE_URL,
# a VIRTUAL_ENV) may leak into the project's commands and hide a missing setting.
_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "UV_CACHE_DIR", "UV_INDEX_URL")


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: os.environ[key] for key in _KEPT if key in os.environ}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the CI workflow ------------------------------------------------------------------------

# Actions a local run stands in for: the checkout is the project itself, uv is installed.
_LOCAL_ACTIONS = ("actions/checkout@", "astral-sh/setup-uv@")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _evaluate(text: str, env: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if not expression.startswith("env."):
            raise AssertionError(f"the journey only evaluates env.* expressions: {expression}")
        return env[expression.removeprefix("env.")]

    return _EXPRESSION.sub(value, text)


def run_workflow_steps(
    workflow: dict[str, Any], project: Path, services: Mapping[str, dict[str, str]], **env: str
) -> list[str]:
    """Run every step of every job in order; ``services`` gives, per workflow service name,
    the job-level environment values that point at the local stand-in instead."""
    ran = []
    for job in workflow["jobs"].values():
        unknown = set(job.get("services", {})) - set(services)
        assert not unknown, f"the journey has no stand-in for CI services {unknown}"
        job_env = {key: str(value) for key, value in job.get("env", {}).items()}
        for replacements in services.values():
            job_env.update(replacements)
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].startswith(_LOCAL_ACTIONS), f"unknown action {step['uses']}"
                continue
            step_env = {**job_env, **env}
            for key, value in step.get("env", {}).items():
                step_env[key] = _evaluate(str(value), {**job_env, **env})
            script = _evaluate(step["run"], step_env)
            run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                project,
                clean_env(CI="true", **step_env),
                timeout=900,
            )
            ran.append(script.strip())
    return ran


# --- the Docker image -----------------------------------------------------------------------


@dataclass
class Image:
    """The runtime stage's filesystem, laid out under ``root`` ("/" in the container)."""

    root: Path
    workdir: str
    env: dict[str, str]
    entrypoint: list[str]
    command: list[str]

    def path(self, container_path: str) -> Path:
        return self.root / container_path.lstrip("/")

    def translate(self, value: str) -> str:
        """A container value (a path, a PATH, `--option=/path`) with its paths made local."""
        return _CONTAINER_PATH.sub(lambda match: str(self.path(match.group(0))), value)


# The container folders the app's processes use: its workdir, the entrypoint, scratch space.
_CONTAINER_PATH = re.compile(r"(?<![\w.~/])/(?:app|usr/local/bin|tmp)(?:/[^\s:\"']*)?")


def _workdir_path(root: Path, workdir: str, destination: str) -> Path:
    return root / (
        destination if destination.startswith("/") else f"{workdir}/{destination}"
    ).lstrip("/")


def build_image(project: Path, where: Path) -> Image:
    """Follow the Dockerfile: COPY from the build context, RUN the uv steps (with the build
    stage's ENV), and assemble the runtime stage. RUN steps other than uv and the runtime's
    user and folder set-up fail: teach this function before adding one."""
    arguments, stages = dockerfile_stages(project)
    roots: dict[str, tuple[Path, str]] = {}
    image: Image | None = None
    for number, stage in enumerate(stages):
        root = where / (stage.name or f"stage{number}")
        root.mkdir(parents=True)
        workdir, env = "/", {}
        entrypoint: list[str] = []
        command: list[str] = []
        for instruction in stage.instructions[1:]:
            keyword = instruction.keyword
            if keyword == "WORKDIR":
                workdir = instruction.arguments
                (root / workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
            elif keyword == "ENV":
                for pair in shlex.split(instruction.arguments):
                    key, _, value = pair.partition("=")
                    env[key] = value
            elif keyword == "COPY":
                _copy(project, instruction, root, workdir, roots)
            elif keyword == "RUN":
                _run_step(instruction.arguments, root, workdir, env)
            elif keyword == "ENTRYPOINT":
                entrypoint = instruction.words()
            elif keyword == "CMD":
                command = instruction.words()
        (root / "tmp").mkdir(exist_ok=True)
        roots[stage.name or str(number)] = (root, workdir)
        image = Image(root, workdir, env, entrypoint, command)
    assert image is not None
    assert "PYTHON_VERSION" in arguments
    return image


def _copy(
    project: Path,
    instruction: Instruction,
    root: Path,
    workdir: str,
    stages: Mapping[str, tuple[Path, str]],
) -> None:
    copy = copy_of(instruction)
    target = _workdir_path(root, workdir, copy.destination)
    if copy.from_stage and copy.from_stage in stages:
        source_root, _ = stages[copy.from_stage]
        target.parent.mkdir(parents=True, exist_ok=True)
        # A virtualenv is not relocatable: link to where it was built.
        target.symlink_to(source_root / copy.sources[0].lstrip("/"))
        return
    if copy.from_stage:  # another image (the uv binary): uv is installed here
        return
    mode = next((w[8:] for w in instruction.words() if w.startswith("--chmod=")), None)
    for source in copy.sources:
        destination = target / source if copy.destination.endswith("/") else target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if (project / source).is_dir():
            shutil.copytree(project / source, destination)
        else:
            shutil.copy2(project / source, destination)
        if mode:
            destination.chmod(int(mode, 8))


def _run_step(arguments: str, root: Path, workdir: str, env: dict[str, str]) -> None:
    words = [w for w in shlex.split(arguments) if not w.startswith("--mount=")]
    for command in " ".join(shlex.quote(w) for w in words).split(" '&&' "):
        argv = shlex.split(command)
        if argv[0] == "uv":
            run(argv, _workdir_path(root, workdir, "."), clean_env(**env), timeout=900)
        elif argv[:2] == ["mkdir", "-p"]:
            for folder in argv[2:]:
                (root / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
        elif argv[0] not in {"groupadd", "useradd", "chown"}:
            raise AssertionError(f"the journey does not know how to emulate RUN {command}")


# --- compose --------------------------------------------------------------------------------


@dataclass
class StandIns:
    """Loopback addresses standing in for compose services: name -> (host, port)."""

    addresses: dict[str, tuple[str, int]] = field(default_factory=dict)
    # Full replacement URLs for services whose credentials differ here (PostgreSQL).
    urls: dict[str, str] = field(default_factory=dict)

    def rewrite(self, key: str, value: str, environment: Mapping[str, str]) -> str:
        parts = urlsplit(value)
        if parts.scheme and parts.hostname in self.urls:
            return self.urls[parts.hostname]
        if parts.scheme and parts.hostname in self.addresses:
            host, port = self.addresses[parts.hostname]
            return parts._replace(netloc=f"{host}:{port}").geturl()
        if value in self.addresses:
            return self.addresses[value][0]
        if key.endswith("_PORT"):
            host_key = key.removesuffix("_PORT") + "_HOST"
            if environment.get(host_key) in self.addresses:
                return str(self.addresses[environment[host_key]][1])
        return value


def compose_command(project: Path, service: str, image: Image) -> list[str]:
    definition = compose_file(project)["services"][service]
    variables = dotenv(project / ".env")
    command = definition.get("command", image.command)
    if isinstance(command, str):
        command = shlex.split(command)
    words = [*image.entrypoint, *(interpolate(str(word), variables) for word in command)]
    return [image.translate(word) for word in words]


def service_process_env(
    project: Path, service: str, image: Image, stand_ins: StandIns, **overrides: str
) -> dict[str, str]:
    """The image's ENV under what compose gives the service, pointed at the stand-ins."""
    env = clean_env()
    for key, value in image.env.items():
        env[key] = image.translate(value.replace("$PATH", env["PATH"]))
    env["PATH"] = f"{image.path('/usr/local/bin')}:{env['PATH']}"
    compose_env = service_environment(project, service)
    for key, value in compose_env.items():
        env[key] = image.translate(stand_ins.rewrite(key, value, compose_env))
    unmapped = {
        f"{key}={value}"
        for key, value in env.items()
        if (host := urlsplit(value).hostname) and host in compose_file(project)["services"]
    }
    assert not unmapped, f"compose points the app at services with no stand-in: {unmapped}"
    return {**env, **overrides}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def processes() -> Iterator[list[Process]]:
    """Background processes, each in its own session; all stopped (SIGTERM, then SIGKILL)
    on the way out."""
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGTERM)
        for process in started:
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait(timeout=10)


def start(
    into: list[Process], name: str, argv: list[str], cwd: Path, env: Mapping[str, str], logs: Path
) -> Process:
    log = logs / f"{name}.log"
    with log.open("w") as sink:
        popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    process = Process(name, popen, log)
    into.append(process)
    return process


def wait_until(check: Any, what: str, watched: list[Process], timeout: float = 90) -> Any:
    """Poll ``check()`` until it returns something truthy; fail early if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in watched:
            if process.popen.poll() is not None:
                raise AssertionError(
                    f"{process.name} exited ({process.popen.returncode}) while waiting for "
                    f"{what}:\n{process.output()[-4000:]}"
                )
        if result := check():
            return result
        time.sleep(0.3)
    logs = "\n".join(f"--- {p.name}\n{p.output()[-3000:]}" for p in watched)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def http_get(url: str) -> tuple[int, str] | None:
    """Status and body, or None while nothing listens."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


# Run inside a rendered project's environment, which has asyncpg: `<url> create|drop`.
ADMIN_DATABASE = """
import asyncio, sys
import asyncpg
from sqlalchemy.engine import make_url

async def main(url, action):
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        if action == "create":
            await connection.execute(f'CREATE DATABASE "{target.database}"')
    finally:
        await connection.close()

asyncio.run(main(*sys.argv[1:]))
"""

# Run inside a rendered project's environment (httpx): what a first user does against the
# API at argv[1]: register, log in, upload a file the way the API says, download it back.
FIRST_USER = """
import json, sys, uuid
import httpx

base = sys.argv[1]
email = f"journey-{uuid.uuid4().hex[:10]}@example.com"
password = "correct horse battery staple"
content = b"hello from the journey\\n"
with httpx.Client(base_url=base, timeout=30) as api:
    created = api.post("/api/v1/auth/register", json={"email": email, "password": password})
    # The same answer whether or not the email is known (no enumeration).
    assert created.status_code == 202, created.text
    login = api.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    ticket = api.post(
        "/api/v1/files",
        json={"filename": "hello.txt", "content_type": "text/plain", "size": len(content)},
        headers=auth,
    )
    assert ticket.status_code == 201, ticket.text
    upload = ticket.json()["upload"]
    if upload.get("fields") is not None:
        attached = {"file": ("hello.txt", content, "text/plain")}
        sent = httpx.post(upload["url"], data=upload["fields"], files=attached)
    else:
        sent = httpx.request(
            upload["method"], upload["url"], content=content, headers=upload.get("headers") or {}
        )
    assert sent.status_code < 300, (sent.status_code, sent.text)
    file_id = ticket.json()["id"]
    done = api.post(f"/api/v1/files/{file_id}/complete", headers=auth)
    assert done.status_code == 200, done.text
    download_url = api.get(f"/api/v1/files/{file_id}", headers=auth).json()["download_url"]
    downloaded = httpx.get(download_url)
    assert downloaded.content == content, downloaded.text
print(json.dumps({"email": email, "upload_url": upload["url"], "status": done.json()["status"]}))
"""

"""How a rendered project starts its API server: the app, not uvicorn, decides which
proxies' forwarded headers to believe (FORWARDED_ALLOW_IPS, applied in create_app)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.combinations import ALL
from tests.rendering import render

# Every integration on: the most files that could start a server.
LARGEST = min(ALL, key=lambda c: len(c.forbidden_tokens()))
# Where a rendered project starts uvicorn.
SERVER_FILES = ("Dockerfile", "Makefile", "compose.yaml")


def _uvicorn_commands(project: Path) -> list[tuple[str, str]]:
    found = []
    for name in SERVER_FILES:
        text = (project / name).read_text()
        found += [
            (name, line) for line in text.splitlines() if re.search(r"\buvicorn\b.*\bmain:", line)
        ]
    return found


def test_every_server_command_leaves_forwarded_headers_to_the_app(
    template_dir: Path, tmp_path: Path
) -> None:
    project = render(template_dir, tmp_path / "p", LARGEST.answers)

    commands = _uvicorn_commands(project)

    assert {name for name, _ in commands} >= {"Dockerfile", "Makefile"}
    for name, line in commands:
        # uvicorn's default trusts 127.0.0.1: a local client could pose as anyone.
        assert "--no-proxy-headers" in line, (name, line)
        assert "--forwarded-allow-ips" not in line, (name, line)

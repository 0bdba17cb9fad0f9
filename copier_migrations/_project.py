"""What the update steps know about a generated project: its git history and migrations.

They run inside the project with the Python that runs Copier, so only the standard
library is used.
"""

from __future__ import annotations

import ast
import contextlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

VERSIONS = Path("migrations/versions")
REMOVED = Path("migrations/removed")


@dataclass(frozen=True)
class Revision:
    """The identity of an Alembic revision script, read without importing it."""

    revision: str
    parents: frozenset[str]
    branch_labels: frozenset[str]

    @classmethod
    def parse(cls, source: str) -> Revision | None:
        values: dict[str, object] = {}
        for node in ast.parse(source).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            else:
                continue
            if isinstance(target, ast.Name):
                with contextlib.suppress(ValueError):
                    values[target.id] = ast.literal_eval(value)
        revision = values.get("revision")
        if not isinstance(revision, str):
            return None
        return cls(
            revision=revision,
            parents=_ids(values.get("down_revision")) | _ids(values.get("depends_on")),
            branch_labels=_ids(values.get("branch_labels")),
        )


def revisions_in(directory: Path) -> dict[str, Path]:
    """Revision id -> script, for the scripts in ``directory``."""
    found = {}
    for path in sorted(directory.glob("*.py")):
        parsed = Revision.parse(path.read_text())
        if parsed is not None:
            found[parsed.revision] = path
    return found


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def _ids(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, (list, tuple)):
        return frozenset(str(item) for item in value)
    return frozenset()

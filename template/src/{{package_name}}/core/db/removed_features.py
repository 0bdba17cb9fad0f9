"""The tables of features switched off by `copier update`, kept until you drop them.

When an update switches a feature off, its revision scripts leave `migrations/versions/`
and the template's update step keeps a copy in `migrations/removed/`. Its tables and rows
stay in every database until `make db-drop-feature name=<branch>` drops them there.

Every Alembic run reconciles the database's bookkeeping first (`migrations/env.py`): the
revisions of removed features move from `alembic_version` to `alembic_version_removed`, so
`alembic upgrade heads` works again; when a feature comes back, its revisions move back
and its tables are used as they are.
"""

import argparse
import asyncio
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Column, MetaData, String, Table, delete, insert, inspect, select
from sqlalchemy.engine import Connection

from ..config import Settings
from .session import create_engine

REMOVED_DIRECTORY = "removed"

_bookkeeping = MetaData()
# Alembic's own table, and the one that remembers what removed features had applied.
_applied = Table(
    "alembic_version", _bookkeeping, Column("version_num", String(32), primary_key=True)
)
_set_aside = Table(
    "alembic_version_removed",
    _bookkeeping,
    Column("version_num", String(32), primary_key=True),
)
SET_ASIDE_TABLE = _set_aside.name


@dataclass(frozen=True)
class RemovedRevision:
    """A revision script of a switched-off feature, kept in `migrations/removed/`."""

    revision: str
    parents: frozenset[str]  # its down revisions and the revisions it depends on
    branch_labels: frozenset[str]
    path: Path
    description: str


@dataclass(frozen=True)
class Reconciled:
    set_aside: tuple[RemovedRevision, ...]  # a switched-off feature's, now remembered apart
    restored: tuple[str, ...]  # revisions of features that are back

    def messages(self) -> list[str]:
        lines = []
        for label in sorted({label for r in self.set_aside for label in r.branch_labels}):
            revisions = ", ".join(r.revision for r in self.set_aside if label in r.branch_labels)
            lines.append(
                f"feature branch {label!r} was switched off: its revisions ({revisions}) are "
                f"set aside, its tables stay; `make db-drop-feature name={label}` drops them"
            )
        if self.restored:
            lines.append(
                f"switched back on: {', '.join(self.restored)}; their tables are used as they are"
            )
        return lines


def removed_directory(scripts: ScriptDirectory) -> Path:
    return Path(scripts.dir) / REMOVED_DIRECTORY


def removed_revisions(directory: Path) -> dict[str, RemovedRevision]:
    revisions: dict[str, RemovedRevision] = {}
    for path in sorted(directory.glob("*.py")):
        module = _load(path)
        revisions[module.revision] = RemovedRevision(
            revision=module.revision,
            parents=frozenset(_ids(module.down_revision)) | frozenset(_ids(module.depends_on)),
            branch_labels=frozenset(_ids(module.branch_labels)),
            path=path,
            description=(module.__doc__ or path.stem).strip().splitlines()[0],
        )
    return revisions


class _History:
    """Revisions a database may hold: the scripts on disk and the removed features' ones."""

    def __init__(self, scripts: ScriptDirectory) -> None:
        self.scripts = scripts
        self.removed = removed_revisions(removed_directory(scripts))

    def is_known(self, revision: str) -> bool:
        try:
            return self.scripts.get_revision(revision) is not None
        except CommandError:
            return False

    def ancestry(self, revisions: Iterable[str]) -> set[str]:
        """``revisions`` and everything they build on (down revisions and dependencies)."""
        seen: set[str] = set()
        pending = list(revisions)
        while pending:
            revision = pending.pop()
            if revision in seen:
                continue
            seen.add(revision)
            if self.is_known(revision):
                seen.update(s.revision for s in self.scripts.iterate_revisions(revision, "base"))
            elif revision in self.removed:
                pending.extend(self.removed[revision].parents)
        return seen

    def heads(self, revisions: set[str]) -> set[str]:
        """The revisions no other one in the set builds on: what the version table holds."""
        below: set[str] = set()
        for revision in revisions:
            if revision not in below:  # what is below it is below the other one too
                below |= self.ancestry([revision]) - {revision}
        return revisions - below


def reconcile(connection: Connection, scripts: ScriptDirectory) -> Reconciled:
    """Set aside the revisions of removed features; bring back those of returning ones."""
    tables = inspect(connection)
    if not tables.has_table(_applied.name):
        return Reconciled((), ())
    applied = set(connection.scalars(select(_applied.c.version_num)))
    set_aside = _read_set_aside(connection)
    history = _History(scripts)
    if any(not history.is_known(r) and r not in history.removed for r in applied):
        return Reconciled((), ())  # Alembic names the unknown revision and stops
    if all(history.is_known(r) for r in applied) and not any(map(history.is_known, set_aside)):
        return Reconciled((), ())  # nothing switched off or back on since the last run
    everything = history.ancestry(applied | set_aside)
    known = {r for r in everything if history.is_known(r)}
    new_applied = history.heads(known)
    new_set_aside = history.heads(everything - known)
    if new_applied == applied and new_set_aside == set_aside:
        return Reconciled((), ())
    _write(connection, _applied, new_applied)
    _write_set_aside(connection, new_set_aside)
    had = {r for r in history.ancestry(applied) if history.is_known(r)}
    return Reconciled(
        set_aside=tuple(
            history.removed[r]
            for r in sorted(history.ancestry(new_set_aside) - history.ancestry(set_aside))
            if r in history.removed and not history.is_known(r)
        ),
        restored=tuple(sorted(history.heads(known - had))),
    )


def drop(connection: Connection, scripts: ScriptDirectory, label: str) -> list[RemovedRevision]:
    """Run the downgrades of removed feature ``label`` (and what builds on it) here."""
    if label in {existing for s in scripts.walk_revisions() for existing in s.branch_labels}:
        raise FeatureStillPresent(label)
    reconcile(connection, scripts)
    history = _History(scripts)
    chosen = {r.revision for r in history.removed.values() if label in r.branch_labels}
    if not chosen:
        raise UnknownRemovedFeature(label, history.removed.values())
    while extra := {r.revision for r in history.removed.values() if r.parents & chosen} - chosen:
        chosen |= extra
    set_aside = {
        r for r in history.ancestry(_read_set_aside(connection)) if not history.is_known(r)
    }
    remaining = chosen & set_aside & set(history.removed)
    dropped = []
    with Operations.context(MigrationContext.configure(connection)):
        while remaining:
            # Dependents first: nothing left to drop builds on this one.
            last = next(
                r
                for r in sorted(remaining)
                if not any(r in history.removed[other].parents for other in remaining)
            )
            _load(history.removed[last].path).downgrade()
            dropped.append(history.removed[last])
            remaining.discard(last)
    _write_set_aside(connection, history.heads(set_aside - chosen))
    return dropped


class FeatureStillPresent(Exception):
    def __init__(self, label: str) -> None:
        super().__init__(
            f"{label!r} is still part of this project: switch it off with `copier update` "
            "first; its tables are dropped after that"
        )


class UnknownRemovedFeature(Exception):
    def __init__(self, label: str, removed: Iterable[RemovedRevision]) -> None:
        labels = sorted({label for r in removed for label in r.branch_labels})
        super().__init__(
            f"no switched-off feature named {label!r} in migrations/{REMOVED_DIRECTORY}/ "
            f"(there: {', '.join(labels) or 'none'})"
        )


def _read_set_aside(connection: Connection) -> set[str]:
    if not inspect(connection).has_table(_set_aside.name):
        return set()
    return set(connection.scalars(select(_set_aside.c.version_num)))


def _write_set_aside(connection: Connection, revisions: set[str]) -> None:
    if revisions:
        _set_aside.create(connection, checkfirst=True)
        _write(connection, _set_aside, revisions)
    else:
        _set_aside.drop(connection, checkfirst=True)  # nothing to remember: leave no trace


def _write(connection: Connection, table: Table, revisions: set[str]) -> None:
    connection.execute(delete(table))
    if revisions:
        connection.execute(insert(table), [{"version_num": r} for r in sorted(revisions)])


def _ids(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"removed_revision_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _drop_feature(label: str) -> list[RemovedRevision]:
    settings = Settings()
    scripts = ScriptDirectory.from_config(Config(str(settings.alembic_config)))
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(drop, scripts, label)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make db-drop-feature",
        description="Drop the tables of a feature switched off by `copier update`.",
    )
    parser.add_argument("name", help="the migration branch of a feature in migrations/removed/")
    args = parser.parse_args(argv)
    try:
        dropped = asyncio.run(_drop_feature(args.name))
    except (FeatureStillPresent, UnknownRemovedFeature) as exc:
        print(exc, file=sys.stderr)
        return 2
    for revision in dropped:
        print(f"dropped {revision.revision}: {revision.description}")
    if not dropped:
        print(f"nothing to drop: {args.name!r} has no tables in this database")
    return 0


if __name__ == "__main__":
    sys.exit(main())
